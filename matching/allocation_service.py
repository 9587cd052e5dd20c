"""The stored suggested allocation: computed by a task (`matching.allocate`) into an `AllocationRun`
with its `AllocationPosition` and `AllocationPair` rows, which the allocation page reads a page of
positions at a time.

The stored matches are read as arrays (ids, scores; the pins and dismissals separately, they are
few), never as model instances: at 150,000 matches, building a `Match` with four related rows each
took most of the 24 s the page used to need. The optimum and the greedy comparison are the pure
functions of `matching.allocation`. A run replaces the older runs of the same place-of-work filter
in the transaction that writes it, so the page always shows one complete suggestion.

Runs are asked for by a case worker (the page's button) and after every full rescore.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from employers.models import Position
from matching import allocation as engine
from matching.models import AllocationPair, AllocationPosition, AllocationRun, Match, MatchDecision, MatchRun

logger = logging.getLogger(__name__)

ALLOCATE_TASK = "matching.allocate"
# A run queued or computing for longer than this is taken as lost (its worker died, the broker was down):
# a new one may then be asked for.
LOST_AFTER = timedelta(minutes=30)
BATCH = 5000


@dataclass
class Inputs:
    """The stored matches of open public positions as parallel arrays (pair k: candidate_ids[k], …)."""

    candidate_ids: np.ndarray
    position_ids: np.ndarray
    scores: np.ndarray
    pinned: np.ndarray  # bool per pair
    dismissed: np.ndarray  # bool per pair
    positions: dict[int, tuple[str, int]]  # position id -> (title, openings) of every position with a match


def load_inputs(location: str = "") -> Inputs:
    """Three queries, no model instances: the positions, the matches, the pins and dismissals."""
    positions_qs = Position.objects.public()
    if location in Position.Location.values:
        positions_qs = positions_qs.filter(location=location)
    all_positions = {
        pk: (title, openings) for pk, title, openings in positions_qs.values_list("pk", "title", "openings")
    }
    rows = (
        Match.objects.filter(position__in=positions_qs.values("pk"))
        .order_by()
        .values_list("candidate_id", "position_id", "score")
        .iterator(chunk_size=BATCH)
    )
    pairs = np.fromiter(rows, dtype=[("c", np.int64), ("p", np.int64), ("s", np.float64)])
    # The order of the former page (position, best score first, candidate): the greedy choice breaks
    # ties by this order, so the same matches always give the same suggestion.
    order = np.lexsort((pairs["c"], -pairs["s"], pairs["p"]))
    pairs = pairs[order]
    pinned = np.zeros(len(pairs), dtype=bool)
    dismissed = np.zeros(len(pairs), dtype=bool)
    decisions = MatchDecision.objects.filter(
        status__in=[MatchDecision.Status.PINNED, MatchDecision.Status.DISMISSED],
        position__in=positions_qs.values("pk"),
    ).values_list("candidate_id", "position_id", "status")
    if len(pairs):
        index = {(c, p): k for k, (c, p) in enumerate(zip(pairs["c"].tolist(), pairs["p"].tolist(), strict=True))}
        for candidate_id, position_id, status in decisions:
            k = index.get((candidate_id, position_id))
            if k is not None:
                (pinned if status == MatchDecision.Status.PINNED else dismissed)[k] = True
    used = set(np.unique(pairs["p"]).tolist())
    return Inputs(
        candidate_ids=pairs["c"],
        position_ids=pairs["p"],
        scores=pairs["s"],
        pinned=pinned,
        dismissed=dismissed,
        positions={pk: value for pk, value in all_positions.items() if pk in used},
    )


def resolve_pins(inputs: Inputs, openings: np.ndarray, position_index: np.ndarray) -> tuple[list[int], list[int]]:
    """Pinned pairs that can all hold at once (best score first: one position per candidate, no more
    than the openings), and the pins that had to be left out (pair indices)."""
    pinned = sorted(np.nonzero(inputs.pinned)[0].tolist(), key=lambda k: (-inputs.scores[k], k))
    taken: set[int] = set()
    used: dict[int, int] = {}
    kept, ignored = [], []
    for k in pinned:
        candidate, position = int(inputs.candidate_ids[k]), int(position_index[k])
        if candidate in taken or used.get(position, 0) >= openings[position]:
            ignored.append(k)
            continue
        taken.add(candidate)
        used[position] = used.get(position, 0) + 1
        kept.append(k)
    return kept, ignored


@dataclass
class Result:
    suggested: np.ndarray
    suggested_total: float
    suggested_filled: int
    greedy: np.ndarray
    greedy_total: float
    greedy_filled: int
    pinned: list[int]
    ignored: list[int]
    openings: int


def compute(inputs: Inputs) -> Result:
    """The optimal and the greedy allocation of the inputs (no queries)."""
    position_keys = np.fromiter(inputs.positions, dtype=np.int64, count=len(inputs.positions))
    sorter = np.argsort(position_keys)
    position_index = sorter[np.searchsorted(position_keys, inputs.position_ids, sorter=sorter)]
    openings = np.asarray([openings for _title, openings in inputs.positions.values()], dtype=np.int64)
    _keys, candidate_index = np.unique(inputs.candidate_ids, return_inverse=True)
    pinned, ignored = resolve_pins(inputs, openings, position_index)
    arguments = {
        "candidate_index": candidate_index,
        "position_index": position_index,
        "score": inputs.scores,
        "openings": openings,
        "pinned": pinned,
        "forbidden": np.nonzero(inputs.dismissed)[0],
    }
    chosen, total, filled = engine.allocate(**arguments)
    greedy_chosen, greedy_total, greedy_filled = engine.greedy(**arguments)
    return Result(
        suggested=chosen,
        suggested_total=total,
        suggested_filled=filled,
        greedy=greedy_chosen,
        greedy_total=greedy_total,
        greedy_filled=greedy_filled,
        pinned=pinned,
        ignored=ignored,
        openings=int(openings.sum()),
    )


def _rows(run: AllocationRun, inputs: Inputs, result: Result) -> tuple[dict[str, list], dict[str, list]]:
    """The run's position rows and pair rows, as columns (field name -> values)."""
    suggested, greedy = set(result.suggested.tolist()), set(result.greedy.tolist())
    pinned, ignored = set(result.pinned), set(result.ignored)
    per_position = {pk: [0, 0, 0.0, 0, 0.0] for pk in inputs.positions}  # pairs, suggested n/total, greedy n/total
    for pk in inputs.position_ids.tolist():
        per_position[pk][0] += 1
    chosen = sorted(suggested | greedy | ignored)
    pairs: dict[str, list] = {
        "run_id": [run.pk] * len(chosen),
        "position_id": inputs.position_ids[chosen].tolist(),
        "candidate_id": inputs.candidate_ids[chosen].tolist(),
        "score": inputs.scores[chosen].tolist(),
        "is_pinned": [k in pinned for k in chosen],
        "in_suggested": [k in suggested for k in chosen],
        "in_greedy": [k in greedy for k in chosen],
        "ignored_pin": [k in ignored for k in chosen],
    }
    for position_id, score, in_suggested, in_greedy in zip(
        pairs["position_id"], pairs["score"], pairs["in_suggested"], pairs["in_greedy"], strict=True
    ):
        counts = per_position[position_id]
        if in_suggested:
            counts[1] += 1
            counts[2] += score
        if in_greedy:
            counts[3] += 1
            counts[4] += score
    keys = list(inputs.positions)
    positions: dict[str, list] = {
        "run_id": [run.pk] * len(keys),
        "position_id": keys,
        "title": [inputs.positions[pk][0].lower()[:200] for pk in keys],
        "openings": [inputs.positions[pk][1] for pk in keys],
        "pairs": [per_position[pk][0] for pk in keys],
        "suggested_count": [per_position[pk][1] for pk in keys],
        "suggested_total": [per_position[pk][2] for pk in keys],
        "greedy_count": [per_position[pk][3] for pk in keys],
        "greedy_total": [per_position[pk][4] for pk in keys],
    }
    return positions, pairs


