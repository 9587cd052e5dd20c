"""PostgreSQL restarted under the portal (every connection to it terminated, as a restart or a
failover does): the request that was using its connection fails cleanly, with the portal's error
page and no traceback; the next requests succeed on a new connection without restarting anything,
persistent connections included (CONN_HEALTH_CHECKS); a task whose connection broke is tried
again with a delay and finishes."""

import time
from contextlib import closing, contextmanager
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.utils import timezone

from bridges import backup
from bridges.celery import app as celery_app
from candidates import selectors as candidate_selectors
from candidates.models import Candidate
from matching import services
from matching.models import Match, MatchRun
from tests.matching.test_pipeline import build_population
from tests.matching.test_worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _admin():
    """A session of its own (the one that terminates the others)."""
    return closing(backup.connect(connection.settings_dict, autocommit=True))


def terminate(pids) -> int:
    """pg_terminate_backend on these server processes, as a restart does to all of them."""
    with _admin() as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM unnest(%s::int[]) AS p(pid)", [list(pids)]
        )
        return cursor.fetchone()[0]


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


class Browser:
    """Requests through Django's WSGI handler, as gunicorn sends them: unlike the test client, the
    handler's request_started/finished signals run, which is where Django checks, keeps or closes
    its connection between requests."""

    def __init__(self, client) -> None:
        self.cookies = SimpleCookie()
        self.cookies.load({name: morsel.value for name, morsel in client.cookies.items()})
        self.handler = WSGIHandler()

    def get(self, path: str) -> tuple[int, str]:
        cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in self.cookies.items())
        environ = RequestFactory().get(path, HTTP_COOKIE=cookie).environ
        status: list[str] = []
        body = b"".join(self.handler(environ, lambda line, headers, exc_info=None: status.append(line)))
        return int(status[0].split()[0]), body.decode()


@pytest.fixture
def persistent_connections():
    """CONN_MAX_AGE as in production with persistent connections; the setting under test on."""
    saved = {key: connection.settings_dict[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.settings_dict.update(
        CONN_MAX_AGE=600, CONN_HEALTH_CHECKS=settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    )
    connection.close()
    yield
    connection.settings_dict.update(saved)
    connection.close()


def test_health_checks_are_on_by_default():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_after_a_restart_the_next_request_gets_a_new_connection(client, case_worker, persistent_connections):
    client.force_login(case_worker)
    browser = Browser(client)
    assert browser.get("/candidates/")[0] == 200
    before = backend_pid()  # the connection the handler keeps for the next request

    assert terminate([before]) == 1

    status, _body = browser.get("/candidates/")
    assert status == 200
    assert backend_pid() != before


def test_a_request_whose_connection_dies_fails_with_the_error_page_and_the_next_one_works(
    client, case_worker, persistent_connections, monkeypatch
):
    client.force_login(case_worker)
    browser = Browser(client)
    assert browser.get("/candidates/")[0] == 200
    original = candidate_selectors.candidate_list

    def restart_in_the_middle(**kwargs):
        terminate([backend_pid()])  # the server goes away while this request is being answered
        return original(**kwargs)

    monkeypatch.setattr("candidates.views.list_candidates", restart_in_the_middle)
    status, body = browser.get("/candidates/")

    assert status == 500
    assert "Traceback" not in body
    assert "OperationalError" not in body
    assert "<h1>Etwas ist schiefgelaufen</h1>" in body  # the portal's page, in its language
    monkeypatch.setattr("candidates.views.list_candidates", original)
    assert browser.get("/candidates/")[0] == 200


@contextmanager
def matching_lock_elsewhere():
    """The matching lock held by another session (a run in another worker), released on exit."""
    with _admin() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [services.LOCK_KEY])
        yield
        cursor.execute("SELECT pg_advisory_unlock(%s)", [services.LOCK_KEY])


def _waiting_for_the_lock() -> list[int]:
    with _admin() as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND query LIKE '%%pg_advisory_lock%%'"
        )
        return [pid for (pid,) in cursor.fetchall()]


def test_a_task_whose_connection_breaks_is_tried_again_and_finishes(celery_worker_process):
    pop = build_population()
    amina = pop.amina
    Candidate.objects.filter(pk=amina.pk).update(rescore_requested_at=timezone.now())
    with matching_lock_elsewhere():
        result = celery_app.send_task("matching.rescore_candidate", args=[amina.pk])
        waiting = wait_for(_waiting_for_the_lock, message="the worker's task never waited for the lock")
        assert terminate(waiting) == 1  # the worker's connection goes, as in a restart
        time.sleep(0.5)
    run_id = result.get(timeout=60)  # tried again after a delay, on a new connection

    run = MatchRun.objects.get(pk=run_id)
    assert run.status == MatchRun.Status.SUCCEEDED
    assert run.candidate_id == amina.pk
    assert Match.objects.filter(candidate=amina).exists()
    assert Candidate.objects.get(pk=amina.pk).rescore_requested_at is None


def test_every_task_retries_on_a_broken_connection_with_a_growing_delay():
    for name, task in celery_app.tasks.items():
        if name.startswith("celery."):
            continue
        assert OperationalError in task.autoretry_for, name
        assert task.retry_backoff, name
        assert task.retry_jitter, name
        assert task.max_retries, name
