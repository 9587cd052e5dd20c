"""Consents on the candidate page: each one with its purpose, organisation, who recorded it and
when, withdrawn in one click; flagged free-text consents stand out and can be found from the
list; the form is prefilled from a link and searches the organisations; the admin shows it all."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridges.models import AuditEvent
from candidates.models import Candidate, Consent
from candidates.selectors import candidates_with_consents_to_check
from candidates.services import consent_withdraw
from tests.candidates.factories import CandidateFactory, ConsentFactory, PlaceFactory, ProfilingConsentFactory
from tests.employers.factories import EmployerFactory
from tests.factories import CaseWorkerFactory
from tests.query_plans import plan_of_last_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def candidate(db):
    return CandidateFactory(first_name="Amina", last_name="Haddad")


def flagged(candidate, recipient: str = "Metallbau Amsel") -> Consent:
    """A consent to share recorded as free text that named no single organisation (migration 0004)."""
    return ConsentFactory(candidate=candidate, employer=None, recipient=recipient, needs_review=True)


def detail(client, candidate, **query):
    response = client.get(reverse("candidates:detail", args=[candidate.pk]), query)
    assert response.status_code == 200
    return response


def consents_section(response) -> str:
    text = response.text
    start = text.index('id="consents"')
    return text[start : text.index("</section>", start)]


def consent_data(**overrides) -> dict:
    data = {"purpose": "processing", "employer": "", "wording_version": "2026-01", "method": "in_person"}
    data.update(overrides)
    return data


# --- permissions of the organisation search -------------------------------------------------


def test_anonymous_is_sent_to_login_from_the_organisation_search(client, company_a):
    response = client.get(reverse("candidates:employer_search"), {"autocomplete_q": "Firma"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["employer_a", "employer_b"])
def test_employers_cannot_search_the_organisations(client, personas, company_a, company_b, persona):
    client.force_login(personas[persona])

    response = client.get(reverse("candidates:employer_search"), {"autocomplete_q": "firma"})

    assert response.status_code == 403
    assert "Firma A GmbH" not in response.text


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_case_workers_search_the_organisations_by_part_of_the_name(client, personas, company_a, company_b, persona):
    EmployerFactory(name="Amsel Metallbau GmbH")
    client.force_login(personas[persona])

    response = client.get(reverse("candidates:employer_search"), {"autocomplete_q": "firma", "field": "employer"})

    assert response.status_code == 200
    assert f'<option value="{company_a.pk}">Firma A GmbH' in response.text
    assert f'<option value="{company_b.pk}">Firma B GmbH' in response.text
    assert "Amsel" not in response.text
    assert response.text.index("Firma A GmbH") < response.text.index("Firma B GmbH")


def test_the_search_names_the_town_and_marks_companies_not_approved_yet(client, case_worker, english):
    EmployerFactory(name="Neue Firma GmbH", verification="pending")
    client.force_login(case_worker)

    response = client.get(reverse("candidates:employer_search"), {"autocomplete_q": "neue"})

    assert "Neue Firma GmbH (Erfurt) – not approved yet" in response.text


def test_the_search_keeps_the_chosen_organisation_and_shows_at_most_twenty(client, case_worker):
    employers = [EmployerFactory(name=f"Betrieb {number:02d}") for number in range(30)]
    client.force_login(case_worker)

    response = client.get(
        reverse("candidates:employer_search"),
        {"autocomplete_q": "Betrieb", "field": "employer", "employer": [employers[25].pk, "x", "²", str(2**70)]},
    )

    assert f'<option value="{employers[25].pk}" selected>Betrieb 25</option>' in response.text
    assert response.text.count("<option") == 1 + 1 + 20  # "choose", the chosen one, twenty more
    assert response.text.count("Betrieb 25") == 1


def test_the_search_says_when_nothing_matches(client, case_worker, english):
    client.force_login(case_worker)

    response = client.get(reverse("candidates:employer_search"), {"autocomplete_q": "gibt es nicht"})

    assert "No matches" in response.text


# --- the consents on the candidate page --------------------------------------------------------


def test_the_page_shows_each_consent_with_employer_who_and_when(client, case_worker, candidate, company_a, english):
    recorder = CaseWorkerFactory(first_name="Bernd", last_name="Berater")
    given = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 30))
    ConsentFactory(candidate=candidate, employer=company_a, recorded_by=recorder, given_at=given, method="paper")
    withdrawn = ProfilingConsentFactory(candidate=candidate, recorded_by=recorder, given_at=given)
    Consent.objects.filter(pk=withdrawn.pk).update(
        withdrawn_at=given + datetime.timedelta(days=3), withdrawn_by=case_worker
    )
    client.force_login(case_worker)

    section = consents_section(detail(client, candidate))

    assert "sharing the profile with a named employer" in section
    assert f'<a href="{reverse("employers:staff_employer_detail", args=[company_a.pk])}">Firma A GmbH</a>' in section
    assert "given 03/02/2026 10:30 a.m., on paper, recorded by Bernd Berater, wording 2026-01" in section
    assert "withdrawn 03/05/2026 10:30 a.m., recorded by" in section
    assert case_worker.get_full_name() in section
    # Standing consents come first, then the withdrawn ones; only standing ones can be withdrawn.
    assert section.index("sharing the profile") < section.index("anonymised profile in the match summaries")
    assert section.count("Withdraw<") == 1
    assert section.count(">standing<") == 1
    assert section.count(">withdrawn<") == 1


def test_the_page_says_where_the_profile_may_go(client, case_worker, candidate, company_a, company_b, english):
    ConsentFactory(candidate=candidate, employer=company_b)
    ConsentFactory(candidate=candidate, employer=company_a)
    gone = ConsentFactory(candidate=candidate, employer=EmployerFactory(name="Früher GmbH"))
    Consent.objects.filter(pk=gone.pk).update(withdrawn_at=timezone.now())
    client.force_login(case_worker)

    response = detail(client, candidate)
    overview = response.context["consent_overview"]

    assert [employer.name for employer in overview.share_with] == ["Firma A GmbH", "Firma B GmbH"]
    assert not overview.profiling
    assert "The profile may be shared with" in response.text
    assert "no, not shown" in response.text


def test_a_renamed_organisation_shows_the_name_as_recorded(client, case_worker, candidate, company_a, english):
    ConsentFactory(candidate=candidate, employer=company_a, recipient="Firma A")
    client.force_login(case_worker)

    assert "(recorded as “Firma A”)" in consents_section(detail(client, candidate))


def test_a_flagged_consent_stands_out_with_what_to_do(client, case_worker, candidate, english):
    consent = flagged(candidate, "Metallbau Amsel")
    client.force_login(case_worker)

    response = detail(client, candidate)
    section = consents_section(response)

    assert "To check" in section
    assert (
        "Recorded as free text “Metallbau Amsel”; matches no single organisation — record a new consent for the "
        "right employer." in section
    )
    assert "“Metallbau Amsel” (free text)" in section
    assert "?purpose=sharing#consent-form" in section
    assert f'href="#consent-{consent.pk}">1 consent to check</a>' in section
    assert f'href="#consent-{consent.pk}">Consent to check</a>' in response.text
    assert f'id="consent-{consent.pk}"' in section
    assert response.context["consent_overview"].share_with == []


def test_a_withdrawn_flagged_consent_needs_no_more_checking(client, case_worker, candidate, english):
    consent = flagged(candidate)
    client.force_login(case_worker)

    client.post(reverse("candidates:consent_withdraw", args=[candidate.pk, consent.pk]))

    section = consents_section(detail(client, candidate))
    assert "To check" not in section
    assert "consent to check" not in section


def test_the_consent_section_is_the_anchor_other_pages_link_to(client, case_worker, candidate):
    client.force_login(case_worker)

    response = detail(client, candidate)

    assert re.search(r'<section [^>]*id="consents"', response.text)
    assert 'id="consent-form"' in response.text


# --- recording and withdrawing ---------------------------------------------------------------


def test_the_form_is_prefilled_from_a_link(client, case_worker, candidate, company_a):
    client.force_login(case_worker)

    response = detail(client, candidate, purpose="sharing", employer=company_a.pk)

    form = response.context["consent_form"]
    assert form.initial == {"purpose": "sharing", "employer": company_a.pk}
    assert f'<option value="{company_a.pk}" selected>Firma A GmbH</option>' in response.text
    assert '<option value="sharing" selected>' in response.text


def test_an_employer_in_the_link_means_sharing(client, case_worker, candidate, company_a):
    client.force_login(case_worker)

    response = detail(client, candidate, employer=company_a.pk)

    assert response.context["consent_form"].initial == {"purpose": "sharing", "employer": company_a.pk}


@pytest.mark.parametrize(
    "query",
    [
        {"purpose": "nonsense", "employer": "x"},
        {"employer": "999999999"},
        {"employer": str(2**70)},
        {"employer": "²"},
    ],
)
def test_a_link_with_nonsense_prefills_nothing_it_cannot_use(client, case_worker, candidate, query):
    client.force_login(case_worker)

    response = detail(client, candidate, **query)

    assert response.context["consent_form"].initial.get("purpose") in (None, "sharing")
    form = consents_section(response).split('id="consent-form"')[1]
    assert not re.search(r'<option value="\d+" selected>', form)  # no organisation chosen


def test_recording_a_consent_returns_to_the_consents(client, case_worker, candidate, company_a):
    client.force_login(case_worker)

    response = client.post(
        reverse("candidates:consent_add", args=[candidate.pk]), consent_data(purpose="sharing", employer=company_a.pk)
    )

    assert response.status_code == 302
    assert response.url == f"{candidate.get_absolute_url()}#consents"
    consent = Consent.objects.get()
    assert (consent.employer, consent.recipient, consent.recorded_by) == (company_a, "Firma A GmbH", case_worker)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONSENT).count() == 1


def test_recording_returns_to_the_page_that_asked_for_it(client, case_worker, candidate, company_a):
    client.force_login(case_worker)
    back = "/dashboard/introductions/new/?candidate=1"
    page = detail(client, candidate, purpose="sharing", employer=company_a.pk, next=back)
    assert f'<input type="hidden" name="next" value="{back.replace("&", "&amp;")}">' in page.text

    response = client.post(
        reverse("candidates:consent_add", args=[candidate.pk]),
        consent_data(purpose="sharing", employer=company_a.pk, next=back),
    )

    assert response.url == back


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "candidates:list"]
)
def test_a_foreign_next_is_ignored(client, case_worker, candidate, target):
    client.force_login(case_worker)

    response = client.post(reverse("candidates:consent_add", args=[candidate.pk]), consent_data(next=target))

    assert response.url == f"{candidate.get_absolute_url()}#consents"
    assert '<input type="hidden" name="next"' not in detail(client, candidate, next=target).text


def test_the_same_consent_twice_is_recorded_once(client, case_worker, candidate, company_a, english):
    client.force_login(case_worker)
    url = reverse("candidates:consent_add", args=[candidate.pk])
    data = consent_data(purpose="sharing", employer=company_a.pk)

    client.post(url, data)
    again = client.post(url, data)

    assert again.status_code == 400
    assert "This consent was recorded already" in again.text
    assert "The consent was not recorded." in again.text
    assert Consent.objects.count() == 1


def test_a_new_wording_or_another_employer_is_recorded_beside_the_standing_consent(
    client, case_worker, candidate, company_a, company_b
):
    client.force_login(case_worker)
    url = reverse("candidates:consent_add", args=[candidate.pk])

    client.post(url, consent_data(purpose="sharing", employer=company_a.pk))
    client.post(url, consent_data(purpose="sharing", employer=company_b.pk))
    client.post(url, consent_data(purpose="sharing", employer=company_a.pk, wording_version="2027-01"))

    assert Consent.objects.count() == 3


def test_after_a_withdrawal_the_same_consent_can_be_given_again(client, case_worker, candidate):
    client.force_login(case_worker)
    consent = ProfilingConsentFactory(candidate=candidate)
    client.post(reverse("candidates:consent_withdraw", args=[candidate.pk, consent.pk]))

    response = client.post(reverse("candidates:consent_add", args=[candidate.pk]), consent_data(purpose="profiling"))

    assert response.status_code == 302
    assert Consent.objects.profiling().count() == 1


def test_only_sharing_names_an_employer(client, case_worker, candidate, company_a, english):
    client.force_login(case_worker)

    response = client.post(
        reverse("candidates:consent_add", args=[candidate.pk]), consent_data(purpose="profiling", employer=company_a.pk)
    )

    assert response.status_code == 400
    assert "Only a consent to sharing names an employer." in response.text
    assert not Consent.objects.exists()


def test_an_unknown_employer_is_refused(client, case_worker, candidate, english):
    client.force_login(case_worker)

    response = client.post(
        reverse("candidates:consent_add", args=[candidate.pk]), consent_data(purpose="sharing", employer="999999")
    )

    assert response.status_code == 400
    assert not Consent.objects.exists()
    summary = response.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_employer"' in summary


def test_withdrawing_is_one_click_and_returns_to_the_consents(client, case_worker, candidate, company_a):
    consent = ConsentFactory(candidate=candidate, employer=company_a)
    client.force_login(case_worker)

    response = client.post(reverse("candidates:consent_withdraw", args=[candidate.pk, consent.pk]))

    assert response.url == f"{candidate.get_absolute_url()}#consents"
    consent.refresh_from_db()
    assert consent.withdrawn_by == case_worker
    assert not Consent.objects.sharing_with(company_a.pk).exists()


# --- the list: which candidates have consents to check -----------------------------------------


def listed(client, **query) -> set[str]:
    response = client.get(reverse("candidates:list"), query)
    assert response.status_code == 200
    return {candidate.last_name for candidate in response.context["page"].object_list}


def test_the_list_finds_the_consents_to_check(client, case_worker, company_a):
    flagged(CandidateFactory(last_name="Offen"))
    done = CandidateFactory(last_name="Erledigt")
    Consent.objects.filter(pk=flagged(done).pk).update(withdrawn_at=timezone.now())
    ConsentFactory(candidate=CandidateFactory(last_name="Verknüpft"), employer=company_a)
    CandidateFactory(last_name="Ohne")
    client.force_login(case_worker)

    assert listed(client, consent="to_check") == {"Offen"}


def test_the_dashboard_can_count_the_candidates_with_consents_to_check(case_worker, employer_a, company_a):
    two = CandidateFactory()
    flagged(two, "Erste Firma")
    flagged(two, "Zweite Firma")
    flagged(CandidateFactory())
    withdrawn = flagged(CandidateFactory())
    Consent.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    ConsentFactory(candidate=CandidateFactory(), employer=company_a)

    assert candidates_with_consents_to_check(user=case_worker) == 2
    with pytest.raises(PermissionDenied):
        candidates_with_consents_to_check(user=employer_a)


@pytest.mark.owner_role  # the plan is made with fresh statistics, which only the owner may gather
def test_the_standing_consents_to_share_are_read_through_their_own_indexes(case_worker, company_a):
    # Partial indexes (migration 0012): the dashboard's count reads only the flagged standing
    # consents, not every consent ever given; the introductions' check only the standing ones.
    from matching.introduction_selectors import introductions_for_user

    # As in the programme: one flagged consent among hundreds of standing ones to share, and more
    # consents of other purposes than to share (enough rows that an index that fits less closely
    # costs more, however the test tables grew before this test).
    flagged(CandidateFactory())
    place = PlaceFactory()
    candidates = Candidate.objects.bulk_create([CandidateFactory.build(place=place) for _ in range(200)])
    consents = [ConsentFactory.build(candidate=candidate, employer=company_a) for candidate in candidates]
    consents += [ProfilingConsentFactory.build(candidate=candidate) for candidate in candidates for _ in range(2)]
    Consent.objects.bulk_create(consents)
    tables = ["candidates_consent", "candidates_candidate"]

    plan = plan_of_last_query(lambda: candidates_with_consents_to_check(user=case_worker), analyze=tables)
    assert "consent_sharing_to_check" in plan, plan
    plan = plan_of_last_query(lambda: list(introductions_for_user(user=case_worker)[:25]), analyze=tables)
    assert "consent_sharing_standing" in plan, plan


def test_the_list_filters_by_what_the_consents_allow(client, case_worker, company_a):
    ConsentFactory(candidate=CandidateFactory(last_name="Weitergabe"), employer=company_a)
    ProfilingConsentFactory(candidate=CandidateFactory(last_name="Anonym"))
    withdrawn = ProfilingConsentFactory(candidate=CandidateFactory(last_name="Widerrufen"))
    Consent.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    flagged(CandidateFactory(last_name="Freitext"))
    client.force_login(case_worker)

    assert listed(client, consent="sharing") == {"Weitergabe"}
    assert listed(client, consent="profiling") == {"Anonym"}
    assert listed(client, consent="no_profiling") == {"Weitergabe", "Widerrufen", "Freitext"}
    assert listed(client, consent="nonsense") == {"Weitergabe", "Anonym", "Widerrufen", "Freitext"}


def test_the_list_says_where_each_profile_may_go(client, case_worker, company_a, english):
    amina = CandidateFactory(last_name="Haddad")
    ConsentFactory(candidate=amina, employer=company_a)
    flagged(CandidateFactory(last_name="Rahimi"))
    client.force_login(case_worker)

    response = client.get(reverse("candidates:list"))

    assert "May be shared with: Firma A GmbH" in response.text
    assert response.text.count(">Consent to check</a>") == 1


def test_the_list_reads_the_consents_in_a_constant_number_of_queries(
    client, case_worker, company_a, django_assert_max_num_queries
):
    client.force_login(case_worker)
    ConsentFactory(candidate=CandidateFactory(), employer=company_a)
    client.get(reverse("candidates:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("candidates:list"))
    for number in range(24):
        candidate = CandidateFactory()
        ConsentFactory(candidate=candidate, employer=EmployerFactory())
        ProfilingConsentFactory(candidate=candidate)
        if number % 3 == 0:
            flagged(candidate)

    with django_assert_max_num_queries(len(few)):
        client.get(reverse("candidates:list"))


def test_the_page_reads_the_consents_in_a_constant_number_of_queries(
    client, case_worker, candidate, company_a, django_assert_max_num_queries
):
    client.force_login(case_worker)
    ConsentFactory(candidate=candidate, employer=company_a, recorded_by=case_worker)
    detail(client, candidate)
    with CaptureQueriesContext(connection) as few:
        detail(client, candidate)
    for _ in range(15):
        consent = ConsentFactory(candidate=candidate, employer=EmployerFactory(), recorded_by=CaseWorkerFactory())
        Consent.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now(), withdrawn_by=CaseWorkerFactory())

    with django_assert_max_num_queries(len(few)):
        detail(client, candidate)


# --- the admin ---------------------------------------------------------------------------------


def test_the_admin_lists_consents_with_organisation_and_flag(client, admin_user, candidate, company_a, english):
    ConsentFactory(candidate=candidate, employer=company_a)
    flagged(CandidateFactory(last_name="Rahimi"), "Bäckerei Schmidt")
    client.force_login(admin_user)

    everything = client.get(reverse("admin:candidates_consent_changelist"))
    to_check = client.get(reverse("admin:candidates_consent_changelist"), {"needs_review__exact": "1"})

    assert everything.status_code == 200
    assert "Firma A GmbH" in everything.text
    assert "to be checked by a case worker" in everything.text.lower()
    assert [c.recipient for c in to_check.context["cl"].result_list] == ["Bäckerei Schmidt"]


def test_the_admin_chooses_the_organisation_by_search_and_keeps_its_name(client, admin_user, candidate, company_a):
    client.force_login(admin_user)
    add = reverse("admin:candidates_consent_add")

    page = client.get(add)
    response = client.post(
        add,
        {
            "candidate": candidate.pk,
            "purpose": "sharing",
            "employer": company_a.pk,
            "recipient": "",
            "wording_version": "2026-01",
            "method": "paper",
            "given_at_0": "2026-03-02",
            "given_at_1": "10:00:00",
        },
    )

    assert 'data-ajax--url="/admin/autocomplete/"' in page.text
    assert 'name="employer"' in page.text
    assert response.status_code == 302, response.context["adminform"].form.errors
    consent = Consent.objects.get()
    assert (consent.employer, consent.recipient, consent.recorded_by) == (company_a, "Firma A GmbH", admin_user)


def test_the_candidates_admin_shows_the_consents_with_their_organisation(client, admin_user, candidate, company_a):
    flagged(candidate, "Bäckerei Schmidt")
    client.force_login(admin_user)

    response = client.get(reverse("admin:candidates_candidate_change", args=[candidate.pk]))

    assert response.status_code == 200
    assert "Bäckerei Schmidt" in response.text
    assert 'name="consents-0-employer"' in response.text
    assert 'name="consents-0-needs_review"' in response.text


def test_the_case_workers_dashboard_counts_and_links_the_consents_to_check(client, case_worker):
    flagged = CandidateFactory()
    ConsentFactory(candidate=flagged, employer=None, recipient="Metallbau Amsel, Erfurt", needs_review=True)
    withdrawn = ConsentFactory(candidate=CandidateFactory(), employer=None, recipient="Irgendwer", needs_review=True)
    consent_withdraw(consent=withdrawn, actor=case_worker)
    client.force_login(case_worker)

    first = client.get(reverse("matching:dashboard")).content.decode()
    Consent.objects.filter(needs_review=True).update(needs_review=False)
    second = client.get(reverse("matching:dashboard")).content.decode()

    assert "1 Person mit einer zu prüfenden Einwilligung" in first
    assert f"{reverse('candidates:list')}?consent=to_check" in first
    assert 'data-testid="consents-to-check"' not in second