def _insert(model, columns: dict[str, list]) -> None:
    """Insert the rows given as columns: on PostgreSQL one INSERT … SELECT FROM unnest(arrays) per
    table (no model instances; a tenth of the time of bulk_create), elsewhere bulk_create."""
    n = len(next(iter(columns.values())))
    if n == 0:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in zip(*columns.values(), strict=True)],
            batch_size=BATCH,
        )
        return
    fields = [model._meta.get_field(name) for name in columns]
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    arrays = ", ".join(
        f"%s::{field.rel_db_type(connection) if field.is_relation else field.db_type(connection)}[]" for field in fields
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({names}) SELECT * FROM unnest({arrays})",
            list(columns.values()),
        )


def run_allocation(run_id: int) -> AllocationRun | None:
    """Compute the run `run_id` (the task's body); None if it is gone or already done."""
    run = AllocationRun.objects.filter(pk=run_id).first()
    if run is None or run.status == AllocationRun.Status.SUCCEEDED:
        return run
    run.status = AllocationRun.Status.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])
    started = time.perf_counter()
    try:
        inputs = load_inputs(run.location)
        result = compute(inputs)
        positions, pairs = _rows(run, inputs, result)
        with transaction.atomic():
            _insert(AllocationPosition, positions)
            _insert(AllocationPair, pairs)
            run.status = AllocationRun.Status.SUCCEEDED
            run.finished_at = timezone.now()
            run.duration_s = time.perf_counter() - started
            run.pairs = len(inputs.scores)
            run.positions = len(inputs.positions)
            run.openings = result.openings
            run.suggested_total = result.suggested_total
            run.suggested_filled = result.suggested_filled
            run.greedy_total = result.greedy_total
            run.greedy_filled = result.greedy_filled
            run.ignored_pins = len(result.ignored)
            run.save()
            # The older suggestions of this filter give way (their rows go with them).
            older = AllocationRun.objects.filter(location=run.location, pk__lt=run.pk).exclude(
                status__in=[AllocationRun.Status.QUEUED, AllocationRun.Status.RUNNING]
            )
            AllocationPair.objects.filter(run__in=older).delete()
            AllocationPosition.objects.filter(run__in=older).delete()
            older.delete()
    except Exception as error:
        AllocationRun.objects.filter(pk=run.pk).update(
            status=AllocationRun.Status.FAILED,
            finished_at=timezone.now(),
            duration_s=time.perf_counter() - started,
            error=f"{type(error).__name__}: {error}"[:4000],
        )
        raise
    logger.info(
        "allocation run %s (%r): %s pairs, %s/%s filled in %.2f s",
        run.pk,
        run.location,
        run.pairs,
        run.suggested_filled,
        run.openings,
        run.duration_s,
    )
    return run


