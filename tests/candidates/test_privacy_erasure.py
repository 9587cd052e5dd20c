"""Erasure (GDPR Art. 17): a candidate is anonymised on request; personal data, free text and
documents go (a real pg_dump and the media folder prove it), the statistics stay, the candidate is
no longer matched; the page asks for a reason and a confirmation; the admin has the same action."""

import datetime
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from bridges.models import AuditEvent, Notification
from candidates import privacy
from candidates.models import Candidate, Document, Note, Status, SupportMeasure
from matching import services as matching_services
from matching.models import AllocationPair, FollowUp, Introduction, IntroductionEvent, Match, MatchDecision, Placement
from tests.candidates import subject
from tests.candidates.factories import CandidateFactory

pytestmark = [pytest.mark.usefixtures("private_media")]


@pytest.fixture
def person(case_worker, company_a):
    return subject.make_subject(case_worker=case_worker, company=company_a)


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def _media_hits(root: Path) -> list[str]:
    hits = []
    for path in _files(root):
        content = path.read_bytes()
        for secret in subject.SECRETS:
            if secret.encode() in content or secret.lower() in str(path).lower():
                hits.append(f"{path}: {secret}")
    return hits


def _pg_dump() -> str:
    """A plain-format dump of the test database, as an operator would take it."""
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    command = ["/usr/bin/pg_dump", "--format=plain", "--no-owner", "--dbname", db["NAME"]]
    command += ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        command += ["--username", db["USER"]]
    result = subprocess.run(command, env=env, capture_output=True, check=True, timeout=120)
    return result.stdout.decode("utf-8")


@pytest.mark.django_db(transaction=True)
def test_after_erasure_a_pg_dump_and_the_media_folder_hold_nothing_of_the_person(case_worker, company_a, private_media):
    person = subject.make_subject(case_worker=case_worker, company=company_a)
    before = _pg_dump()
    # The test can fail: before the erasure every value is in the dump, the document on disk.
    assert all(secret in before for secret in subject.SECRETS if secret != subject.DOCUMENT_MARKER), [
        secret for secret in subject.SECRETS if secret not in before
    ]
    assert _media_hits(private_media)

    assert privacy.erase_candidate(candidate=person, actor=case_worker, reason="Antrag vom 3. November")

    dump = _pg_dump()
    hits = {secret: dump.count(secret) for secret in subject.SECRETS}
    hits_ci = {secret: dump.lower().count(secret.lower()) for secret in subject.SECRETS}
    assert sum(hits.values()) == 0, hits
    assert sum(hits_ci.values()) == 0, hits_ci
    assert _media_hits(private_media) == []
    assert _files(private_media) == []
    assert Candidate.objects.filter(pk=person.pk).exists()  # the anonymous record stays


@pytest.mark.django_db
def test_erasure_keeps_what_the_statistics_count(person, case_worker):
    introductions = Introduction.objects.filter(candidate=person)
    stages = list(introductions.values_list("stage", "reached_stage"))
    placement = Placement.objects.get(candidate=person)
    measure = SupportMeasure.objects.get(candidate=person)

    privacy.erase_candidate(candidate=person, actor=case_worker, reason="Antrag")

    person.refresh_from_db()
    assert person.erased_at is not None
    assert (person.first_name, person.last_name, person.email, person.phone, person.street) == ("", "", "", "", "")
    assert person.postal_code == ""
    assert person.place_id is None
    assert person.support_needs_note == ""
    # Age band: the year stays, the day goes.
    assert person.date_of_birth == datetime.date(1987, 7, 1)
    assert (person.gender, person.nationality.code, person.country_of_origin.code) == ("female", "SY", "SY")
    assert person.languages.count() == 1
    assert person.status == Status.INACTIVE
    assert str(person.pk) in person.full_name
    assert list(introductions.values_list("stage", "reached_stage")) == stages
    assert Placement.objects.get(pk=placement.pk).start_date == placement.start_date
    measure.refresh_from_db()
    assert (measure.actual_cost, measure.status, measure.over_budget_reason) == (
        Decimal("430.00"),
        SupportMeasure.Status.DONE,
        "",
    )
    assert subject.FIRST not in measure.title
    assert FollowUp.objects.filter(placement=placement).count() == 2
    assert not FollowUp.objects.filter(placement=placement).exclude(note="").exists()
    assert not Note.objects.filter(candidate=person).exists()
    assert person.consents.exists()
    assert not person.consents.active().exists()  # the employer no longer sees a shared profile
    assert not Document.objects.filter(candidate=person).exists()
    assert not MatchDecision.objects.filter(candidate=person).exclude(note="").exists()
    assert not IntroductionEvent.objects.filter(introduction__candidate=person).exclude(comment="").exists()
    assert not introductions.exclude(message="").exists()
    assert person.education.get().institution == ""
    assert person.experience.get().employer_name == ""


@pytest.mark.django_db
def test_the_funders_report_and_its_anonymised_rows_are_the_same_after_erasure(person, case_worker):
    from matching.fairness import fairness_tables
    from matching.report import report_build
    from matching.report_rows import anonymised_rows
    from matching.report_scope import ReportFilters

    today = timezone.localdate()
    period = ReportFilters(start=datetime.date(today.year, 1, 1), end=datetime.date(today.year, 12, 31))
    before = (report_build(period), fairness_tables(period), list(anonymised_rows(period)))

    privacy.erase_candidate(candidate=person, actor=case_worker, reason="Antrag")

    after = (report_build(period), fairness_tables(period), list(anonymised_rows(period)))
    assert after[1] == before[1]
    assert after[2] == before[2]
    assert after[0] == before[0]
    assert after[2]  # the test can fail: the person is in the rows


