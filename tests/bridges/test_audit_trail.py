"""What the audit trail records: every view, change, download and refused access of candidate
personal data, with who, what, which record, when and from which IP, and never the data itself.
These are the gaps a probe found (edit sections, admin pages, duplicate check, match lists,
changed fields, admin deletions, refusals)."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from bridges.audit import is_personal, page_label
from bridges.models import AuditEvent
from bridges.services import audit_log
from candidates.forms import SECTIONS
from candidates.models import Candidate
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import PositionFactory
from tests.matching.factories import MatchFactory, introduce
from tests.urlwalk import all_sample_urls

pytestmark = pytest.mark.django_db

PERSONAL_VALUES = ["Samira", "Al-Masri", "samira@example.org", "+49 361 5550111", "1991-04-17", "17.04.1991"]


@pytest.fixture
def candidate(case_worker):
    return CandidateFactory(
        first_name="Samira",
        last_name="Al-Masri",
        email="samira@example.org",
        phone="+49 361 5550111",
        date_of_birth=datetime.date(1991, 4, 17),
        case_worker=case_worker,
    )


def entries(**filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(**filters).order_by("pk"))


def assert_no_personal_data() -> None:
    for event in AuditEvent.objects.all():
        text = f"{event.summary} {event.summary_data} {event.target_id}"
        assert not [value for value in PERSONAL_VALUES if value in text], text


@pytest.mark.parametrize("section", SECTIONS)
def test_opening_an_edit_section_is_recorded_with_the_ip(client, case_worker, candidate, section):
    client.force_login(case_worker)

    response = client.get(reverse("candidates:edit", args=[candidate.pk, section]), REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 200
    [event] = entries(action=AuditEvent.Action.VIEW)
    assert (event.actor, event.target_type, event.target_id) == (case_worker, "candidates.candidate", str(candidate.pk))
    assert event.ip == "203.0.113.9"
    assert section in event.summary
    assert_no_personal_data()


def test_behind_the_proxy_the_ip_is_the_clients_from_the_proxys_header(client, case_worker, candidate, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client.force_login(case_worker)

    client.get(
        reverse("candidates:detail", args=[candidate.pk]),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.23",
    )

    assert [event.ip for event in entries()] == ["198.51.100.23"]


def test_a_change_records_which_fields_changed_not_their_values(client, case_worker, candidate):
    client.force_login(case_worker)

    response = client.post(
        reverse("candidates:edit", args=[candidate.pk, "personal"]),
        {
            "first_name": "Samira",
            "last_name": "Al-Masri",
            "email": "samira@example.org",
            "date_of_birth": "1991-04-18",
            "phone": "+49 361 5550112",
            "place": candidate.place_id,
        },
    )

    assert response.status_code == 302
    [event] = entries(action=AuditEvent.Action.UPDATE)
    assert event.summary == "fields: date_of_birth, phone"
    assert "1991-04-18" not in event.summary
    assert_no_personal_data()


def test_a_changed_language_row_is_named_by_its_section_and_field(client, case_worker, candidate):
    from bridges.models import Language

    language = Language.objects.get_or_create(code="de", defaults={"name_en": "German", "name_de": "Deutsch"})[0]
    client.force_login(case_worker)

    client.post(
        reverse("candidates:edit", args=[candidate.pk, "languages"]),
        {
            "languages-TOTAL_FORMS": "1",
            "languages-INITIAL_FORMS": "0",
            "languages-0-language": language.pk,
            "languages-0-level": "4",
        },
    )

    [event] = entries(action=AuditEvent.Action.UPDATE)
    assert "languages.language" in event.summary
    assert "languages.level" in event.summary


def test_the_duplicate_check_records_each_profile_it_shows(client, case_worker, candidate):
    client.force_login(case_worker)

    response = client.post(
        reverse("candidates:duplicates"),
        {"first_name": "samira", "last_name": "AL-MASRI", "date_of_birth": "1991-04-17"},
    )

    assert candidate.get_absolute_url() in response.text
    [event] = entries()
    assert (event.action, event.target_id) == (AuditEvent.Action.VIEW, str(candidate.pk))
    assert_no_personal_data()


def test_the_match_lists_are_recorded(client, case_worker, candidate):
    match = MatchFactory(candidate=candidate)
    client.force_login(case_worker)

    client.get(reverse("matching:candidate_matches", args=[candidate.pk]))
    client.get(reverse("matching:position_matches", args=[match.position_id]))
    client.get(reverse("matching:overview"))

    recorded = [(event.target_type, event.target_id) for event in entries(action=AuditEvent.Action.VIEW)]
    assert recorded == [
        ("candidates.candidate", str(candidate.pk)),
        ("employers.position", str(match.position_id)),
        ("matching.match", ""),
    ]


def test_the_candidate_list_and_profile_are_recorded_without_names(client, case_worker, candidate):
    client.force_login(case_worker)

    client.get(reverse("candidates:list"))
    client.get(reverse("candidates:detail", args=[candidate.pk]))

    assert [(event.target_id, event.action) for event in entries()] == [("", "view"), (str(candidate.pk), "view")]
    assert_no_personal_data()


# --- refusals -----------------------------------------------------------------------------------


def test_an_employer_refused_a_candidate_page_is_recorded(client, employer_b, candidate):
    client.force_login(employer_b)

    response = client.get(reverse("candidates:detail", args=[candidate.pk]), REMOTE_ADDR="192.0.2.66")

    assert response.status_code == 403
    [event] = entries()
    assert (event.action, event.actor, event.target_id, event.ip) == (
        "refused",
        employer_b,
        str(candidate.pk),
        "192.0.2.66",
    )
    assert "403" in event.summary


def test_a_missing_candidate_and_another_employers_introduction_are_recorded_refusals(
    client, case_worker, employer_b, company_a, candidate
):
    introduction = introduce(candidate=candidate, position=PositionFactory(employer=company_a), actor=case_worker)
    before = AuditEvent.objects.count()
    client.force_login(case_worker)
    assert client.get(reverse("candidates:detail", args=[999_999])).status_code == 404
    client.force_login(employer_b)
    assert client.get(reverse("proposals:detail", args=[introduction.pk])).status_code == 404

    refused = entries(action=AuditEvent.Action.REFUSED)
    assert AuditEvent.objects.count() == before + 2
    assert [(event.actor, event.target_type, event.target_id) for event in refused] == [
        (case_worker, "candidates.candidate", "999999"),
        (employer_b, "matching.introduction", str(introduction.pk)),
    ]


def test_an_employer_refused_the_admins_candidate_page_is_recorded(client, employer_a, candidate):
    client.force_login(employer_a)

    response = client.get(reverse("admin:candidates_candidate_change", args=[candidate.pk]))

    assert response.status_code == 403
    [event] = entries()
    assert (event.action, event.target_type, event.target_id) == ("refused", "candidates.candidate", str(candidate.pk))


def test_a_refused_page_without_personal_data_is_not_recorded(client, employer_a):
    client.force_login(employer_a)

    assert client.get(reverse("employers:staff_employers")).status_code == 403
    assert not AuditEvent.objects.exists()


# --- the admin ----------------------------------------------------------------------------------


def test_the_admins_candidate_list_change_and_history_pages_are_recorded(client, admin_user, candidate):
    client.force_login(admin_user)

    for name, args in [
        ("admin:candidates_candidate_changelist", []),
        ("admin:candidates_candidate_change", [candidate.pk]),
        ("admin:candidates_candidate_history", [candidate.pk]),
        ("admin:candidates_candidate_delete", [candidate.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200

    recorded = [(event.action, event.target_id) for event in entries()]
    assert recorded == [
        ("view", ""),
        ("view", str(candidate.pk)),
        ("view", str(candidate.pk)),
        ("view", str(candidate.pk)),
    ]
    assert_no_personal_data()


def test_a_change_in_the_admin_records_the_changed_fields(client, admin_user, candidate):
    client.force_login(admin_user)
    url = reverse("admin:candidates_candidate_change", args=[candidate.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update(
        {
            f"{prefix}-{key}": value
            for prefix in ["languages", "education", "experience", "consents", "documents"]
            for key, value in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()
        }
    )
    for formset in client.get(url).context["inline_admin_formsets"]:
        data[f"{formset.formset.prefix}-TOTAL_FORMS"] = "0"
        data[f"{formset.formset.prefix}-INITIAL_FORMS"] = "0"
    data.update({"phone": "+49 361 5550999", "date_of_birth": "1991-04-17"})
    data = {key: value for key, value in data.items() if key not in {"skills", "desired_occupations"}}
    views = AuditEvent.objects.count()

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    [event] = AuditEvent.objects.order_by("pk")[views:]
    assert event.action == AuditEvent.Action.UPDATE
    assert "phone" in event.summary
    assert "5550999" not in event.summary


def test_a_deletion_in_the_admin_is_in_the_audit_trail(client, admin_user, candidate):
    client.force_login(admin_user)
    pk = candidate.pk

    response = client.post(reverse("admin:candidates_candidate_delete", args=[pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Candidate.objects.filter(pk=pk).exists()
    [event] = entries(action=AuditEvent.Action.DELETE)
    assert (event.actor, event.target_type, event.target_id) == (admin_user, "candidates.candidate", str(pk))
    assert_no_personal_data()


def test_admins_find_a_candidates_entries_and_a_users_entries(client, admin_user, case_worker, candidate):
    other = CandidateFactory()
    client.force_login(case_worker)
    client.get(reverse("candidates:detail", args=[candidate.pk]))
    client.get(reverse("candidates:detail", args=[other.pk]))
    client.force_login(admin_user)
    changelist = reverse("admin:bridges_auditevent_changelist")

    page = client.get(reverse("admin:candidates_candidate_change", args=[candidate.pk])).text
    about = client.get(changelist, {"target_type": "candidates.candidate", "target_id": candidate.pk})
    by_user = client.get(changelist, {"actor__id__exact": case_worker.pk})
    searched = client.get(changelist, {"q": str(candidate.pk)})

    assert f"target_id={candidate.pk}" in page
    assert {event.target_id for event in about.context["cl"].result_list} == {str(candidate.pk)}
    assert {event.actor for event in by_user.context["cl"].result_list} == {case_worker}
    assert len(by_user.context["cl"].result_list) == 2
    assert {event.target_id for event in searched.context["cl"].result_list} == {str(candidate.pk)}


def test_database_tests_run_as_the_application_role_which_cannot_rewrite_the_trail(case_worker):
    from django.db import DatabaseError, connection, transaction

    audit_log_entry = AuditEvent.objects.create(action="view", target_type="candidates.candidate", target_id="1")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == f"{connection.settings_dict['NAME']}_app"[:63]

    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        AuditEvent.objects.filter(pk=audit_log_entry.pk).update(summary="rewritten")


def test_every_personal_data_page_reads_as_a_name():
    """An entry names its page by URL name ("me:introduction pk=3"): each has a name a person reads."""
    with translation.override("de"):
        pages = {url.name: page_label(url.name) for url in all_sample_urls() if is_personal(url.name)}
        unnamed = sorted(name for name, label in pages.items() if label == name or ":" in label)

        assert not unnamed, f"add these to bridges.audit.PAGE_NAMES: {unnamed}"
        assert page_label("me:introduction pk=3") == "Eigene Ansicht, Vermittlungsvorschlag (Nr. 3)"
        assert page_label("admin:matching_introduction_change") == "Vermittlungsvorschlag (Verwaltung)"
        assert page_label("admin:candidates_candidate_changelist") == "Kandidat/innen (Verwaltung, Liste)"
        assert page_label("matching:explain position=7") == "Treffer, Erklärung (Stelle 7)"


def test_the_audit_list_shows_record_types_and_pages_in_words(client, admin_user, case_worker):
    for target, page in [
        ("matching.allocation", "matching:allocation"),
        ("matching.report", "matching:report"),
        ("matching.introduction", "admin:matching_introduction_change"),
        ("candidates.candidate", "me:introduction pk=3"),
    ]:
        summary = gettext_lazy("page %(page)s")
        audit_log(actor=case_worker, action="view", target=target, summary=summary, params={"page": page})
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    html = client.get(reverse("admin:bridges_auditevent_changelist")).text

    filters = html.split('id="changelist-filter"')[1]
    assert "Vorgeschlagene Zuordnung" in filters
    assert "Bericht für den Fördergeber" in filters
    assert ">matching.allocation<" not in html
    assert ">matching.report<" not in html
    assert "Seite Vermittlungsvorschlag (Verwaltung)" in html
    assert "Seite Eigene Ansicht, Vermittlungsvorschlag (Nr. 3)" in html
    assert "admin:matching_introduction_change" not in html
    assert "me:introduction" not in html
    # What is stored stays as written.
    assert AuditEvent.objects.filter(summary="page me:introduction pk=3").exists()


def test_every_reader_of_an_entry_reads_its_page_by_name(client, case_worker):
    """The admin's list, a company's history and a candidate's data export all read an entry through
    `AuditEvent.summary_text`, which names its page ("Eigene Ansicht, …", not "me:introduction")."""
    candidate = CandidateFactory(case_worker=case_worker)
    audit_log(
        actor=case_worker,
        action="view",
        target=candidate,
        summary=gettext_lazy("page %(page)s"),
        params={"page": "me:introduction pk=3"},
    )
    event = AuditEvent.objects.get(summary="page me:introduction pk=3")
    client.force_login(case_worker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    export = client.get(reverse("candidates:privacy_export_json", args=[candidate.pk])).json()
    with translation.override("de"):
        text = event.summary_text()

    assert text == "Seite Eigene Ansicht, Vermittlungsvorschlag (Nr. 3)"
    assert text in [entry["summary"] for entry in export["sections"]["audit"]]