def pending_run(location: str) -> AllocationRun | None:
    """A run of the filter still queued or computing (and not lost)."""
    return (
        AllocationRun.objects.filter(
            location=location,
            status__in=[AllocationRun.Status.QUEUED, AllocationRun.Status.RUNNING],
            created_at__gte=timezone.now() - LOST_AFTER,
        )
        .order_by("-pk")
        .first()
    )


def _queue(run_id: int) -> None:
    from bridges.tasks import enqueue

    enqueue(ALLOCATE_TASK, run_id)


def request_allocation(*, location: str = "", user=None) -> tuple[AllocationRun, bool]:
    """Queue a run for the filter after the current transaction commits, unless one is already pending.
    Returns the run and whether it is new."""
    if location not in Position.Location.values:
        location = ""
    pending = pending_run(location)
    if pending is not None:
        return pending, False
    run = AllocationRun.objects.create(location=location, requested_by=user)
    _queue(run.pk)
    return run, True


def refresh_after_rescore() -> list[AllocationRun]:
    """After a full rescore: a new run for every filter that has a stored suggestion (everywhere if none)."""
    locations = set(
        AllocationRun.objects.filter(status=AllocationRun.Status.SUCCEEDED).values_list("location", flat=True)
    ) or {""}
    return [request_allocation(location=location)[0] for location in sorted(locations)]


def matches_changed_since(run: AllocationRun) -> bool:
    """Whether a rescore or a pin or dismissal happened after the run read the matches (two queries)."""
    since = run.started_at or run.created_at
    return (
        MatchRun.objects.filter(status=MatchRun.Status.SUCCEEDED, finished_at__gt=since).exists()
        or MatchDecision.objects.filter(decided_at__gt=since).exists()
    )
