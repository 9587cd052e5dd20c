"""Retention: the nightly task flags candidates without activity for RETENTION_FLAG_AFTER_DAYS to
their case worker, clears the flag on new activity, and anonymises those flagged for longer than
RETENTION_ERASE_AFTER_DAYS. Frozen clocks on both sides of each limit; run through the real task."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from bridges.models import AuditEvent
from candidates import services, tasks
from candidates.models import Candidate, Consent, SupportMeasure
from tests.candidates.factories import CandidateFactory, ConsentFactory
from tests.employers.factories import PositionFactory
from tests.matching.factories import introduce

pytestmark = pytest.mark.django_db

# UTC: wall-clock arithmetic in Berlin would shift the limits by the summer-time hour.
START = datetime.datetime(2024, 1, 10, 9, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.RETENTION_FLAG_AFTER_DAYS = 730
    settings.RETENTION_ERASE_AFTER_DAYS = 90


FLAG_AT = START + datetime.timedelta(days=730)


def sweep(at: datetime.datetime) -> dict:
    with time_machine.travel(at, tick=False):
        return tasks.retention_sweep.apply().get()


def at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def inactive(case_worker):
    with at(START):
        return CandidateFactory(case_worker=case_worker, last_name="Quasthoff")


def state(candidate) -> tuple:
    candidate.refresh_from_db()
    return candidate.retention_flagged_at, candidate.erased_at


def test_flagged_only_after_the_period_without_activity(inactive):
    assert sweep(FLAG_AT - MINUTE) == {"cleared": 0, "flagged": 0, "erased": 0, "audit_purged": 0}
    assert state(inactive) == (None, None)

    assert sweep(FLAG_AT + MINUTE) == {"cleared": 0, "flagged": 1, "erased": 0, "audit_purged": 0}
    assert state(inactive) == (FLAG_AT + MINUTE, None)
    # Idempotent: the flag keeps its first time.
    assert sweep(FLAG_AT + 2 * MINUTE) == {"cleared": 0, "flagged": 0, "erased": 0, "audit_purged": 0}
    assert state(inactive) == (FLAG_AT + MINUTE, None)


def test_anonymised_only_after_the_further_period(inactive):
    sweep(FLAG_AT + MINUTE)
    erase_at = FLAG_AT + MINUTE + datetime.timedelta(days=90)

    assert sweep(erase_at - MINUTE)["erased"] == 0
    assert state(inactive)[1] is None

    assert sweep(erase_at) == {"cleared": 0, "flagged": 0, "erased": 1, "audit_purged": 0}
    inactive.refresh_from_db()
    assert inactive.erased_at == erase_at
    assert inactive.last_name == ""
    assert inactive.retention_flagged_at is None
    erasure = AuditEvent.objects.get(action=AuditEvent.Action.DELETE, target_id=str(inactive.pk))
    assert erasure.actor is None
    assert "retention period passed" in erasure.summary
    # Idempotent: a later run finds nothing more to do.
    assert sweep(erase_at + datetime.timedelta(days=1)) == {"cleared": 0, "flagged": 0, "erased": 0, "audit_purged": 0}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).count() == 1


def _update(candidate, case_worker):
    candidate.phone = "+49 361 123"
    services.candidate_save(candidate=candidate, actor=case_worker)


def _consent(candidate, case_worker):
    services.consent_give(
        candidate=candidate,
        purpose=Consent.Purpose.PROCESSING,
        wording_version="2026",
        method="paper",
        actor=case_worker,
    )


def _withdrawal(candidate, case_worker):
    services.consent_withdraw(consent=Consent.objects.get(candidate=candidate), actor=case_worker)


def _measure(candidate, case_worker):
    SupportMeasure.objects.create(
        candidate=candidate,
        kind="travel",
        title="Fahrt",
        start_date=datetime.date(2026, 2, 1),
        planned_cost=Decimal("20"),
        planned_by=case_worker,
    )


def _introduction(candidate, case_worker):
    introduce(candidate=candidate, position=PositionFactory(), actor=case_worker)


@pytest.mark.parametrize("activity", [_update, _consent, _withdrawal, _measure, _introduction])
def test_activity_after_the_flag_clears_it_and_prevents_the_erasure(inactive, case_worker, activity):
    with at(START):
        ConsentFactory(candidate=inactive, purpose=Consent.Purpose.PROCESSING, employer=None, recipient="")
    sweep(FLAG_AT + MINUTE)
    assert state(inactive)[0] is not None
    with at(FLAG_AT + datetime.timedelta(days=10)):
        activity(Candidate.objects.get(pk=inactive.pk), case_worker)

    assert sweep(FLAG_AT + datetime.timedelta(days=11))["cleared"] == 1
    assert state(inactive) == (None, None)
    assert sweep(FLAG_AT + datetime.timedelta(days=200))["erased"] == 0
    assert state(inactive) == (None, None)
    # Without further activity, flagged again one period after it.
    assert sweep(FLAG_AT + datetime.timedelta(days=10 + 730) + MINUTE)["flagged"] == 1


def test_activity_before_the_limit_keeps_a_candidate_unflagged(inactive, case_worker):
    with at(FLAG_AT - datetime.timedelta(days=1)):
        _measure(inactive, case_worker)
    assert sweep(FLAG_AT + MINUTE)["flagged"] == 0
    assert state(inactive) == (None, None)


def test_the_case_worker_sees_flagged_candidates_on_the_dashboard(client, inactive, case_worker, admin_user):
    sweep(FLAG_AT + MINUTE)
    client.force_login(case_worker)
    html = client.get(reverse("matching:dashboard")).content.decode()
    assert html.count('data-testid="retention-flagged"') == 1
    assert inactive.get_absolute_url() in html
    assert 'data-testid="retention-flag"' in client.get(inactive.get_absolute_url()).content.decode()
    # Another case worker's dashboard does not list them.
    client.force_login(admin_user)
    assert 'data-testid="retention-flagged"' not in client.get(reverse("matching:dashboard")).content.decode()


def test_the_sweep_is_scheduled_nightly_by_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["candidates-retention-sweep"]
    assert entry["task"] == "candidates.retention_sweep"
    assert entry["schedule"].hour == {4}


def test_the_same_job_deletes_the_audit_entries_past_their_retention_period(case_worker, settings):
    settings.AUDIT_RETENTION_DAYS = 730  # the database's floor, set by migrate from the same default
    now = datetime.datetime.now(tz=datetime.UTC)
    limit = now - datetime.timedelta(days=730)
    hour = datetime.timedelta(hours=1)
    entries = {}
    for name, moment in {"older": limit - hour, "younger": limit + hour, "today": now}.items():
        with at(moment):
            entries[name] = AuditEvent.objects.create(
                actor=case_worker, action=AuditEvent.Action.VIEW, target_type="candidates.candidate", target_id="1"
            )

    result = tasks.retention_sweep.apply().get()

    assert result["audit_purged"] == 1
    assert not AuditEvent.objects.filter(pk=entries["older"].pk).exists()
    assert AuditEvent.objects.filter(pk__in=[entries["younger"].pk, entries["today"].pk]).count() == 2
    assert tasks.retention_sweep.apply().get()["audit_purged"] == 0  # idempotent
