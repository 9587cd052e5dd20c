"""With Redis unreachable (the cache and the broker pointed at a closed port) people still log in,
reset passwords, open pages and save records; /healthz says what is down with a 503 and JSON."""

import logging
import re
import socket
from contextlib import closing, contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from bridges.celery import app as celery_app
from bridges.models import Notification
from candidates.models import Candidate
from employers.models import Position
from matching.models import MatchRun
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import MembershipFactory, PositionFactory, position_form_data
from tests.login import login
from tests.matching.factories import introduce
from tests.matching.test_worker import broker_at

pytestmark = pytest.mark.django_db


def closed_port_url() -> str:
    """A Redis URL on a local port that nothing listens on (bound once by us, then released)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@contextmanager
def redis_unreachable():
    """The configured cache backend and the Celery broker, both at a closed port."""
    url = closed_port_url()
    cache = {**settings.CACHES["default"], "LOCATION": url}
    with override_settings(CACHES={"default": cache}), broker_at(url):
        yield url


@pytest.fixture
def redis_down():
    with redis_unreachable() as url:
        yield url


def test_login_works_without_redis(client, case_worker, redis_down):
    response = login(client, case_worker.email)

    assert response.status_code == 302
    assert response.url == reverse("matching:dashboard")
    assert client.session["_auth_user_id"] == str(case_worker.pk)


def test_failed_logins_are_still_limited_without_redis(client, case_worker, redis_down):
    # The limit is 5 failures per 5 minutes for one address; the process keeps counting meanwhile.
    for _attempt in range(5):
        assert login(client, case_worker.email, "wrong-password").status_code == 200

    response = login(client, case_worker.email)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_works_without_redis(client, case_worker, redis_down):
    response = client.post(reverse("account_reset_password"), {"email": case_worker.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1

    link = re.search(r"https?://testserver(/\S+)", mail.outbox[-1].body).group(1)
    set_password_url = client.get(link).url
    response = client.post(set_password_url, {"password1": "brand-new-passphrase", "password2": "brand-new-passphrase"})

    assert response.status_code == 302
    assert login(client, case_worker.email, "brand-new-passphrase").url == reverse("matching:dashboard")


def test_pages_render_without_redis(client, case_worker, redis_down):
    assert client.get(reverse("account_login")).status_code == 200
    assert client.get(reverse("jobs:list")).status_code == 200
    client.force_login(case_worker)
    assert client.get(reverse("matching:dashboard")).status_code == 200
    assert client.get(reverse("candidates:list")).status_code == 200


def test_saving_a_candidate_without_redis_keeps_the_rescore_mark(
    client, case_worker, redis_down, django_capture_on_commit_callbacks, caplog
):
    candidate = CandidateFactory(first_name="Amina", last_name="Haddad")
    Candidate.objects.filter(pk=candidate.pk).update(rescore_requested_at=None)
    client.force_login(case_worker)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("candidates:edit", args=[candidate.pk, "personal"]),
            {"first_name": "Amina", "last_name": "Haddad-Neu", "date_of_birth": "1995-03-14"},
        )

    assert response.status_code == 302
    assert callbacks, "the save queued its rescore after commit"
    assert "could not queue matching.rescore_candidate" in caplog.text
    candidate.refresh_from_db()
    assert candidate.last_name == "Haddad-Neu"
    assert candidate.rescore_requested_at is not None  # the sweep picks it up


def test_saving_a_position_without_redis_keeps_the_rescore_mark(
    client, employer_a, redis_down, django_capture_on_commit_callbacks, caplog
):
    position = PositionFactory(employer=MembershipFactory(user=employer_a).employer)
    client.force_login(employer_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("employers:position_edit", args=[position.pk]),
            position_form_data(occupation=position.occupation, title="Schweißer/in Nachtschicht"),
        )

    assert response.status_code == 302
    assert "could not queue matching.rescore_position" in caplog.text
    position.refresh_from_db()
    assert position.title == "Schweißer/in Nachtschicht"
    assert position.status == Position.Status.OPEN
    assert position.rescore_requested_at is not None


def test_an_unreachable_cache_is_logged_once_without_a_traceback(client, case_worker, redis_down, caplog):
    caplog.set_level(logging.WARNING)

    for _attempt in range(3):
        login(client, case_worker.email, "wrong-password")
    client.get(reverse("account_login"))

    about_cache = [record for record in caplog.records if record.name.startswith("bridges.cache")]
    assert len(about_cache) == 1
    assert about_cache[0].levelno == logging.WARNING
    assert about_cache[0].exc_info is None
    assert "Connection refused" in about_cache[0].getMessage()


@pytest.mark.django_db(transaction=True)  # the database check runs in a thread of its own
def test_healthz_reports_cache_and_broker_down_with_503_and_json(client, redis_down, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "OK"
    assert body["checks"]["cache"] == "Unavailable: Redis unreachable"
    assert body["checks"]["broker"].startswith("Unavailable: Unable to connect to Redis")
    failed = [record for record in caplog.records if record.name == "health_check"]
    assert len(failed) == 2
    assert all(record.exc_info is None for record in failed)  # monitors poll: one line each, no traceback


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_everything_asked_for_while_redis_was_down_is_done_once_it_is_back(
    client, case_worker, employer_a, celery_worker_process, caplog
):
    """Five saves and two introductions while Redis is unreachable: five rescore requests and two
    mails recorded in the database, none queued. Redis back, beat's sweeps do all seven."""
    candidates = CandidateFactory.create_batch(4)
    position = PositionFactory(employer=MembershipFactory(user=employer_a).employer)
    Candidate.objects.update(rescore_requested_at=None)
    Position.objects.update(rescore_requested_at=None)
    before = Notification.objects.count()

    with redis_unreachable(), caplog.at_level(logging.WARNING):
        client.force_login(case_worker)
        for candidate in candidates:
            response = client.post(
                reverse("candidates:edit", args=[candidate.pk, "personal"]),
                {"first_name": candidate.first_name, "last_name": "Neu", "date_of_birth": "1990-01-01"},
            )
            assert response.status_code == 302
        for candidate in candidates[:2]:
            introduce(candidate=candidate, position=position, actor=case_worker)
        client.force_login(employer_a)
        response = client.post(
            reverse("employers:position_edit", args=[position.pk]),
            position_form_data(occupation=position.occupation, title="Lagerist/in"),
        )
        assert response.status_code == 302

    marked = set(Candidate.objects.filter(rescore_requested_at__isnull=False).values_list("pk", flat=True))
    assert marked == {candidate.pk for candidate in candidates}
    assert Position.objects.get(pk=position.pk).rescore_requested_at is not None
    unsent = Notification.objects.filter(sent_at__isnull=True)
    assert Notification.objects.count() - before == unsent.count() == 2  # one per introduction, to employer_a
    assert caplog.text.count("could not queue") >= 5 + 2

    # Redis is back: the periodic sweeps, as beat sends them, in the real worker.
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=10))  # past the sweep's grace
    run_ids = celery_app.send_task("matching.sweep").get(timeout=60)
    sent = celery_app.send_task("bridges.send_pending_notifications").get(timeout=60)

    runs = MatchRun.objects.filter(pk__in=run_ids)
    assert {run.status for run in runs} == {MatchRun.Status.SUCCEEDED}
    assert not Candidate.objects.filter(rescore_requested_at__isnull=False).exists()  # 5 asked, 5 done
    assert not Position.objects.filter(rescore_requested_at__isnull=False).exists()
    assert sent == 2
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert celery_app.send_task("bridges.send_pending_notifications").get(timeout=60) == 0  # none twice
