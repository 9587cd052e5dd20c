"""The full rescore across worker processes, and so across machines: candidates in blocks.

`services.rescore_all` on PostgreSQL with a broker (REDIS_URL) and more active candidates
than `settings.MATCHING_BLOCK_CANDIDATES` is a coordinator (the task `matching.rescore_all`)
and block tasks (`matching.score_block`); elsewhere (SQLite, eager mode) and for one block
the single-process path scores everything in the coordinator. Both give the same rows.

The coordinator holds the matching lock for the whole run, as the single-process path does:
runs stay serialised, and a run whose coordinator dies is found by the sweep (lock free,
run "running") and run again. It

1. notes the re-scoring marks, loads the taxonomy and every public position once, cuts the
   active candidates into id ranges of `MATCHING_BLOCK_CANDIDATES`, and stores that context
   (vocabulary, positions, engine configuration, ranges; a pickle of a few MB) in Redis
   under a random token;
2. queues one `matching.score_block(token, index)` per block as a Celery group on its own
   queue: the broker carries the token and the block number, nothing else;
3. scores blocks itself too, taking those no worker has claimed yet (so a single worker
   process never waits for itself), then waits for the others;
4. merges as blocks finish (`_Fold`): each candidate's own top K is complete in its block; the
   per-position top K is the best K of the blocks' per-position top K (ties by the lower
   candidate id, as in one process), kept as a running top K, so the coordinator holds at most
   K rows per position plus the candidates' own rows; after each merge it keeps each position's
   K-th best score so far in Redis (the bar); it loads the candidates while it waits for the
   last blocks, and the services write once (replace all, one transaction) and clear the marks.

A block task reads the context and the bar from Redis, loads only its candidates (an id range)
from the database, scores them against the positions (a pair below its position's bar can never
be among that position's best) and stores its kept rows (ids, scores,
components, ranks; an uncompressed .npz of about 100 bytes a row) in Redis: the memory of
a block worker is the positions plus its block, not the population. A block is claimed
with a lease in Redis that a thread renews while it scores; a worker killed in the middle
lets the lease lapse and the coordinator scores that block itself (the task, acknowledged
late, is also delivered again later and then finds the run over). A block that fails
records its error: the coordinator fails the run and writes nothing. All keys of a run
expire with it and are deleted when it ends.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import os
import pickle
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import redis
from celery import current_app, group, signature
from django.conf import settings
from django.db import connection

from candidates.models import Candidate, Status
from matching import engine, loader, writer

logger = logging.getLogger(__name__)

PREFIX = "matching:full:"
LEASE_S = 20  # a claimed block whose worker stopped renewing this long is scored by the coordinator
RENEW_S = 5
WAIT_S = 0.05  # how often the coordinator looks for finished blocks
STATS_KEY = "matching:blocks:last"  # per-block figures of the newest distributed run (benchmark, logs)
PHASES_KEY = "matching:blocks:phases"  # the coordinator's steps of the newest distributed run, in seconds

_client: redis.Redis | None = None


class BlockFailed(RuntimeError):
    """A block task failed: the run fails and nothing is written."""


def available() -> bool:
    """Whether full runs can be cut into block tasks here: PostgreSQL, and a broker with workers."""
    return connection.vendor == "postgresql" and bool(settings.REDIS_URL) and not settings.CELERY_TASK_ALWAYS_EAGER


def enabled(n_candidates: int) -> bool:
    """Whether a full run of `n_candidates` is cut into block tasks (more than one block)."""
    return available() and n_candidates > settings.MATCHING_BLOCK_CANDIDATES


def client() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL)
    return _client


def _key(token: str, *parts) -> str:
    return PREFIX + token + "".join(f":{part}" for part in parts)


@dataclass
class Context:
    """What every block of a run scores against (stored once per run in Redis)."""

    vocabulary: loader.Vocabulary
    positions: engine.PositionArrays
    config: engine.EngineConfig
    today: int  # day ordinal
    ranges: list[tuple[int | None, int | None]]  # candidate id ranges [low, high), None = open


def ranges(ids: np.ndarray, size: int) -> list[tuple[int | None, int | None]]:
    """Id ranges of `size` ids each (sorted `ids`); the first is open below, the last above, so a
    candidate made active meanwhile falls in some block (its mark makes sure it is rescored)."""
    starts = [int(x) for x in ids[::size]] or [0]
    bounds = [None, *starts[1:], None]
    return list(itertools.pairwise(bounds))


# --- a block ----------------------------------------------------------------------------------


def _vm_mb(field: str) -> float:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


class _Lease:
    """Renews the claim of a block every RENEW_S while the block is scored."""

    def __init__(self, key: str, owner: str) -> None:
        self.key, self.owner = key, owner
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._renew, name="matching-block-lease", daemon=True)

    def _renew(self) -> None:
        r = client()
        while not self.stop.wait(RENEW_S):
            try:
                if r.get(self.key) != self.owner.encode():
                    return
                r.pexpire(self.key, LEASE_S * 1000)
            except redis.RedisError:
                logger.warning("could not renew the lease of %s", self.key, exc_info=True)

    def __enter__(self) -> _Lease:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def claim(token: str, index: int, owner: str) -> bool:
    """Take block `index` unless someone holds it or it is done."""
    r = client()
    if r.exists(_key(token, "done", index)):
        return False
    if r.set(_key(token, "claim", index), owner, nx=True, px=LEASE_S * 1000):
        r.set(_key(token, "seen", index), owner, ex=_ttl())
        return True
    return False


def _ttl() -> int:
    return int(settings.CELERY_TASK_TIME_LIMIT) * 2


def score_block(token: str, index: int, *, owner: str | None = None) -> bool:
    """Score block `index` of run `token` if it is still to do (the task `matching.score_block`).

    Returns whether this call scored it.
    """
    r = client()
    if not r.exists(_key(token, "context")):  # the run is over (or failed): a late or repeated delivery
        return False
    owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    if not claim(token, index, owner):
        return False
    with _Lease(_key(token, "claim", index), owner):
        try:
            _score(r, token, index, _context(r, token))
        except Exception as error:
            r.set(_key(token, "error", index), f"{type(error).__name__}: {error}"[:2000], ex=_ttl())
            raise
    return True


# The context of the run this process scores blocks of: read and unpickled once per run and process,
# not once per block (at 10,000 positions it is tens of megabytes). A worker keeps it until the next
# run's first block; the coordinator lets it go when its run ends.
_kept: tuple[str, Context] | None = None


def _context(r: redis.Redis, token: str) -> Context:
    global _kept
    if _kept is None or _kept[0] != token:
        _kept = None  # the previous run's context goes before the next one is read
        raw = r.get(_key(token, "context"))
        if raw is None:
            raise BlockFailed(f"run {token}: its context is gone")
        _kept = (token, pickle.loads(raw))
    return _kept[1]


def _score(r: redis.Redis, token: str, index: int, context: Context) -> None:
    started = time.perf_counter()
    _reset_peak()
    low, high = context.ranges[index]
    today = date.fromordinal(context.today)
    candidates = loader.load_candidates(context.vocabulary, id_range=(low, high), today=today)
    # The K-th best score per position of the blocks merged so far: a pair below it can never be
    # among that position's best, and is kept only for its candidate.
    raw_bar = r.get(_key(token, "bar"))
    bar = np.frombuffer(raw_bar, dtype=np.float64) if raw_bar else None
    loaded = time.perf_counter()
    result = engine.score_top_k(
        candidates, context.positions, context.config, workers=settings.MATCHING_BLOCK_THREADS, position_bar=bar
    )
    ci = np.asarray(result.candidate_index, dtype=np.int64)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        candidate_id=candidates.ids[ci],
        pj=np.asarray(result.position_index, dtype=np.int32),
        score=np.asarray(result.score, dtype=np.float64),
        components=np.asarray(result.components, dtype=np.float64),
        rank_for_candidate=np.asarray(result.rank_for_candidate, dtype=np.int32),
        rank_for_position=np.asarray(result.rank_for_position, dtype=np.int32),
        lateral=np.zeros(len(ci), dtype=bool) if result.lateral is None else np.asarray(result.lateral, dtype=bool),
        pairs=np.array([result.pairs_scored], dtype=np.int64),
    )
    stats = {
        "index": index,
        "candidates": len(candidates.ids),
        "positions": len(context.positions.ids),
        "rows": len(ci),
        "bytes": buffer.tell(),
        "load_s": round(loaded - started, 3),
        "score_s": round(time.perf_counter() - loaded, 3),
        "seconds": round(time.perf_counter() - started, 3),
        "bar": bar is not None,
        "peak_rss_mb": round(_vm_mb("VmHWM"), 1),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
    with r.pipeline() as pipe:
        pipe.set(_key(token, "result", index), buffer.getvalue(), ex=_ttl())
        pipe.set(_key(token, "stats", index), json.dumps(stats), ex=_ttl())
        pipe.set(_key(token, "done", index), 1, ex=_ttl())
        pipe.execute()
    logger.info("matching block %s of run %s: %s", index, token, stats)


# --- the coordinator --------------------------------------------------------------------------


@dataclass
class Merged:
    """The rows of a distributed run, by candidate id (the writer's rows need the candidates' arrays)."""

    candidate_id: np.ndarray
    pj: np.ndarray
    score: np.ndarray
    components: np.ndarray
    rank_for_position: np.ndarray
    rank_for_candidate: np.ndarray
    lateral: np.ndarray
    pairs: int
    blocks: list[dict]


def run(
    *,
    vocabulary: loader.Vocabulary,
    positions: engine.PositionArrays,
    config: engine.EngineConfig,
    today: date,
    candidate_ids: np.ndarray,
    queue: str | None = None,
    helps: bool = True,
    on_block: Callable[[int, int], None] | None = None,
    timeout: float | None = None,
    while_waiting: Callable[[], None] | None = None,
) -> Merged:
    """Score the candidates of `candidate_ids` in blocks across the workers and merge the results.

    `helps`: the coordinator scores blocks no worker has claimed yet (off only in tests, to see
    the workers do them). A block whose worker stops renewing its lease is scored here anyway.
    `while_waiting` is called once, the first time the coordinator has nothing to do but wait for
    blocks scored elsewhere (the caller's next step, done meanwhile).
    """
    r = client()
    token = uuid.uuid4().hex
    size = int(settings.MATCHING_BLOCK_CANDIDATES)
    context = Context(vocabulary, positions, config, today.toordinal(), ranges(candidate_ids, size))
    n_blocks = len(context.ranges)
    owner = f"{socket.gethostname()}:{os.getpid()}:coordinator:{token[:8]}"
    deadline = time.monotonic() + (timeout if timeout is not None else _ttl())
    try:
        r.set(_key(token, "context"), pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL), ex=_ttl())
        options = {"queue": queue} if queue else {}
        group(
            signature("matching.score_block", args=[token, index], app=current_app, **options)
            for index in range(n_blocks)
        ).apply_async()
        done: set[int] = set()
        fold = _Fold(r, token, int(config.top_k_per_position), len(positions.ids))
        while len(done) < n_blocks:
            progressed = False
            for index in range(n_blocks):
                if index in done:
                    continue
                error = r.get(_key(token, "error", index))
                if error is not None:
                    raise BlockFailed(f"block {index}: {error.decode()}")
                if r.exists(_key(token, "done", index)):
                    fold.add(index)
                    done.add(index)
                    progressed = True
                    if on_block is not None:
                        on_block(len(done), n_blocks)
                    continue
                if r.exists(_key(token, "claim", index)):
                    continue
                lapsed = r.exists(_key(token, "seen", index))  # claimed once, lease gone: its worker died
                if (helps or lapsed) and score_block(token, index, owner=owner):
                    progressed = True
                    break  # look at the others again before taking another block
            if not progressed and len(done) < n_blocks:
                if time.monotonic() > deadline:
                    raise BlockFailed(f"{n_blocks - len(done)} of {n_blocks} blocks did not finish in time")
                if while_waiting is not None:
                    while_waiting, then = None, while_waiting
                    then()
                    continue
                time.sleep(WAIT_S)
        return fold.merged()
    finally:
        global _kept
        if _kept is not None and _kept[0] == token:
            _kept = None
        keys = list(r.scan_iter(match=_key(token, "*"), count=1000))
        if keys:
            r.delete(*keys)


def note_phases(run_id: int, phases: dict[str, float]) -> None:
    """Log and keep (for the benchmark) where the coordinator's time went: loading the positions,
    the blocks (scored and merged), loading the candidates again, the write. Called after the run
    committed: a broker that fails now costs the figures, not the run."""
    figures = {name: round(seconds, 3) for name, seconds in phases.items()}
    logger.info("match run %s in blocks: %s", run_id, ", ".join(f"{k} {v:.2f} s" for k, v in figures.items()))
    try:
        client().set(PHASES_KEY, json.dumps({"run": run_id, **figures}), ex=24 * 3600)
    except redis.RedisError:
        logger.warning("could not keep the steps of match run %s", run_id, exc_info=True)


NAMES = ("candidate_id", "pj", "score", "components", "rank_for_candidate", "rank_for_position", "lateral")


class _Fold:
    """Merges block results as they come, so the coordinator never holds every block's partial
    per-position top K at once: the rows still in the running per-position top K (at most K per
    position), and the rows kept only for their candidate (final: each candidate's top K is
    complete within its block). Each block's result leaves Redis when it is folded in."""

    def __init__(self, r: redis.Redis, token: str, k: int, n_positions: int) -> None:
        self.r, self.token, self.k, self.n_positions = r, token, k, n_positions
        self.contenders: dict[str, np.ndarray] | None = None
        self.final: list[dict[str, np.ndarray]] = []
        self.pairs = 0
        self.stats: list[dict] = []

    def add(self, index: int) -> None:
        key = _key(self.token, "result", index)
        with np.load(io.BytesIO(self.r.get(key))) as data:
            part = {name: data[name] for name in NAMES}
            self.pairs += int(data["pairs"][0])
        self.r.delete(key)
        self.stats.append(json.loads(self.r.get(_key(self.token, "stats", index))))
        if self.contenders is not None:
            part = {name: np.concatenate([self.contenders[name], part[name]]) for name in NAMES}
        # The best K per position so far: by score, ties by the lower candidate id, as one process
        # ranks them (its candidates are in id order). A row that drops out never comes back.
        contender = part["rank_for_position"] > 0
        rank_p = np.zeros(len(contender), dtype=np.int32)
        rank_p[contender] = writer.ranks(
            part["pj"][contender].astype(np.int64),
            part["score"][contender],
            part["candidate_id"][contender],
            self.k,
        )
        part["rank_for_position"] = rank_p
        still = rank_p > 0
        self.contenders = {name: values[still] for name, values in part.items()}
        # The bar for the blocks still to score: each position's K-th best so far (-inf: fewer yet).
        bar = np.full(self.n_positions, -np.inf)
        kth = rank_p == self.k
        bar[part["pj"][kth]] = part["score"][kth]
        self.r.set(_key(self.token, "bar"), bar.tobytes(), ex=_ttl())
        only_candidate = ~still & (part["rank_for_candidate"] > 0)
        self.final.append({name: values[only_candidate] for name, values in part.items()})

    def merged(self) -> Merged:
        parts = [*self.final, *([self.contenders] if self.contenders is not None else [])]
        self.final, self.contenders = [], None
        cid = np.concatenate([part.pop("candidate_id") for part in parts])
        pj = np.concatenate([part.pop("pj") for part in parts]).astype(np.int64)
        order = np.lexsort((pj, cid))  # by candidate, then position, as one process orders them
        out = {"candidate_id": cid[order], "pj": pj[order]}
        del cid, pj
        # One column at a time, each part's piece let go once joined: the coordinator's peak (the
        # merge of ~1.9 M rows at 100,000 × 10,000) holds the parts and one joined column, not all
        # the parts, all the joined columns and the ordered copies at once.
        for name in ("score", "components", "rank_for_position", "rank_for_candidate", "lateral"):
            column = np.concatenate([part.pop(name) for part in parts])
            out[name] = column[order]
            del column
        self.stats.sort(key=lambda stats: stats["index"])
        self.r.set(STATS_KEY, json.dumps(self.stats), ex=24 * 3600)
        return Merged(
            candidate_id=out["candidate_id"],
            pj=out["pj"],
            score=out["score"],
            components=out["components"],
            rank_for_position=out["rank_for_position"].astype(np.int64, copy=False),
            rank_for_candidate=out["rank_for_candidate"].astype(np.int64, copy=False),
            lateral=out["lateral"],
            pairs=self.pairs,
            blocks=self.stats,
        )


def rows(merged: Merged, candidates: engine.CandidateArrays, positions: engine.PositionArrays) -> writer.Rows:
    """The writer's rows: candidate rows looked up by id (rows of candidates gone since are left out)."""
    at = np.searchsorted(candidates.ids, merged.candidate_id)
    at = np.minimum(at, max(len(candidates.ids) - 1, 0))
    found = candidates.ids[at] == merged.candidate_id if len(candidates.ids) else np.zeros(len(at), dtype=bool)
    # Usually every row's candidate is still there: then the rows are views of the merged arrays,
    # not copies (at 100,000 × 10,000 the copies were ~200 MB on top of the coordinator's peak).
    keep = slice(None) if found.all() else found
    ci, pj = at[keep], merged.pj[keep]
    return writer.Rows(
        ci=ci,
        pj=pj,
        candidate_id=candidates.ids[ci],
        position_id=positions.ids[pj],
        score=np.clip(merged.score[keep], 0.0, 100.0),
        components=merged.components[keep],
        rank_for_position=merged.rank_for_position[keep],
        rank_for_candidate=merged.rank_for_candidate[keep],
        lateral=merged.lateral[keep],
    )


def active_candidate_ids() -> np.ndarray:
    return np.array(
        Candidate.objects.filter(status=Status.ACTIVE).order_by("pk").values_list("pk", flat=True), dtype=np.int64
    )
