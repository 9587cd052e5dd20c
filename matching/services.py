"""Rescoring use cases: one candidate, one position, everything, and the sweep of what is still marked.

Each run is recorded as a `MatchRun` (trigger, configuration, pairs scored, rows
written, duration, status, error; progress while a full run scores). Runs are
serialised by one database lock (a PostgreSQL advisory lock, held by the session,
so a killed worker releases it), so a run never overwrites the rows of a later one.

The lock is also how a lost run is found: a run is alive exactly while a session holds
the lock, so a run that says "running" while the lock is free lost its worker. The
sweep (every minute) marks such a run failed and starts a full run again at once,
instead of waiting for the broker to hand the unacknowledged task to a worker after
its visibility timeout (that late delivery then only repeats a finished run).

No change is ever lost: before loading, a run notes the re-scoring mark of every
record it covers; in the transaction that writes the new rows it clears a mark only
where it still has the value it noted. A change committed after that moment has a
different mark (set in its own transaction), so the mark stays and the record is
rescored again: by the task its save queued, or by the sweep if that message was lost.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from bridges.working_language import in_working_language
from candidates.models import Candidate
from employers.models import Position
from matching import blocks, engine, explain, inputs_cache, loader, reference, writer
from matching.models import MatchRun, ScoringConfig

logger = logging.getLogger(__name__)

# pg_advisory_lock key of matching runs ("bridges" + "m" as a big-endian integer).
LOCK_KEY = int.from_bytes(b"bridgesm", "big") & 0x7FFF_FFFF_FFFF_FFFF
# The sweep rescores more marked records than this in one full run.
SWEEP_FULL_CANDIDATES = 500
SWEEP_FULL_POSITIONS = 50
# A full run of these triggers that lost its worker is run again by the sweep; marks cover the rest.
RERUN_TRIGGERS = {MatchRun.Trigger.FULL, MatchRun.Trigger.NIGHTLY, MatchRun.Trigger.CONFIG}
# Tests only: seconds to sleep after each scored block (a single-record run: after scoring), to stop a
# worker in the middle of a run.
TEST_BLOCK_DELAY_ENV = "MATCHING_TEST_BLOCK_DELAY"

_process_lock = threading.RLock()
KEEPALIVE = "SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3; "


@contextmanager
def matching_lock(*, wait: bool = True) -> Iterator[bool]:
    """One run at a time: across all workers on PostgreSQL, within the process elsewhere.

    Yields whether the lock is held: always when waiting for it, else only if it was free.
    """
    if connection.vendor != "postgresql":
        locked = _process_lock.acquire(blocking=wait)
        try:
            yield locked
        finally:
            if locked:
                _process_lock.release()
        return
    with connection.cursor() as cursor:
        # A worker host that vanishes without closing its connection (power, network) would
        # hold the lock until the server's TCP keepalive (two hours by default) gave up; with
        # these the server drops the session, and the lock, within about a minute. Set once per
        # database session, in the statement that takes the lock (one round trip); inside a
        # transaction every time, as a rollback would undo them.
        raw = connection.connection
        known = getattr(connection, "_matching_keepalive_set_on", None) is raw and not connection.in_atomic_block
        cursor.execute(f"{'' if known else KEEPALIVE}SELECT pg_{'' if wait else 'try_'}advisory_lock(%s)", [LOCK_KEY])
        locked = wait or cursor.fetchone()[0]
        # A new driver connection sets them again.
        connection._matching_keepalive_set_on = None if connection.in_atomic_block else raw
    try:
        yield locked
    finally:
        if locked:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
            except DatabaseError:
                # The connection is gone, and the lock with it.
                logger.warning("could not release the matching lock", exc_info=True)


def matching_lock_held() -> bool:
    """Whether some session holds the matching lock, i.e. whether a run is alive (read only).

    Elsewhere than on PostgreSQL runs happen in this process and are never lost: True.
    """
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        # pg_locks shows a bigint advisory key as its high and low 32 bits.
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND classid = %s AND objid = %s)",
            [LOCK_KEY >> 32, LOCK_KEY & 0xFFFF_FFFF],
        )
        return cursor.fetchone()[0]


# --- re-scoring marks -----------------------------------------------------------------------


@dataclass
class Marks:
    """The re-scoring marks of some records as a run saw them before it loaded their data."""

    model: type[models.Model]
    seen: dict[int, datetime]

    @classmethod
    def snapshot(cls, model: type[models.Model], ids: Iterable[int] | None = None) -> Marks:
        marked = model.objects.filter(rescore_requested_at__isnull=False)
        if ids is None:
            return cls(model, dict(marked.values_list("pk", "rescore_requested_at")))
        seen = {}
        for chunk in writer.chunked(ids):
            seen.update(marked.filter(pk__in=chunk).values_list("pk", "rescore_requested_at"))
        return cls(model, seen)

    def clear(self) -> int:
        """Clear the marks that are unchanged since the snapshot; returns how many were cleared."""
        if not self.seen:
            return 0
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(self.model._meta.db_table)
            ids, marks = zip(*self.seen.items(), strict=True)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} AS t SET rescore_requested_at = NULL "
                    "FROM unnest(%s::bigint[], %s::timestamptz[]) AS seen(id, mark) "
                    "WHERE t.id = seen.id AND t.rescore_requested_at = seen.mark",
                    [list(ids), list(marks)],
                )
                return cursor.rowcount
        by_mark: dict[datetime, list[int]] = defaultdict(list)
        for pk, mark in self.seen.items():
            by_mark[mark].append(pk)
        cleared = 0
        for mark, ids in by_mark.items():
            for chunk in writer.chunked(ids):
                cleared += self.model.objects.filter(pk__in=chunk, rescore_requested_at=mark).update(
                    rescore_requested_at=None
                )
        return cleared


# --- runs -----------------------------------------------------------------------------------


def _fail_lost_runs() -> list[MatchRun]:
    """Mark failed the runs that say running; call it holding the lock, when none can be alive."""
    if connection.vendor != "postgresql":
        return []
    lost = list(MatchRun.objects.filter(status=MatchRun.Status.RUNNING))
    if lost:
        # The record keeps the reason in the portal's language, whoever's request found it.
        error = in_working_language(gettext_lazy("The run stopped before it finished (worker lost)."))
        MatchRun.objects.filter(pk__in=[run.pk for run in lost], status=MatchRun.Status.RUNNING).update(
            status=MatchRun.Status.FAILED, finished_at=timezone.now(), error=error
        )
        logger.warning("match runs %s lost their worker; marked failed", ", ".join(str(run.pk) for run in lost))
    return lost


def _start(trigger: str, scoring: ScoringConfig, **target) -> MatchRun:
    _fail_lost_runs()
    return MatchRun.objects.create(trigger=trigger, config=scoring, **target)


def _progress(run: MatchRun, percent: float) -> None:
    MatchRun.objects.filter(pk=run.pk).update(progress=max(0, min(100, int(percent))))


def _finish(run: MatchRun, *, pairs: int, rows: int, started: float) -> None:
    run.status = MatchRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.duration_s = time.perf_counter() - started
    run.progress = 100
    run.pairs_scored = pairs
    run.rows_written = rows
    run.save(update_fields=["status", "finished_at", "duration_s", "progress", "pairs_scored", "rows_written"])


def _fail(run: MatchRun, error: BaseException, started: float) -> None:
    try:
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRun.Status.FAILED,
            finished_at=timezone.now(),
            duration_s=time.perf_counter() - started,
            error=f"{type(error).__name__}: {error}"[:4000],
        )
    except DatabaseError:
        logger.exception("could not record the failure of match run %s", run.pk)


def _test_delay() -> None:
    delay = float(os.environ.get(TEST_BLOCK_DELAY_ENV) or 0)
    if delay > 0:
        time.sleep(delay)


def score(inputs: loader.Inputs, on_block: Callable[[int, int], None] | None = None) -> engine.ScoreResult:
    """`engine.score_top_k` on the inputs, reporting after each block of candidates."""
    return engine.score_top_k(inputs.candidates, inputs.positions, inputs.config, on_block=on_block)


def rescore_all(*, trigger: str = MatchRun.Trigger.FULL, queue: str | None = None, helps: bool = True) -> MatchRun:
    """Score every active candidate against every public position and replace all matches.

    With a broker on PostgreSQL and more than `settings.MATCHING_BLOCK_CANDIDATES` active
    candidates the candidates are scored in blocks by block tasks on `queue` across the workers
    (`matching.blocks`); this process coordinates, scores blocks too (unless `helps` is off) and
    writes once. Otherwise everything is scored here. Both give the same rows.
    """
    with matching_lock():
        scoring = ScoringConfig.active()
        run = _start(trigger, scoring)
        started = time.perf_counter()
        try:
            inputs_cache.clear()  # what the worker kept is replaced below; not held twice meanwhile
            marks = [Marks.snapshot(Candidate), Marks.snapshot(Position)]
            tax, today = inputs_cache.taxonomy(), timezone.localdate()
            candidate_ids = blocks.active_candidate_ids() if blocks.available() else None
            phases: dict[str, float] = {}  # of a run in blocks: where the coordinator's time went
            if candidate_ids is not None and blocks.enabled(len(candidate_ids)):
                inputs, rows, pairs = _score_in_blocks(run, scoring, tax, today, candidate_ids, queue, helps, phases)
            else:
                inputs = loader.load(scoring=scoring, vocabulary=tax.vocabulary, today=today)
                _progress(run, 10)

                def on_block(done: int, total: int) -> None:
                    _progress(run, 10 + 70 * done / total)
                    _test_delay()

                result = score(inputs, on_block)
                rows, pairs = writer.rows_from_result(result, inputs), result.pairs_scored
            writing = time.perf_counter()
            with transaction.atomic():
                written = writer.write(scope=writer.Scope.everything(), rows=rows, inputs=inputs, run_id=run.pk)
                for mark in marks:
                    mark.clear()
                _finish(run, pairs=pairs, rows=written, started=started)
            if phases:
                phases["write"] = time.perf_counter() - writing
                blocks.note_phases(run.pk, phases)
            # The worker keeps both sides for the single-record runs that follow.
            inputs_cache.keep("candidate", tax, today, inputs.candidates, marks[0].seen, run=run)
            inputs_cache.keep("position", tax, today, inputs.positions, marks[1].seen, run=run)
        except Exception as error:
            _fail(run, error, started)
            raise
    logger.info("match run %s (%s): %s rows in %.2f s", run.pk, trigger, run.rows_written, run.duration_s)
    return run


def _score_in_blocks(
    run: MatchRun,
    scoring: ScoringConfig,
    tax: inputs_cache.Taxonomy,
    today: date,
    candidate_ids: np.ndarray,
    queue: str | None,
    helps: bool,
    phases: dict[str, float],
) -> tuple[loader.Inputs, writer.Rows, int]:
    """The full run's rows scored by block tasks (`matching.blocks`), and the inputs to write them;
    `phases` gets the seconds of each step."""
    step = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal step
        phases[name], step = time.perf_counter() - step, time.perf_counter()

    vocabulary = tax.vocabulary
    positions = loader.load_positions(vocabulary, occupation_essential=tax.occupation_essential)
    config = loader.engine_config(scoring, today=today)
    _progress(run, 10)
    phase("positions")

    def on_block(done: int, total: int) -> None:
        _progress(run, 10 + 70 * done / total)

    # The candidates again, for the explanations the writer stores (and for the worker to keep):
    # read while the coordinator waits for the last blocks scored elsewhere, else after them.
    loaded: list[engine.CandidateArrays] = []

    def load_candidates() -> None:
        loaded.append(loader.load_candidates(vocabulary, today=today))

    merged = blocks.run(
        vocabulary=vocabulary,
        positions=positions,
        config=config,
        today=today,
        candidate_ids=candidate_ids,
        queue=queue,
        helps=helps,
        on_block=on_block,
        while_waiting=load_candidates,
    )
    phase("blocks")
    if not loaded:
        load_candidates()
    inputs = loader.Inputs(vocabulary, loaded[0], positions, config, scoring)
    phase("candidates")
    return inputs, blocks.rows(merged, inputs.candidates, positions), merged.pairs


def _rescore_some(*, side: str, ids: list[int], trigger: str) -> MatchRun:
    model = Candidate if side == "candidate" else Position
    target = {f"{side}_id": ids[0]} if len(ids) == 1 else {}
    with matching_lock():
        scoring = ScoringConfig.active()
        run = _start(trigger, scoring, **target)
        started = time.perf_counter()
        try:
            marks = Marks.snapshot(model, ids)
            inputs, tax, today = _single_inputs(side, ids, scoring)
            result = engine.score_top_k(inputs.candidates, inputs.positions, inputs.config)
            rows = writer.rows_from_result(result, inputs)
            _test_delay()
            scope = writer.Scope.candidates(ids) if side == "candidate" else writer.Scope.positions(ids)
            with transaction.atomic():
                written = writer.write(scope=scope, rows=rows, inputs=inputs, run_id=run.pk)
                marks.clear()
                _finish(run, pairs=result.pairs_scored, rows=written, started=started)
            own = inputs.candidates if side == "candidate" else inputs.positions
            inputs_cache.update(side, tax, today, ids, own, marks.seen, run=run)
        except Exception as error:
            _fail(run, error, started)
            raise
    return run


def _single_inputs(
    side: str, ids: list[int], scoring: ScoringConfig
) -> tuple[loader.Inputs, inputs_cache.Taxonomy, date]:
    """The records of `ids` from the database, the other side from the worker's kept inputs."""
    today = timezone.localdate()
    tax, other = inputs_cache.taxonomy_and_side("position" if side == "candidate" else "candidate", today)
    if side == "candidate":
        candidates = loader.load_candidates(tax.vocabulary, ids=ids, today=today)
        positions = other
    else:
        candidates = other
        positions = loader.load_positions(tax.vocabulary, ids=ids, occupation_essential=tax.occupation_essential)
    config = loader.engine_config(scoring, today=today)
    return loader.Inputs(tax.vocabulary, candidates, positions, config, scoring), tax, today