@pytest.mark.django_db
def test_erasure_scrubs_audit_summaries_admin_log_and_outbox_but_keeps_who_did_what(person, case_worker):
    about = AuditEvent.objects.filter(privacy.subject_audit_q(person))
    entries = list(about.values_list("pk", "actor_id", "action", "target_type", "target_id", "at"))
    assert any(subject.FIRST in summary for summary in about.values_list("summary", flat=True))
    assert any(subject.FIRST in str(n.context) for n in Notification.objects.all())

    privacy.erase_candidate(candidate=person, actor=case_worker, reason=f"Antrag von {subject.FIRST}")

    kept = AuditEvent.objects.filter(pk__in=[row[0] for row in entries])
    fields = ("pk", "actor_id", "action", "target_type", "target_id", "at")
    assert list(kept.order_by("pk").values_list(*fields)) == sorted(entries)
    for event in AuditEvent.objects.all():
        text = f"{event.summary} {event.summary_data} {event.summary_text()}"
        for secret in subject.SECRETS:
            assert secret not in text, (event.pk, text)
    erasure = AuditEvent.objects.get(action=AuditEvent.Action.DELETE, target_id=str(person.pk))
    assert erasure.actor == case_worker
    assert erasure.summary == f"personal data erased: Antrag von {privacy.ERASED}"
    for entry in LogEntry.objects.all():
        assert subject.FIRST not in entry.object_repr
        assert subject.EMAIL not in entry.change_message
    for notification in Notification.objects.all():
        assert subject.FIRST not in str(notification.context)
        assert subject.LAST not in str(notification.context)


@pytest.mark.django_db
def test_erasure_is_idempotent(person, case_worker):
    assert privacy.erase_candidate(candidate=person, actor=case_worker, reason="Antrag") is True
    erased_at = Candidate.objects.get(pk=person.pk).erased_at
    count = AuditEvent.objects.count()

    assert privacy.erase_candidate(candidate=person, actor=case_worker, reason="Antrag") is False

    assert Candidate.objects.get(pk=person.pk).erased_at == erased_at
    assert AuditEvent.objects.count() == count


@pytest.mark.django_db
def test_an_erasure_needs_a_reason(case_worker):
    candidate = CandidateFactory()
    with pytest.raises(ValueError, match="reason"):
        privacy.erase_candidate(candidate=candidate, actor=case_worker, reason="  ")
    candidate.refresh_from_db()
    assert candidate.erased_at is None


@pytest.mark.django_db
def test_a_rolled_back_erasure_keeps_data_and_files(person, case_worker, private_media):
    files = _files(private_media)
    assert files

    def erase_then_fail() -> None:
        with transaction.atomic():
            privacy.erase_candidate(candidate=person, actor=case_worker, reason="Antrag")
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError, match="rolled back"):
        erase_then_fail()

    person.refresh_from_db()
    assert person.last_name == subject.LAST
    assert _files(private_media) == files
    assert Document.objects.filter(candidate=person).count() == 1


@pytest.mark.django_db
def test_an_erased_candidate_is_no_longer_matched(person, case_worker):
    assert Match.objects.filter(candidate=person).exists()
    assert AllocationPair.objects.filter(candidate=person).exists()

    privacy.erase_candidate(candidate=person, actor=case_worker, reason="Antrag")
    matching_services.rescore_candidate(candidate_id=person.pk)
    matching_services.rescore_all()

    assert not Match.objects.filter(candidate=person).exists()
    assert not AllocationPair.objects.filter(candidate=person).exists()  # the stored suggestion named them


# --- the page ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_the_page_confirms_asks_for_a_reason_and_erases_on_post(client, personas, persona):
    candidate = CandidateFactory(last_name="Quasthoff-Oyelaran")
    url = reverse("candidates:erase", args=[candidate.pk])
    client.force_login(personas[persona])

    page = client.get(url)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert b'name="reason"' in page.content
    candidate.refresh_from_db()
    assert candidate.erased_at is None  # a GET only asks

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    candidate.refresh_from_db()
    assert candidate.erased_at is None

    done = client.post(url, {"reason": "Antrag per Brief"})
    assert done.status_code == 302
    assert done.url == candidate.get_absolute_url()
    candidate.refresh_from_db()
    assert candidate.erased_at is not None
    assert candidate.last_name == ""
    detail = client.get(candidate.get_absolute_url())
    assert b'data-testid="erased"' in detail.content
    assert b"Quasthoff" not in detail.content
    # Erased once: the page now only says so, and the sections cannot be edited.
    assert client.get(url).status_code == 302
    assert client.get(reverse("candidates:edit", args=[candidate.pk, "personal"])).status_code == 302


@pytest.mark.django_db
def test_the_admin_action_asks_for_a_reason_and_erases(client, admin_user):
    first, second = CandidateFactory(last_name="Quasthoff"), CandidateFactory(last_name="Oyelaran")
    client.force_login(admin_user)
    url = reverse("admin:candidates_candidate_changelist")
    selection = {"action": "erase_selected", "_selected_action": [first.pk, second.pk]}

    ask = client.post(url, selection)
    assert ask.status_code == 200
    assert b'name="reason"' in ask.content
    assert not Candidate.objects.filter(erased_at__isnull=False).exists()

    done = client.post(url, {**selection, "apply": "1", "reason": "Antrag"})
    assert done.status_code == 302
    assert Candidate.objects.filter(erased_at__isnull=False).count() == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, actor=admin_user).count() == 2
