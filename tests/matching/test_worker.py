"""Matching with real Celery workers on the Redis broker: a saved change reaches the matches
within seconds, a broker outage only delays (the sweep catches up), and a worker killed in
the middle of a full rescore leaves exactly the results of a clean run once the task is
delivered again."""

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from bridges.celery import app as celery_app
from bridges.models import OccupationSkill
from candidates.models import Candidate, CandidateLanguage, Perspective, ResidenceStatus, WorkPermission
from candidates.services import candidate_save
from employers.models import LanguageRequirement, Position, PositionSkill
from employers.services import position_set_status
from matching import services
from matching.models import Match, MatchRun
from tests.candidates.factories import LanguageFactory, PlaceFactory
from tests.conftest import _database_url
from tests.employers.factories import EmployerFactory
from tests.factories import OccupationFactory, SkillFactory, UserFactory
from tests.matching.test_pipeline import build_population

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def wait_for(condition, *, timeout: float = 20, interval: float = 0.2, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"not within {timeout} s: {message}")


def snapshot() -> list[tuple]:
    """Every stored match, comparable across runs (no ids, run or timestamps)."""
    return sorted(
        (c, p, round(score, 6), json.dumps(comp, sort_keys=True), json.dumps(expl, sort_keys=True), rp, rc)
        for c, p, score, comp, expl, rp, rc in Match.objects.values_list(
            "candidate_id",
            "position_id",
            "score",
            "components",
            "explanation",
            "rank_for_position",
            "rank_for_candidate",
        )
    )


def marked(ids) -> set[int]:
    return set(Candidate.objects.filter(pk__in=ids, rescore_requested_at__isnull=False).values_list("pk", flat=True))


@contextmanager
def broker_at(url: str):
    """Point this process's Celery app at another broker (the workers keep theirs)."""

    def reset() -> None:
        # Forget the pools; kombu keeps one per broker URL, so the old ones come back on restore.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    reset()
    try:
        yield
    finally:
        celery_app.conf.broker_url = previous
        reset()


# --- a change reaches the matches through the shared worker ---------------------------------


def test_saved_candidate_is_rescored_by_the_worker_and_the_mark_cleared(celery_worker_process):
    pop = build_population()
    services.rescore_all()
    assert Match.objects.get(candidate=pop.amina, position=pop.welding).explanation["missing_essential"]

    amina = Candidate.objects.get(pk=pop.amina.pk)
    candidate_save(candidate=amina, actor=None, m2m={"skills": pop.skills[:3]})

    def rescored():
        match = Match.objects.filter(candidate=pop.amina, position=pop.welding).first()
        fresh = Candidate.objects.get(pk=pop.amina.pk).rescore_requested_at is None
        return fresh and match is not None and match.explanation["missing_essential"] == []

    wait_for(rescored, message="the worker rescores the saved candidate")
    run = MatchRun.objects.get(trigger=MatchRun.Trigger.CANDIDATE, candidate_id=pop.amina.pk)
    assert run.status == MatchRun.Status.SUCCEEDED
    assert Match.objects.get(candidate=pop.amina, position=pop.welding).run_id == run.pk


def test_paused_position_loses_its_matches_through_the_worker(celery_worker_process):
    pop = build_population()
    services.rescore_all()
    assert Match.objects.filter(position=pop.abroad).exists()

    position_set_status(position=pop.abroad, status=Position.Status.PAUSED, actor=UserFactory())

    wait_for(
        lambda: (
            not Match.objects.filter(position=pop.abroad).exists()
            and Position.objects.get(pk=pop.abroad.pk).rescore_requested_at is None
        ),
        message="the worker removes the paused position's matches",
    )
    assert Match.objects.exists()


# --- broker outage --------------------------------------------------------------------------


def test_saves_succeed_during_a_broker_outage_and_the_sweep_catches_up(celery_worker_process, caplog):
    pop = build_population()
    services.rescore_all()
    people = [pop.amina, pop.omar, pop.hamid]
    ids = [person.pk for person in people]

    with broker_at(CLOSED_PORT_BROKER):
        for person, commute in zip(people, (5, 15, 25), strict=True):
            candidate = Candidate.objects.get(pk=person.pk)
            candidate.max_commute_km = commute
            started = time.monotonic()
            candidate_save(candidate=candidate, actor=None, m2m={"skills": pop.skills[:3]})
            assert time.monotonic() - started < 3
        assert "could not queue matching.rescore_candidate" in caplog.text
        time.sleep(1)  # nothing reached the worker: the marks stay
        assert marked(ids) == set(ids)
        assert not MatchRun.objects.filter(trigger=MatchRun.Trigger.CANDIDATE).exists()

    run_ids = celery_app.send_task("matching.sweep").get(timeout=30)

    assert marked(ids) == set()
    runs = MatchRun.objects.filter(pk__in=run_ids)
    assert {run.trigger for run in runs} == {MatchRun.Trigger.SWEEP}
    assert {run.status for run in runs} == {MatchRun.Status.SUCCEEDED}
    assert Match.objects.get(candidate=pop.amina, position=pop.welding).explanation["missing_essential"] == []
    after_sweep = snapshot()
    services.rescore_all()
    assert snapshot() == after_sweep


# --- a worker killed in the middle of a full run --------------------------------------------


