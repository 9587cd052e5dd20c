"""Candidate list, detail, intake and section editing: permissions, validation, duplicates,
consents, the re-scoring mark and the audit trail."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridges.models import AuditEvent, CEFRLevel, Language, Region
from candidates.models import Candidate, CandidateLanguage, Consent, Note, Perspective, WorkPermission
from tests.candidates.factories import CandidateFactory, CandidateLanguageFactory
from tests.factories import OccupationFactory, SkillFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def german(db):
    return Language.objects.get_or_create(code="de", defaults={"name_en": "German", "name_de": "Deutsch"})[0]


@pytest.fixture
def arabic(db):
    return Language.objects.get_or_create(code="ar", defaults={"name_en": "Arabic", "name_de": "Arabisch"})[0]


@pytest.fixture
def candidate(db):
    return CandidateFactory(first_name="Amina", last_name="Haddad", date_of_birth=date(1995, 3, 14))


def intake_data(**overrides) -> dict:
    data = {
        "first_name": "Yusuf",
        "last_name": "Rahimi",
        "date_of_birth": "1990-05-01",
        "gender": "male",
        "email": "yusuf@example.org",
        "phone": "+49 361 123456",
        "street": "Anger 1",
        "postal_code": "99084",
        "nationality": "AF",
        "country_of_origin": "AF",
        "residence_status": "aufenthaltserlaubnis",
        "work_permission": "allowed",
        "work_permission_valid_until": str(TODAY + timedelta(days=365)),
        "perspective": "stay",
        "return_country": "",
        "languages-TOTAL_FORMS": "2",
        "languages-INITIAL_FORMS": "0",
        "languages-MIN_NUM_FORMS": "0",
        "languages-MAX_NUM_FORMS": "15",
    }
    data.update(overrides)
    return data


# --- permissions ------------------------------------------------------------------


def get_urls(candidate) -> list[str]:
    pk = candidate.pk
    return [
        reverse("candidates:list"),
        reverse("candidates:create"),
        reverse("candidates:detail", args=[pk]),
        *[
            reverse("candidates:edit", args=[pk, section])
            for section in ("personal", "legal", "languages", "education", "experience", "profile", "perspective")
        ],
    ]


def post_urls(candidate) -> list[tuple[str, dict]]:
    pk = candidate.pk
    consent = Consent.objects.create(
        candidate=candidate, purpose="processing", wording_version="v1", method="paper", given_at=timezone.now()
    )
    return [
        (reverse("candidates:note_add", args=[pk]), {"text": "secret"}),
        (
            reverse("candidates:consent_add", args=[pk]),
            {"purpose": "processing", "wording_version": "v2", "method": "paper"},
        ),
        (reverse("candidates:consent_withdraw", args=[pk, consent.pk]), {}),
        (reverse("candidates:duplicates"), {"first_name": "Amina", "last_name": "Haddad"}),
        (reverse("candidates:edit", args=[pk, "personal"]), {"first_name": "Changed"}),
        (reverse("candidates:create"), intake_data()),
    ]


def test_anonymous_is_sent_to_login_from_every_candidate_page(client, candidate):
    for url in get_urls(candidate):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["employer_a", "employer_b"])
def test_employers_see_no_candidate_page_and_nothing_of_the_candidate(client, personas, candidate, persona):
    client.force_login(personas[persona])

    for url in get_urls(candidate):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"Haddad" not in response.content
    for url, data in post_urls(candidate):
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert b"Haddad" not in response.content

    candidate.refresh_from_db()
    assert candidate.first_name == "Amina"
    assert not Note.objects.exists()
    assert Consent.objects.filter(withdrawn_at__isnull=False).count() == 0
    assert Candidate.objects.count() == 1


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_case_workers_and_admins_open_every_candidate_page(client, personas, candidate, persona):
    client.force_login(personas[persona])

    for url in get_urls(candidate):
        assert client.get(url).status_code == 200, url


def test_unknown_candidate_and_unknown_section_are_404(client, case_worker, candidate):
    client.force_login(case_worker)

    assert client.get(reverse("candidates:detail", args=[candidate.pk + 100])).status_code == 404
    assert client.get(reverse("candidates:edit", args=[candidate.pk, "secrets"])).status_code == 404


def test_viewing_a_profile_is_written_to_the_audit_trail(client, case_worker, candidate):
    client.force_login(case_worker)

    client.get(reverse("candidates:detail", args=[candidate.pk]))

    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert event.actor == case_worker
    assert event.target_id == str(candidate.pk)


# --- intake -------------------------------------------------------------------------


def test_intake_creates_a_candidate_with_languages_and_the_rescore_mark(client, case_worker, german, arabic):
    client.force_login(case_worker)
    data = intake_data(
        **{
            "languages-0-language": german.pk,
            "languages-0-level": CEFRLevel.B1,
            "languages-1-language": arabic.pk,
            "languages-1-level": CEFRLevel.NATIVE,
        }
    )

    response = client.post(reverse("candidates:create"), data)

    candidate = Candidate.objects.get()
    assert response.url == candidate.get_absolute_url()
    assert candidate.case_worker == case_worker
    assert candidate.rescore_requested_at is not None
    assert {(cl.language.code, cl.level) for cl in candidate.languages.all()} == {
        ("de", CEFRLevel.B1),
        ("ar", CEFRLevel.NATIVE),
    }
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, target_id=str(candidate.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date_of_birth": str(TODAY + timedelta(days=1))}, "date_of_birth"),
        ({"date_of_birth": str(TODAY - timedelta(days=365 * 10))}, "date_of_birth"),
        (
            {"work_permission": "allowed", "work_permission_valid_until": str(TODAY - timedelta(days=1))},
            "work_permission_valid_until",
        ),
        ({"perspective": "return", "return_country": ""}, "return_country"),
        ({"residence_status": "unknown"}, "residence_status"),
        ({"phone": "call me maybe"}, "phone"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_intake_refuses_bad_input_and_saves_nothing(client, case_worker, overrides, field):
    client.force_login(case_worker)

    response = client.post(reverse("candidates:create"), intake_data(**overrides))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Candidate.objects.exists()


def test_intake_refuses_an_unknown_cefr_level(client, case_worker, german):
    client.force_login(case_worker)
    data = intake_data(**{"languages-0-language": german.pk, "languages-0-level": "9"})

    response = client.post(reverse("candidates:create"), data)

    assert response.status_code == 200
    assert response.context["language_formset"].errors[0]["level"]
    assert not Candidate.objects.exists()
    assert not CandidateLanguage.objects.exists()


def test_a_past_work_permission_date_is_fine_when_not_allowed(client, case_worker):
    client.force_login(case_worker)
    data = intake_data(work_permission="not_allowed", work_permission_valid_until=str(TODAY - timedelta(days=3)))

    client.post(reverse("candidates:create"), data)

    assert Candidate.objects.get().work_permission == WorkPermission.NOT_ALLOWED


# --- duplicates -----------------------------------------------------------------------


def test_intake_warns_about_a_duplicate_and_saves_only_when_confirmed(client, case_worker, candidate):
    client.force_login(case_worker)
    data = intake_data(first_name="amina", last_name="HADDAD", date_of_birth="1995-03-14", email="", phone="")

    response = client.post(reverse("candidates:create"), data)

    assert response.status_code == 200
    assert candidate.get_absolute_url() in response.text
    assert Candidate.objects.count() == 1

    client.post(reverse("candidates:create"), {**data, "confirm_new": "on"})
    assert Candidate.objects.count() == 2


@pytest.mark.parametrize("field", ["email", "phone"])
def test_duplicate_check_finds_the_same_email_or_phone(client, case_worker, field):
    other = CandidateFactory(email="same@example.org", phone="+49 361 999")
    client.force_login(case_worker)
    value = {"email": "SAME@example.org", "phone": "+49 361 999"}[field]

    response = client.post(reverse("candidates:duplicates"), {field: value, "first_name": "X", "last_name": "Y"})

    assert other.get_absolute_url() in response.text


def test_duplicate_check_while_typing_reads_only_what_it_shows(client, case_worker, django_assert_num_queries):
    # The intake asks at every change of a field; the profiles' languages and occupations
    # (which an import compares) are not read for it.
    other = CandidateFactory(email="same@example.org")
    CandidateLanguageFactory(candidate=other)
    client.force_login(case_worker)
    client.post(reverse("candidates:duplicates"), {"email": "same@example.org"})  # session and user warmed up

    # session, user, the possible duplicates with their town, and the audit entry for the one shown
    with django_assert_num_queries(4):
        response = client.post(reverse("candidates:duplicates"), {"email": "same@example.org"})

    assert other.get_absolute_url() in response.text


def test_duplicate_check_is_quiet_for_a_new_person(client, case_worker, candidate):
    client.force_login(case_worker)

    response = client.post(reverse("candidates:duplicates"), {"first_name": "Neue", "last_name": "Person"})

    assert "duplicate-warning" not in response.text


# --- editing in sections and the re-scoring mark ----------------------------------------


SECTION_DATA = {
    "personal": lambda c: {"first_name": "Amina", "last_name": "Haddad-Neu", "date_of_birth": "1995-03-14"},
    "legal": lambda c: {"residence_status": "niederlassungserlaubnis", "work_permission": "allowed"},
    "languages": lambda c: {
        "languages-TOTAL_FORMS": "1",
        "languages-INITIAL_FORMS": "0",
        "languages-0-language": Language.objects.get(code="de").pk,
        "languages-0-level": "4",
    },
    "education": lambda c: {
        "education-TOTAL_FORMS": "1",
        "education-INITIAL_FORMS": "0",
        "education-0-degree_level": "vocational",
        "education-0-field": "Elektrotechnik",
        "education-0-recognition": "in_progress",
        "education-0-year_completed": "2015",
    },
    "experience": lambda c: {
        "experience-TOTAL_FORMS": "1",
        "experience-INITIAL_FORMS": "0",
        "experience-0-job_title": "Schweißer",
        "experience-0-years": "4",
    },
    "profile": lambda c: {
        "desired_working_time": "full",
        "max_commute_km": "40",
        "desired_occupations": [OccupationFactory().pk],
        "skills": [SkillFactory().pk],
    },
    "perspective": lambda c: {"perspective": "return", "return_country": "SY", "status": "active"},
}


@pytest.mark.parametrize("section", SECTION_DATA)
def test_every_section_edit_saves_and_sets_the_rescore_mark(client, case_worker, candidate, german, section):
    Candidate.objects.filter(pk=candidate.pk).update(rescore_requested_at=None)
    client.force_login(case_worker)

    response = client.post(reverse("candidates:edit", args=[candidate.pk, section]), SECTION_DATA[section](candidate))

    assert response.status_code == 302, response.context and (
        response.context.get("form") and response.context["form"].errors,
        response.context.get("formset") and response.context["formset"].errors,
    )
    candidate.refresh_from_db()
    assert candidate.rescore_requested_at is not None


def test_a_work_experience_with_a_job_title_and_no_occupation_shows_on_the_profile(client, case_worker, candidate):
    # The experience form allows a job title without an occupation; the profile must still render.
    client.force_login(case_worker)
    client.post(reverse("candidates:edit", args=[candidate.pk, "experience"]), SECTION_DATA["experience"](candidate))
    assert candidate.experience.get().occupation is None

    response = client.get(reverse("candidates:detail", args=[candidate.pk]))

    assert response.status_code == 200
    assert "Schweißer" in response.content.decode()


def test_a_work_experience_with_an_occupation_and_no_job_title_shows_the_occupation(client, case_worker, candidate):
    welder = OccupationFactory(labels={"de": "Schweißer/in", "en": "welder"})
    candidate.experience.create(occupation=welder, years=2)
    client.force_login(case_worker)

    response = client.get(reverse("candidates:detail", args=[candidate.pk]))

    assert response.status_code == 200
    assert "Schweißer/in" in response.content.decode()


def test_profile_section_saves_occupations_and_skills(client, case_worker, candidate):
    welder, skill = OccupationFactory(labels={"de": "Schweißer/in", "en": "welder"}), SkillFactory()
    client.force_login(case_worker)

    client.post(
        reverse("candidates:edit", args=[candidate.pk, "profile"]),
        {
            "desired_working_time": "full",
            "desired_occupations": [welder.pk],
            "skills": [skill.pk],
            "driving_licences": ["B", "forklift"],
        },
    )

    candidate.refresh_from_db()
    assert list(candidate.desired_occupations.all()) == [welder]
    assert list(candidate.skills.all()) == [skill]
    assert candidate.driving_licences == ["B", "forklift"]


def test_availability_in_the_past_is_refused(client, case_worker, candidate):
    client.force_login(case_worker)

    response = client.post(
        reverse("candidates:edit", args=[candidate.pk, "profile"]),
        {"desired_working_time": "full", "available_from": str(TODAY - timedelta(days=2))},
    )

    assert response.status_code == 200
    assert "available_from" in response.context["form"].errors


def test_a_region_must_lie_in_its_country(client, case_worker, candidate):
    aleppo = Region.objects.create(code="SY-HL", country="SY", name_en="Aleppo", name_de="Aleppo")
    client.force_login(case_worker)

    response = client.post(
        reverse("candidates:edit", args=[candidate.pk, "perspective"]),
        {"perspective": "return", "return_country": "IQ", "return_region": aleppo.pk, "status": "active"},
    )

    assert "return_region" in response.context["form"].errors
    candidate.refresh_from_db()
    assert candidate.perspective != Perspective.RETURN or candidate.return_region is None


# --- notes and consents ----------------------------------------------------------------


def test_a_note_joins_the_timeline(client, case_worker, candidate):
    client.force_login(case_worker)

    client.post(reverse("candidates:note_add", args=[candidate.pk]), {"text": "Termin beim Jobcenter am Montag."})

    note = Note.objects.get()
    assert note.author == case_worker
    assert "Termin beim Jobcenter" in client.get(candidate.get_absolute_url()).text


def test_an_empty_note_is_refused(client, case_worker, candidate):
    client.force_login(case_worker)

    response = client.post(reverse("candidates:note_add", args=[candidate.pk]), {"text": ""})

    assert response.status_code == 400
    assert not Note.objects.exists()
    # Far down the page: the summary above the form takes the focus and leads to the field.
    summary = response.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_text"' in summary


def test_consent_is_given_and_withdrawn_with_timestamps(client, case_worker, candidate, company_a):
    client.force_login(case_worker)
    Candidate.objects.filter(pk=candidate.pk).update(rescore_requested_at=None)

    client.post(
        reverse("candidates:consent_add", args=[candidate.pk]),
        {
            "purpose": "sharing",
            "employer": company_a.pk,
            "wording_version": "2026-01",
            "method": "in_person",
        },
    )
    consent = Consent.objects.get()
    assert (consent.employer, consent.recipient) == (company_a, company_a.name)
    assert consent.given_at is not None
    assert consent.recorded_by == case_worker
    assert consent.is_active

    client.post(reverse("candidates:consent_withdraw", args=[candidate.pk, consent.pk]))
    consent.refresh_from_db()
    first_withdrawal = consent.withdrawn_at
    assert first_withdrawal >= consent.given_at
    assert consent.withdrawn_by == case_worker
    client.post(reverse("candidates:consent_withdraw", args=[candidate.pk, consent.pk]))
    consent.refresh_from_db()
    assert consent.withdrawn_at == first_withdrawal
    candidate.refresh_from_db()
    assert candidate.rescore_requested_at is not None


def test_consent_to_sharing_needs_the_employer(client, case_worker, candidate):
    client.force_login(case_worker)

    response = client.post(
        reverse("candidates:consent_add", args=[candidate.pk]),
        {"purpose": "sharing", "employer": "", "wording_version": "2026-01", "method": "paper"},
    )

    assert response.status_code == 400
    assert not Consent.objects.exists()


def test_consent_of_another_candidate_is_404(client, case_worker, candidate):
    other = CandidateFactory()
    consent = Consent.objects.create(
        candidate=other, purpose="processing", wording_version="v1", method="paper", given_at=timezone.now()
    )
    client.force_login(case_worker)

    response = client.post(reverse("candidates:consent_withdraw", args=[candidate.pk, consent.pk]))

    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


# --- list, filters, query count ---------------------------------------------------------


def names(response) -> set[str]:
    return {c.last_name for c in response.context["page"].object_list}


def test_list_filters(client, case_worker, german, arabic):
    welder = OccupationFactory(labels={"de": "Schweißer/in", "en": "welder"})
    forklift = SkillFactory(labels={"de": "Staplerschein", "en": "forklift licence"})
    a = CandidateFactory(
        last_name="Ahmadi",
        country_of_origin="AF",
        perspective="stay",
        status="active",
        work_permission="allowed",
        available_from=TODAY + timedelta(days=10),
    )
    b = CandidateFactory(
        last_name="Bekele",
        country_of_origin="ER",
        perspective="return",
        return_country="ER",
        status="inactive",
        work_permission="not_allowed",
        available_from=TODAY + timedelta(days=90),
    )
    CandidateLanguage.objects.create(candidate=a, language=german, level=CEFRLevel.B2)
    CandidateLanguage.objects.create(candidate=b, language=german, level=CEFRLevel.A2)
    a.desired_occupations.add(welder)
    b.skills.add(forklift)
    client.force_login(case_worker)
    url = reverse("candidates:list")

    assert names(client.get(url)) == {"Ahmadi", "Bekele"}
    assert names(client.get(url, {"language": german.pk, "min_level": CEFRLevel.B1})) == {"Ahmadi"}
    assert names(client.get(url, {"language": german.pk, "min_level": CEFRLevel.A1})) == {"Ahmadi", "Bekele"}
    assert names(client.get(url, {"occupation": "schweiß"})) == {"Ahmadi"}
    assert names(client.get(url, {"skill": "forklift"})) == {"Bekele"}
    assert names(client.get(url, {"country_of_origin": "ER"})) == {"Bekele"}
    assert names(client.get(url, {"status": "active"})) == {"Ahmadi"}
    assert names(client.get(url, {"perspective": "return"})) == {"Bekele"}
    assert names(client.get(url, {"work_permission": "allowed"})) == {"Ahmadi"}
    assert names(client.get(url, {"available_by": str(TODAY + timedelta(days=30))})) == {"Ahmadi"}
    assert names(client.get(url, {"q": "welder"})) == {"Ahmadi"}
    assert names(client.get(url, {"q": "bekele"})) == {"Bekele"}
    ordered = [c.last_name for c in client.get(url, {"ordering": "-name"}).context["page"].object_list]
    assert ordered == ["Bekele", "Ahmadi"]


def option_groups(html: str, select: str) -> list[tuple[str, list[str]]]:
    """(group label, option texts) of a rendered <select name=...>, in order."""
    body = re.search(rf'<select name="{select}".*?</select>', html, re.DOTALL).group(0)
    return [
        (label, re.findall(r"<option[^>]*>([^<]*)</option>", options))
        for label, options in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', body, re.DOTALL)
    ]


def test_language_filter_lists_the_languages_in_use_first(client, case_worker, german, arabic, settings):
    for code, name in [("vo", "Volapük"), ("ae", "Avestan"), ("tr", "Turkish")]:
        Language.objects.get_or_create(code=code, defaults={"name_en": name, "name_de": name})
    CandidateLanguage.objects.create(candidate=CandidateFactory(), language=german, level=CEFRLevel.B1)
    CandidateLanguage.objects.create(candidate=CandidateFactory(), language=arabic, level=CEFRLevel.NATIVE)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(case_worker)

    response = client.get(reverse("candidates:list"))

    groups = option_groups(response.content.decode(), "language")
    assert [label for label, _options in groups] == ["Languages of the candidates", "All other languages"]
    assert groups[0][1] == ["Arabic", "German"]
    assert {"Avestan", "Turkish", "Volapük"} <= set(groups[1][1])
    assert not {"Arabic", "German"} & set(groups[1][1])
    # A language nobody speaks yet can still be chosen.
    volapuk = Language.objects.get(code="vo")
    assert client.get(reverse("candidates:list"), {"language": volapuk.pk}).context["filter"].is_valid()


def test_list_query_count_does_not_grow_with_the_number_of_languages(client, case_worker, german):
    client.force_login(case_worker)
    few = _list_queries(client, 10, german)
    for number in range(60):
        language = Language.objects.create(code=f"x{number:02d}", name_en=f"L{number}", name_de=f"L{number}")
        CandidateLanguage.objects.create(candidate=CandidateFactory(), language=language, level=CEFRLevel.A1)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("candidates:list"), {"ordering": "name"}).status_code == 200

    assert len(queries) == few


def test_list_filter_by_case_worker(client, case_worker, admin_user):
    CandidateFactory(last_name="Mine", case_worker=case_worker)
    CandidateFactory(last_name="Theirs", case_worker=admin_user)
    client.force_login(case_worker)

    assert names(client.get(reverse("candidates:list"), {"case_worker": case_worker.pk})) == {"Mine"}


def _list_queries(client, count: int, german) -> int:
    Candidate.objects.all().delete()
    occupation = OccupationFactory()
    for _ in range(count):
        candidate = CandidateFactory()
        CandidateLanguage.objects.create(candidate=candidate, language=german, level=CEFRLevel.B1)
        candidate.desired_occupations.add(occupation)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("candidates:list"), {"ordering": "name"})
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_is_the_same_for_10_and_200_candidates(client, case_worker, german):
    client.force_login(case_worker)

    assert _list_queries(client, 10, german) == _list_queries(client, 200, german)


def test_the_case_worker_is_chosen_by_name_not_by_e_mail_address(client, case_worker, admin_user, candidate):
    case_worker.first_name, case_worker.last_name = "Bernd", "Berater"
    case_worker.save(update_fields=["first_name", "last_name"])
    admin_user.first_name = admin_user.last_name = ""  # no name recorded: the address stands for it
    admin_user.save(update_fields=["first_name", "last_name"])
    client.force_login(case_worker)

    form = client.get(reverse("candidates:edit", args=[candidate.pk, "perspective"])).context["form"]
    labels = {label for _value, label in form.fields["case_worker"].choices}

    assert "Bernd Berater" in labels
    assert case_worker.email not in labels
    assert admin_user.email in labels


def test_the_lists_case_worker_filter_names_them_too(client, case_worker, admin_user):
    case_worker.first_name, case_worker.last_name = "Bernd", "Berater"
    case_worker.save(update_fields=["first_name", "last_name"])
    admin_user.first_name = admin_user.last_name = ""
    admin_user.save(update_fields=["first_name", "last_name"])
    client.force_login(case_worker)

    html = client.get(reverse("candidates:list")).content.decode()

    assert f'<option value="{case_worker.pk}">Bernd Berater</option>' in html
    assert f'<option value="{admin_user.pk}">{admin_user.email}</option>' in html
