"""The full rescore in blocks (matching/blocks.py): block tasks across worker processes give
exactly the rows of the single-process path; a failed block fails the run and writes nothing."""

import json
import os
import socket
import threading
import time
import uuid

import numpy as np
import pytest
import redis
from django.conf import settings

from matching import blocks, engine, loader, services
from matching.models import Match, MatchRun
from tests.matching.test_worker import bulk_population, own_worker, snapshot

pytestmark = pytest.mark.django_db(transaction=True)

BLOCK = 70  # candidates per block: the 300 of bulk_population make 5 blocks


@pytest.fixture
def queue():
    """A queue of this test alone; what nobody consumed is dropped afterwards."""
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "needs a real broker (REDIS_URL)"
    name = f"matching-blocks-test-{uuid.uuid4().hex[:8]}"
    yield name
    blocks.client().delete(name)


def single_process(settings) -> list[tuple]:
    settings.MATCHING_BLOCK_CANDIDATES = 100_000
    run = services.rescore_all()
    assert run.status == MatchRun.Status.SUCCEEDED
    return snapshot(), run.pairs_scored


def test_block_ranges_cover_every_id_once():
    ids = [3, 5, 8, 13, 21, 34, 55]
    ranges = blocks.ranges(np.array(ids), 3)

    assert ranges == [(None, 13), (13, 55), (55, None)]
    owners = [
        [i for i, (low, high) in enumerate(ranges) if (low is None or x >= low) and (high is None or x < high)]
        for x in [1, *ids, 99]
    ]
    assert all(len(owner) == 1 for owner in owners)


def test_the_coordinator_alone_gives_the_rows_of_one_process(settings, queue):
    bulk_population()
    clean, pairs = single_process(settings)
    Match.objects.all().delete()
    settings.MATCHING_BLOCK_CANDIDATES = BLOCK

    started = time.perf_counter()
    run = services.rescore_all(queue=queue)
    elapsed = time.perf_counter() - started

    assert (run.status, run.progress, run.pairs_scored) == (MatchRun.Status.SUCCEEDED, 100, pairs)
    assert snapshot() == clean
    figures = json.loads(blocks.client().get(blocks.STATS_KEY))
    assert [block["index"] for block in figures] == list(range(5))
    assert sum(block["candidates"] for block in figures) == 300
    # after the first block the others were told each position's K-th best so far
    assert [block["bar"] for block in figures] == [False, True, True, True, True]
    phases = json.loads(blocks.client().get(blocks.PHASES_KEY))  # where the coordinator's time went
    assert phases.keys() == {"run", "positions", "blocks", "candidates", "write"}
    assert phases["run"] == run.pk
    assert all(seconds >= 0 for seconds in list(phases.values())[1:])
    assert sum(list(phases.values())[1:]) <= elapsed
    assert not list(blocks.client().scan_iter(match=blocks.PREFIX + "*"))


def test_blocks_are_scored_with_the_threads_the_setting_names(settings, queue, monkeypatch):
    bulk_population()
    clean, _pairs = single_process(settings)
    Match.objects.all().delete()
    settings.MATCHING_BLOCK_CANDIDATES = BLOCK
    settings.MATCHING_BLOCK_THREADS = 2
    threads = []
    original = engine.score_top_k

    def noting_the_threads(*args, **kwargs):
        threads.append(kwargs.get("workers"))
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, "score_top_k", noting_the_threads)

    services.rescore_all(queue=queue)

    assert threads == [2] * 5
    assert snapshot() == clean


def test_a_run_whose_steps_cannot_be_kept_still_succeeds(settings, queue, monkeypatch):
    # The steps are kept after the run committed: a broker failing then costs the figures only.
    bulk_population()
    clean, _pairs = single_process(settings)
    Match.objects.all().delete()
    settings.MATCHING_BLOCK_CANDIDATES = BLOCK
    blocks.client().delete(blocks.PHASES_KEY)
    original = redis.Redis.set

    def refuses_the_steps(self, name, *args, **kwargs):
        if name == blocks.PHASES_KEY:
            raise redis.ConnectionError("gone")
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "set", refuses_the_steps)

    run = services.rescore_all(queue=queue)

    run.refresh_from_db()
    assert run.status == MatchRun.Status.SUCCEEDED
    assert snapshot() == clean
    assert blocks.client().get(blocks.PHASES_KEY) is None


