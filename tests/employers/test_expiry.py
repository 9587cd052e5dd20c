"""The scheduled task that closes positions past their closing date."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from bridges.celery import app
from employers.models import Position
from employers.tasks import close_expired_positions
from tests.employers.factories import PositionFactory

TASK = "employers.close_expired_positions"
NOW = dt.datetime(2026, 6, 15, 10, 30, tzinfo=ZoneInfo("Europe/Berlin"))
TODAY = NOW.date()
S = Position.Status


@pytest.mark.django_db
def test_positions_past_their_closing_date_are_closed_and_marked_for_rescoring():
    with time_machine.travel(NOW, tick=False):
        expired_open = PositionFactory(status=S.OPEN, expires_on=TODAY - dt.timedelta(days=1))
        expired_paused = PositionFactory(status=S.PAUSED, expires_on=TODAY - dt.timedelta(days=30))
        unchanged = [
            PositionFactory(status=S.OPEN, expires_on=TODAY),
            PositionFactory(status=S.OPEN, expires_on=TODAY + dt.timedelta(days=1)),
            PositionFactory(status=S.OPEN, expires_on=None),
            PositionFactory(status=S.PAUSED, expires_on=TODAY),
            PositionFactory(status=S.DRAFT, expires_on=TODAY - dt.timedelta(days=5)),
            PositionFactory(status=S.FILLED, expires_on=TODAY - dt.timedelta(days=5)),
            PositionFactory(status=S.CLOSED, expires_on=TODAY - dt.timedelta(days=5)),
        ]
        Position.objects.update(rescore_requested_at=None)
        before = {p.pk: (p.status, p.updated_at) for p in Position.objects.filter(pk__in=[u.pk for u in unchanged])}

        closed = close_expired_positions()

    assert closed == 2
    for position in (expired_open, expired_paused):
        position.refresh_from_db()
        assert position.status == S.CLOSED
        assert position.rescore_requested_at == NOW
        assert position.updated_at == NOW
    for position in unchanged:
        position.refresh_from_db()
        assert (position.status, position.updated_at) == before[position.pk]
        assert position.rescore_requested_at is None


@pytest.mark.django_db
def test_the_closing_date_is_inclusive_in_local_time():
    """Shortly after midnight in Berlin (still the previous day in UTC) yesterday's positions close."""
    position = PositionFactory(status=S.OPEN, expires_on=dt.date(2026, 6, 14))
    with time_machine.travel(dt.datetime(2026, 6, 14, 23, 59, tzinfo=ZoneInfo("Europe/Berlin")), tick=False):
        assert close_expired_positions() == 0
        assert Position.objects.public().filter(pk=position.pk).exists()
    with time_machine.travel(dt.datetime(2026, 6, 15, 0, 30, tzinfo=ZoneInfo("Europe/Berlin")), tick=False):
        assert not Position.objects.public().filter(pk=position.pk).exists()
        assert close_expired_positions() == 1
    position.refresh_from_db()
    assert position.status == S.CLOSED


@pytest.mark.django_db
def test_nothing_to_close_returns_zero():
    PositionFactory(status=S.OPEN)
    assert close_expired_positions() == 0


def test_the_task_is_scheduled_by_beat_and_registered_in_the_celery_app():
    assert TASK in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    app.loader.import_default_modules()
    assert TASK in app.tasks
    assert app.tasks[TASK].name == close_expired_positions.name


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_real_worker_closes_expired_positions(celery_worker_process):
    today = timezone.localdate()
    expired = PositionFactory(status=S.OPEN, expires_on=today - dt.timedelta(days=2))
    current = PositionFactory(status=S.OPEN, expires_on=today + dt.timedelta(days=2))

    closed = close_expired_positions.delay().get(timeout=30)

    assert closed == 1
    expired.refresh_from_db()
    current.refresh_from_db()
    assert expired.status == S.CLOSED
    assert expired.rescore_requested_at is not None
    assert current.status == S.OPEN