def bulk_population(*, candidates: int = 300, positions: int = 30, seed: int = 5) -> None:
    """A few hundred candidates and a few dozen positions, written in bulk."""
    rng = random.Random(seed)
    today = timezone.localdate()
    skills = [SkillFactory() for _ in range(30)]
    occupations = [OccupationFactory(isco_group=group) for group in ("7212", "7213", "7411", "5120", "8322")]
    OccupationSkill.objects.bulk_create(
        OccupationSkill(occupation=occupation, skill=skill, relation_type="essential")
        for occupation in occupations
        for skill in rng.sample(skills, 5)
    )
    german = LanguageFactory()
    places = [
        PlaceFactory(),
        PlaceFactory(geonameid=2895044, name="Jena", latitude=50.9272, longitude=11.5864),
        PlaceFactory(geonameid=2921232, name="Gera", latitude=50.8806, longitude=12.0833),
    ]
    people = Candidate.objects.bulk_create(
        Candidate(
            first_name=f"Person {n}",
            last_name="Test",
            date_of_birth=date(1990, 1, 1),
            place=rng.choice(places),
            residence_status=ResidenceStatus.RESIDENCE_PERMIT,
            work_permission=rng.choice(list(WorkPermission)),
            perspective=rng.choice([Perspective.STAY, Perspective.OPEN]),
            max_commute_km=rng.choice([None, 10, 30, 80]),
            willing_to_relocate=rng.random() < 0.3,
            last_confirmed=today - timedelta(days=rng.randint(0, 400)),
            rescore_requested_at=timezone.now(),
        )
        for n in range(candidates)
    )
    Candidate.skills.through.objects.bulk_create(
        Candidate.skills.through(candidate_id=person.pk, skill_id=skill.pk)
        for person in people
        for skill in rng.sample(skills, rng.randint(2, 8))
    )
    Candidate.desired_occupations.through.objects.bulk_create(
        Candidate.desired_occupations.through(candidate_id=person.pk, occupation_id=rng.choice(occupations).pk)
        for person in people
    )
    CandidateLanguage.objects.bulk_create(
        CandidateLanguage(candidate=person, language=german, level=rng.randint(1, 7)) for person in people
    )
    employer = EmployerFactory()
    author = UserFactory()
    jobs = Position.objects.bulk_create(
        Position(
            employer=employer,
            title=f"Stelle {n}",
            description="…",
            occupation=rng.choice(occupations),
            position_type=Position.PositionType.EMPLOYMENT,
            postal_code="99084",
            place=rng.choice(places),
            status=Position.Status.OPEN,
            created_by=author,
            start_date=today + timedelta(days=rng.randint(0, 90)),
        )
        for n in range(positions)
    )
    PositionSkill.objects.bulk_create(
        PositionSkill(position=job, skill=skill, relation_type=rng.choice(["essential", "optional"]))
        for job in jobs
        for skill in rng.sample(skills, rng.randint(2, 6))
    )
    LanguageRequirement.objects.bulk_create(
        LanguageRequirement(position=job, language=german, min_level=rng.randint(2, 4), required=rng.random() < 0.7)
        for job in jobs
    )


@contextmanager
def own_worker(queue: str, log: Path, **environment: str):
    """A worker process of this test alone, consuming only `queue`."""
    hostname = f"kill-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "DJANGO_SETTINGS_MODULE": "bridges.settings_test",
        **environment,
    }
    with log.open("a") as out:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "bridges", "worker", "--pool=solo", "--loglevel=INFO"),
                *("--hostname", hostname, "--queues", queue, "--without-mingle", "--without-gossip"),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(
            lambda: process.poll() is not None or celery_app.control.ping(destination=[hostname], timeout=0.5),
            timeout=60,
            message=f"worker {hostname} starts",
        )
        assert process.poll() is None, log.read_text()
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_worker_killed_mid_run_leaves_the_results_of_a_clean_run_after_redelivery(tmp_path):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "needs a real broker (REDIS_URL)"
    bulk_population()
    services.rescore_all()
    clean = snapshot()
    assert len(clean) > 300
    first = Match.objects.order_by("pk").first()
    Match.objects.all().delete()
    Match.objects.create(candidate_id=first.candidate_id, position_id=first.position_id, score=1.0)
    stale = snapshot()
    queue = f"matching-kill-test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "workers.log"

    with own_worker(queue, log, MATCHING_TEST_BLOCK_DELAY="120") as doomed:
        celery_app.send_task("matching.rescore_all", args=["full"], queue=queue)
        killed = wait_for(
            lambda: MatchRun.objects.filter(status=MatchRun.Status.RUNNING, progress__gte=80).first(),
            message="the full run reaches its last block",
        )
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)

    assert snapshot() == stale  # one transaction per write: nothing half-written
    killed.refresh_from_db()
    assert killed.status == MatchRun.Status.RUNNING

    # The message was not acknowledged. A worker whose visibility timeout (2 × the task time
    # limit) has passed gives it back to the queue when it starts, and runs it again.
    time.sleep(max(0.0, 5 - (timezone.now() - killed.started_at).total_seconds()))
    with own_worker(queue, log, CELERY_TASK_TIME_LIMIT="2", CELERY_TASK_SOFT_TIME_LIMIT="1"):
        wait_for(
            lambda: MatchRun.objects.filter(pk__gt=killed.pk, status=MatchRun.Status.SUCCEEDED).exists(),
            timeout=30,
            message=f"the task is delivered again and succeeds:\n{log.read_text()}",
        )

    assert snapshot() == clean
    assert Match.objects.count() == len({(c, p) for c, p, *_rest in clean})
    killed.refresh_from_db()
    assert killed.status == MatchRun.Status.FAILED
    assert not Candidate.objects.filter(rescore_requested_at__isnull=False).exists()
