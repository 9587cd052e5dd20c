"""A task travels through the real Redis broker to a real worker process and back."""

import os
import uuid

import pytest
from django.conf import settings

from bridges.tasks import ping

pytestmark = pytest.mark.worker


def test_task_runs_in_a_real_worker_process(celery_worker_process):
    token = uuid.uuid4().hex

    result = ping.delay(token).get(timeout=30)

    assert not settings.CELERY_TASK_ALWAYS_EAGER
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert result["token"] == token
    assert result["pid"] == celery_worker_process.pid
    assert result["pid"] != os.getpid()
    assert result["database"] is True
