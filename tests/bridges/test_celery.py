"""A task travels through the real Redis broker to a real worker process and back."""

import os
import uuid

import pytest
from celery.exceptions import TimeoutError as ResultTimeout
from django.conf import settings

from bridges.tasks import ping

# The worker runs against the test database, which exists only if a test asks for the database.
pytestmark = [pytest.mark.worker, pytest.mark.django_db]


def test_task_runs_in_a_real_worker_process(celery_worker_process):
    token = uuid.uuid4().hex

    result = ping.delay(token).get(timeout=30)

    assert not settings.CELERY_TASK_ALWAYS_EAGER
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert result["token"] == token
    assert result["pid"] == celery_worker_process.pid
    assert result["pid"] != os.getpid()
    assert result["database"] is True


def test_a_task_queued_outside_a_worker_test_never_runs(celery_worker_session, request):
    """The worker runs for the whole session but consumes only inside tests that ask for it: a
    stray task (from a test whose writes are rolled back) would commit rows into the database."""
    stray = ping.delay("stray")
    with pytest.raises(ResultTimeout):
        stray.get(timeout=2)

    request.getfixturevalue("celery_worker_process")  # from now on it consumes; the stray is dropped first

    assert ping.delay("next").get(timeout=30)["token"] == "next"
    assert stray.state == "PENDING"
