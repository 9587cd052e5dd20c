"""The mails through the real Redis broker and worker process: a committed change is sent within
seconds, a rolled-back one never; the beat tasks run in the worker and write their mails once;
the sweep sends what a lost message left.

The worker has its own test mailbox, so these tests read the outbox rows (`sent_at`); what the
mails say is tested in-process in test_notifications.py. A worker killed while it sends loses no
mail and sends none twice.
"""

import datetime
import email
import os
import signal
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bridges.celery import app as celery_app
from bridges.models import Notification
from bridges.notifications import message_id
from matching.notifications import DIGEST, INTRODUCTION_NEW
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import PositionFactory
from tests.matching.factories import MatchFactory, introduce
from tests.matching.test_worker import own_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition, *, timeout: float = 20, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"not within {timeout} s: {message}")


def test_a_committed_introduction_is_mailed_by_the_worker(celery_worker_process, company_a, employer_a, case_worker):
    candidate = CandidateFactory(case_worker=case_worker)

    introduce(candidate=candidate, position=PositionFactory(employer=company_a), actor=case_worker)

    row = Notification.objects.get(template=INTRODUCTION_NEW)
    assert row.recipient == employer_a
    wait_for(lambda: Notification.objects.get(pk=row.pk).sent_at is not None, message="the worker sends the mail")
    assert Notification.objects.get(pk=row.pk).attempts == 1


def test_a_rolled_back_introduction_is_never_mailed(celery_worker_process, company_a, employer_a, case_worker):
    candidate = CandidateFactory(case_worker=case_worker)

    position = PositionFactory(employer=company_a)

    def request_that_fails() -> None:
        with transaction.atomic():
            introduce(candidate=candidate, position=position, actor=case_worker)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        request_that_fails()

    # A task that was queued would have run within this time.
    assert celery_app.send_task("bridges.ping", args=["after"]).get(timeout=20)["token"] == "after"
    assert not Notification.objects.exists()


def test_the_digest_runs_in_the_worker_once(celery_worker_process, company_a, case_worker):
    candidate = CandidateFactory(case_worker=case_worker)
    MatchFactory(candidate=candidate, position=PositionFactory(employer=company_a), score=91)

    assert celery_app.send_task("matching.digest").get(timeout=30) == 1
    assert celery_app.send_task("matching.digest").get(timeout=30) == 0

    row = Notification.objects.get(template=DIGEST)
    assert row.recipient == case_worker
    wait_for(lambda: Notification.objects.get(pk=row.pk).sent_at is not None, message="the worker sends the digest")


def test_the_sweep_sends_what_a_lost_message_left(celery_worker_process, case_worker):
    # A row whose message never reached the broker (written without queueing it).
    row = Notification.objects.create(
        recipient=case_worker,
        template=INTRODUCTION_NEW,
        context={"introduction_id": 1, "position": "Lager", "employer": "Firma", "url": "http://x/", "case_worker": ""},
    )
    Notification.objects.filter(pk=row.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=10))

    assert celery_app.send_task("bridges.send_pending_notifications").get(timeout=30) == 1

    assert Notification.objects.get(pk=row.pk).sent_at is not None


def _mails(folder: Path) -> list[email.message.Message]:
    return [email.message_from_bytes(path.read_bytes()) for path in sorted(folder.glob("*.eml"))]


def test_a_worker_killed_while_sending_loses_no_mail_and_sends_none_twice(case_worker, tmp_path):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "needs a real broker (REDIS_URL)"
    row = Notification.objects.create(
        recipient=case_worker,
        template=INTRODUCTION_NEW,
        context={"introduction_id": 1, "position": "Lager", "employer": "Firma", "url": "http://x/", "case_worker": ""},
    )
    Notification.objects.filter(pk=row.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=10))
    row.refresh_from_db()
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    mail = {"BRIDGES_TEST_EMAIL_BACKEND": "tests.mail.PausingFileBackend", "BRIDGES_TEST_MAIL_DIR": str(outbox)}
    queue = f"mail-lost-test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "workers.log"

    with own_worker(queue, log, **mail, BRIDGES_TEST_MAIL_PAUSE="120") as doomed:
        celery_app.send_task("bridges.send_notification", args=[row.pk], queue=queue)
        wait_for(lambda: list(outbox.glob("sending-*")), message="the worker is in the middle of sending")
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)

    assert _mails(outbox) == []
    row.refresh_from_db()
    assert row.sent_at is None  # the killed worker's transaction never committed
    with own_worker(queue, log, **mail):
        # The sweep (beat, every few minutes) sends it; the message the broker gives back later finds it sent.
        assert celery_app.send_task("bridges.send_pending_notifications", queue=queue).get(timeout=60) == 1
        assert celery_app.send_task("bridges.send_notification", args=[row.pk], queue=queue).get(timeout=60) is False
        assert celery_app.send_task("bridges.send_pending_notifications", queue=queue).get(timeout=60) == 0

    sent = _mails(outbox)
    assert len(sent) == 1
    assert sent[0]["To"] == case_worker.email
    assert sent[0]["Message-ID"] == message_id(row)
    row.refresh_from_db()
    assert row.sent_at is not None
