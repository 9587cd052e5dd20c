"""A run whose worker is gone is found by the sweep (the matching lock is free while the run
says running), marked failed with the reason, and a full run is started again at once instead
of after the broker's visibility timeout; the dashboard says what happened meanwhile."""

import os
import signal
import uuid

import pytest
from django.conf import settings
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone, translation

from bridges.celery import app as celery_app
from candidates.models import Candidate
from matching import services
from matching.models import Match, MatchRun
from tests.matching.test_pipeline import build_population
from tests.matching.test_worker import bulk_population, own_worker, snapshot, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def worker_lost() -> str:
    """The reason a lost run is failed with, in the portal's language (the run's record keeps it so)."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext("The run stopped before it finished (worker lost).")


@pytest.fixture
def lock_elsewhere():
    """Another database session (a live worker, as far as anyone can tell) holds the matching lock."""
    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [services.LOCK_KEY])
    yield
    other.close()


def lock_held() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = %s "
            # this database's: a run in another database on the server (a benchmark) holds its own
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [services.LOCK_KEY & 0xFFFF_FFFF],
        )
        return cursor.fetchone()[0] > 0


def dead_run(trigger: str = MatchRun.Trigger.FULL, progress: int = 43) -> MatchRun:
    """A row as a worker leaves it when it is killed in the middle: running, and no lock held."""
    return MatchRun.objects.create(trigger=trigger, progress=progress)


def test_the_sweep_fails_a_run_without_a_worker_and_runs_it_again(worker_lost):
    pop = build_population()
    lost = dead_run(MatchRun.Trigger.NIGHTLY)

    with translation.override("en"):  # whoever finds it, the record keeps the portal's language
        runs = services.sweep()

    lost.refresh_from_db()
    assert lost.status == MatchRun.Status.FAILED
    assert lost.error == worker_lost
    assert lost.finished_at is not None
    assert [(run.trigger, run.status) for run in runs] == [(MatchRun.Trigger.NIGHTLY, MatchRun.Status.SUCCEEDED)]
    assert Match.objects.filter(candidate=pop.amina).exists()


def test_the_sweep_leaves_a_run_alone_while_its_worker_holds_the_lock(lock_elsewhere):
    running = dead_run()

    assert services.sweep() == []

    running.refresh_from_db()
    assert running.status == MatchRun.Status.RUNNING


def test_the_dashboard_says_when_a_running_run_has_lost_its_worker(client, case_worker, english):
    lost = dead_run()
    client.force_login(case_worker)

    page = client.get(reverse("matching:dashboard")).text
    fragment = client.get(reverse("matching:run_progress", args=[lost.pk])).text

    for text in (page, fragment):
        assert "worker lost" in text
        assert "43 %" in text
        assert "The sweep marks it failed and starts it again within a minute." in text


def test_the_dashboard_shows_a_live_run_as_running(client, case_worker, english, lock_elsewhere):
    dead_run()
    client.force_login(case_worker)

    page = client.get(reverse("matching:dashboard")).text

    assert "worker lost" not in page
    assert "progress-bar-animated" in page


def test_the_lock_holder_asks_the_server_to_notice_a_vanished_worker_within_a_minute():
    with services.matching_lock(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('tcp_keepalives_idle'), current_setting('tcp_keepalives_count')")
        idle, count = cursor.fetchone()

    assert (int(idle), int(count)) == (30, 3)


@pytest.mark.worker
def test_a_full_run_whose_worker_is_killed_is_failed_and_rerun_by_the_next_sweep(
    client, case_worker, english, worker_lost, tmp_path
):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "needs a real broker (REDIS_URL)"
    bulk_population()
    services.rescore_all()
    clean = snapshot()
    Match.objects.all().delete()
    queue = f"matching-lost-test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "workers.log"
    client.force_login(case_worker)

    # The broker's visibility timeout stays at its setting (2 × the task time limit: 20 minutes).
    with own_worker(queue, log, MATCHING_TEST_BLOCK_DELAY="120") as doomed:
        celery_app.send_task("matching.rescore_all", args=["full"], queue=queue)
        killed = wait_for(
            lambda: MatchRun.objects.filter(status=MatchRun.Status.RUNNING, progress__gt=10).first(),
            message="the full run scores its first block",
        )
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)

    wait_for(lambda: not lock_held(), message="the killed worker's database session ends")
    killed.refresh_from_db()
    assert killed.status == MatchRun.Status.RUNNING
    assert "worker lost" in client.get(reverse("matching:dashboard")).text

    with own_worker(queue, log):
        run_ids = celery_app.send_task("matching.sweep", queue=queue).get(timeout=60)

    killed.refresh_from_db()
    assert killed.status == MatchRun.Status.FAILED
    assert killed.error == worker_lost
    rerun = MatchRun.objects.get(pk__in=run_ids)
    assert (rerun.trigger, rerun.status) == (MatchRun.Trigger.FULL, MatchRun.Status.SUCCEEDED)
    assert snapshot() == clean
    fragment = client.get(reverse("matching:run_progress", args=[killed.pk])).text
    assert "failed" in fragment
    assert worker_lost in fragment


@pytest.mark.worker
def test_a_single_run_whose_worker_is_killed_is_failed_and_its_candidate_rescored_by_the_sweep(worker_lost, tmp_path):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "needs a real broker (REDIS_URL)"
    pop = build_population()
    services.rescore_all()
    clean = snapshot()
    # A save changed Amina (her mark) and the run for her is killed after scoring, before writing.
    Match.objects.filter(candidate=pop.amina).delete()
    Candidate.objects.filter(pk=pop.amina.pk).update(rescore_requested_at=timezone.now())
    queue = f"matching-lost-test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "workers.log"

    with own_worker(queue, log, MATCHING_TEST_BLOCK_DELAY="120") as doomed:
        celery_app.send_task("matching.rescore_candidate", args=[pop.amina.pk], queue=queue)
        killed = wait_for(
            lambda: MatchRun.objects.filter(status=MatchRun.Status.RUNNING, candidate_id=pop.amina.pk).first(),
            message="the run for Amina starts",
        )
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)

    wait_for(lambda: not lock_held(), message="the killed worker's database session ends")
    assert Candidate.objects.get(pk=pop.amina.pk).rescore_requested_at is not None  # nothing was cleared

    with own_worker(queue, log):
        run_ids = celery_app.send_task("matching.sweep", queue=queue).get(timeout=60)

    killed.refresh_from_db()
    assert killed.status == MatchRun.Status.FAILED
    assert killed.error == worker_lost
    rerun = MatchRun.objects.get(pk__in=run_ids)
    assert (rerun.trigger, rerun.status) == (MatchRun.Trigger.SWEEP, MatchRun.Status.SUCCEEDED)
    assert snapshot() == clean  # every pair once, as a clean run left them
    assert Candidate.objects.get(pk=pop.amina.pk).rescore_requested_at is None