def rescore_candidates(*, candidate_ids: Iterable[int], trigger: str = MatchRun.Trigger.CANDIDATE) -> MatchRun:
    """Rescore some candidates against every public position; the inactive ones lose their matches."""
    return _rescore_some(side="candidate", ids=sorted({int(pk) for pk in candidate_ids}), trigger=trigger)


def rescore_positions(*, position_ids: Iterable[int], trigger: str = MatchRun.Trigger.POSITION) -> MatchRun:
    """Rescore some positions against every active candidate; the non-public ones lose their matches."""
    return _rescore_some(side="position", ids=sorted({int(pk) for pk in position_ids}), trigger=trigger)


def rescore_candidate(*, candidate_id: int) -> MatchRun:
    return rescore_candidates(candidate_ids=[candidate_id])


def rescore_position(*, position_id: int) -> MatchRun:
    return rescore_positions(position_ids=[position_id])


def sweep() -> list[MatchRun]:
    """Rescore whatever is still marked: one full run when much is marked, else the marked records.

    First, a full run that lost its worker is marked failed and run again (a lost single-record
    run needs nothing more: the marks it would have cleared are still there).
    """
    with matching_lock(wait=False) as locked:
        lost = _fail_lost_runs() if locked else []
    rerun = next((run for run in lost if run.trigger in RERUN_TRIGGERS), None)
    if rerun is not None:
        return [rescore_all(trigger=MatchRun.Trigger(rerun.trigger))]
    candidates = list(
        Candidate.objects.filter(rescore_requested_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[: SWEEP_FULL_CANDIDATES + 1]
    )
    positions = list(
        Position.objects.filter(rescore_requested_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[: SWEEP_FULL_POSITIONS + 1]
    )
    if len(candidates) > SWEEP_FULL_CANDIDATES or len(positions) > SWEEP_FULL_POSITIONS:
        return [rescore_all(trigger=MatchRun.Trigger.SWEEP)]
    runs = []
    if candidates:
        runs.append(rescore_candidates(candidate_ids=candidates, trigger=MatchRun.Trigger.SWEEP))
    if positions:
        runs.append(rescore_positions(position_ids=positions, trigger=MatchRun.Trigger.SWEEP))
    return runs


def prune_runs(*, kept_days: int | None = None) -> int:
    """Delete the records of match runs that finished more than `kept_days` ago (default
    `settings.MATCHING_RUNS_KEPT_DAYS`); matches they wrote keep their scores (run: none).

    The newest succeeded run always stays: a worker's kept inputs are dated by it.
    """
    days = settings.MATCHING_RUNS_KEPT_DAYS if kept_days is None else kept_days
    newest = MatchRun.objects.filter(status=MatchRun.Status.SUCCEEDED).order_by("-pk").values("pk")[:1]
    old = MatchRun.objects.filter(finished_at__lt=timezone.now() - timedelta(days=days)).exclude(pk__in=newest)
    with matching_lock():
        deleted, _by_model = old.delete()
    return deleted


# --- the explanation page -------------------------------------------------------------------


def pair_explain(*, candidate_id: int, position_id: int, scoring: ScoringConfig | None = None) -> dict:
    """The live explanation of one pair, stored or not, excluded or not (empty if either is gone).

    `matching.reference.explain_pair` on the pair, with columns turned into skill ids and
    language codes, plus the support measures and notes that the stored explanation names;
    scored with `scoring` (default: the active configuration).
    """
    # The vocabulary and the occupations' essential skills as this process keeps them between
    # requests (one query checks the taxonomy is unchanged): reading 14,000 skills and 3,000
    # occupations again was most of the page's time.
    taxonomy = inputs_cache.taxonomy()
    vocabulary = taxonomy.vocabulary
    candidates = loader.load_candidates(vocabulary, ids=[candidate_id], active_only=False)
    if not len(candidates.ids):
        return {}
    positions = loader.load_positions(
        vocabulary, ids=[position_id], public_only=False, occupation_essential=taxonomy.occupation_essential
    )
    if not len(positions.ids):
        return {}
    scoring = scoring or ScoringConfig.active()
    inputs = loader.Inputs(vocabulary, candidates, positions, loader.engine_config(scoring), scoring)
    data = reference.explain_pair(candidates, positions, 0, 0, inputs.config)

    def skill_ids(columns: Iterable[int]) -> list[int]:
        return [int(vocabulary.skill_ids[col]) for col in columns]

    def language_code(column: int | None) -> str | None:
        return None if column is None else vocabulary.language_codes[int(column)]

    values = np.array([[data["components"][name] for name in engine.COMPONENTS]], dtype=np.float64)
    stored = writer.explanations(inputs, np.array([0]), np.array([0]), values, np.array([data["lateral"]]))[0]
    hint = data["hint"]
    changes = [
        {**change, "language": language_code(change["language"])} if change["kind"] == "language" else dict(change)
        for change in hint["changes"]
    ]
    hint = {**hint, "changes": changes, "delta": float(hint["delta"])}
    # An excluded pair: only the measures that make it eligible (none when no measure can).
    support = (
        explain.derived_support({"exclusion": data["exclusion"], "hint": hint})
        if data["exclusion"]
        else stored["support"]
    )
    score_ = float(data["score"])
    return {
        "score": score_ if np.isfinite(score_) else None,
        "exclusion": int(data["exclusion"]),
        "reasons": [int(code) for code in data["reasons"]],
        "components": {name: None if np.isnan(value) else float(value) for name, value in data["components"].items()},
        "matched_skills": skill_ids(data["matched_skills"]),
        "missing_essential": skill_ids(data["missing_essential"]),
        "missing_optional": skill_ids(data["missing_optional"]),
        "language_gaps": [
            {
                "language": language_code(gap["language"]),
                "required": int(gap["required"]),
                "has": int(gap["has"]),
                "required_flag": bool(gap["required_flag"]),
            }
            for gap in data["language_gaps"]
        ],
        "hint": hint,
        "support": support,
        "notes": stored["notes"],
    }