def test_a_failed_block_fails_the_run_and_leaves_the_matches(settings, queue, monkeypatch):
    bulk_population()
    clean, _pairs = single_process(settings)
    settings.MATCHING_BLOCK_CANDIDATES = BLOCK
    calls = []
    original = engine.score_top_k

    def third_block_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise MemoryError("block too large")
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, "score_top_k", third_block_fails)

    with pytest.raises(MemoryError):
        services.rescore_all(queue=queue)

    run = MatchRun.objects.order_by("-pk").first()
    assert run.status == MatchRun.Status.FAILED
    assert "block too large" in run.error
    assert snapshot() == clean
    assert not list(blocks.client().scan_iter(match=blocks.PREFIX + "*"))


def noting(steps: list[str], name: str, function):
    def noted(*args, **kwargs):
        steps.append(name)
        return function(*args, **kwargs)

    return noted


@pytest.mark.worker
def test_blocks_scored_by_a_worker_process_give_the_rows_of_one_process(settings, queue, tmp_path, monkeypatch):
    bulk_population()
    clean, pairs = single_process(settings)
    Match.objects.all().delete()
    settings.MATCHING_BLOCK_CANDIDATES = BLOCK
    steps = []
    for module, name in ((loader, "load_candidates"), (blocks._Fold, "merged")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, noting(steps, name, original))

    with own_worker(queue, tmp_path / "worker.log"):
        run = services.rescore_all(queue=queue, helps=False)  # every block by the worker

    assert (run.status, run.pairs_scored) == (MatchRun.Status.SUCCEEDED, pairs)
    assert snapshot() == clean
    # The coordinator read the candidates again while it waited for the worker, not after the merge.
    assert steps == ["load_candidates", "merged"]
    figures = json.loads(blocks.client().get(blocks.STATS_KEY))
    assert len(figures) == 5
    assert all(not block["worker"].endswith(f":{os.getpid()}") for block in figures)


def test_blocks_whose_worker_died_are_scored_by_the_coordinator(settings, queue, monkeypatch):
    bulk_population()
    clean, _pairs = single_process(settings)
    Match.objects.all().delete()
    settings.MATCHING_BLOCK_CANDIDATES = BLOCK
    monkeypatch.setattr(blocks, "LEASE_S", 1)
    claimed = []

    def worker_that_dies() -> None:
        """Claims every block as soon as the run is published, and never renews a lease."""
        r = blocks.client()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not claimed:
            for key in r.scan_iter(match=blocks.PREFIX + "*:context"):
                token = key.decode()[len(blocks.PREFIX) : -len(":context")]
                claimed.extend(index for index in range(5) if blocks.claim(token, index, "dead-worker"))
            time.sleep(0.01)

    thread = threading.Thread(target=worker_that_dies)
    thread.start()
    run = services.rescore_all(queue=queue, helps=False)  # scores only blocks whose lease lapsed
    thread.join()

    assert claimed == [0, 1, 2, 3, 4]
    assert run.status == MatchRun.Status.SUCCEEDED
    assert snapshot() == clean
    figures = json.loads(blocks.client().get(blocks.STATS_KEY))
    assert {block["worker"] for block in figures} == {f"{socket.gethostname()}:{os.getpid()}"}


class _CountingRedis:
    def __init__(self, r) -> None:
        self.r, self.gets = r, 0

    def get(self, key):
        self.gets += 1
        return self.r.get(key)


def test_a_process_reads_and_unpickles_a_runs_context_once():
    import pickle

    r = blocks.client()
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    for token, value in ((first, "context A"), (second, "context B")):
        r.set(blocks._key(token, "context"), pickle.dumps(value), ex=60)
    counting = _CountingRedis(r)
    try:
        seen = [blocks._context(counting, first) for _ in range(3)]
        after = blocks._context(counting, second)  # the next run: its own context, read once more

        assert seen == ["context A"] * 3
        assert after == "context B"
        assert counting.gets == 2
        r.delete(blocks._key(second, "context"))
        blocks._kept = None
        with pytest.raises(blocks.BlockFailed):
            blocks._context(counting, second)  # the run is over: no context to score against
    finally:
        r.delete(blocks._key(first, "context"), blocks._key(second, "context"))
        blocks._kept = None
