"""The inputs a worker keeps between runs: the side a single-record run scores against.

A run for one candidate scores it against every public position; a run for one position
against every active candidate. Loading that other side each time is most of such a run
(20,000 candidates with their skills and languages take about half a second), so each
worker process keeps it, with the vocabulary and the essential skills of every occupation,
and checks under the matching lock that nothing it holds can have changed:

- Every change to a candidate or a position sets its re-scoring mark to a new time, and the
  mark stays until a run that saw the change clears it. A mark present now that differs from
  the one noted before the records were loaded means a change since: that record is reloaded.
- A run that cleared marks of that side may have hidden such a change. This process's own
  runs update the kept records with the ones they loaded; a run of another process (or a
  full run, which loads everything anew and hands its inputs over) drops what is kept.
- A deletion leaves no mark: the number of records must still agree. The day and a number
  that changes with every write to the taxonomy tables are part of the key (a new skill
  changes the vocabulary; on SQLite the tables' sizes and newest ids stand in for it).

Runs hold the matching lock, so no run changes the marks or the match table while another
one checks them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime

import numpy as np
import scipy.sparse as sp
from django.db import connection
from django.utils import timezone

from bridges.models import Language, Occupation, OccupationSkill, Region, Skill
from candidates.models import Candidate, Status
from employers.models import Position
from matching import engine, loader
from matching.models import MatchRun

# Runs that clear the marks of each side (a sweep may rescore either side).
_BOTH = {MatchRun.Trigger.FULL, MatchRun.Trigger.NIGHTLY, MatchRun.Trigger.CONFIG, MatchRun.Trigger.SWEEP}
CLEARS = {"candidate": _BOTH | {MatchRun.Trigger.CANDIDATE}, "position": _BOTH | {MatchRun.Trigger.POSITION}}


@dataclass
class Taxonomy:
    key: tuple
    vocabulary: loader.Vocabulary
    occupation_essential: sp.csr_matrix  # every occupation's essential skills


@dataclass
class Kept:
    """One side's records as of `last_run`, with the marks they had when they were loaded.

    Records this process's runs loaded wait in `pending` and are merged in one go when the
    side is next used (a run for one record should not pay for copying 20,000).
    """

    key: tuple
    arrays: engine.CandidateArrays | engine.PositionArrays
    marks: dict[int, datetime]
    last_run: int
    pending: list[tuple[list[int], engine.CandidateArrays | engine.PositionArrays]] = field(default_factory=list)

    def current(self) -> engine.CandidateArrays | engine.PositionArrays:
        """The arrays with the pending records merged in."""
        if self.pending:
            replaced = sorted({pk for ids, _arrays in self.pending for pk in ids})
            fresh = self.pending[0][1]
            for ids, arrays in self.pending[1:]:  # a later load of a record wins
                fresh = _concat(_without(fresh, ids), arrays)
            self.arrays = _merge(self.arrays, fresh, replaced)
            self.pending = []
        return self.arrays


_taxonomy: Taxonomy | None = None
_kept: dict[str, Kept] = {}


def clear() -> None:
    global _taxonomy
    _taxonomy = None
    _kept.clear()


def _model(side: str):
    return Candidate if side == "candidate" else Position


def _matchable(side: str):
    return Candidate.objects.filter(status=Status.ACTIVE) if side == "candidate" else Position.objects.public()


def _taxonomy_parts() -> list[str]:
    """On PostgreSQL the number a trigger changes with every write to the taxonomy tables
    (bridges/migrations/0009_taxonomy_change.py); elsewhere their sizes and newest ids."""
    if connection.vendor == "postgresql":
        return ["(SELECT change FROM bridges_taxonomy_change WHERE id = 1)"]
    qn = connection.ops.quote_name
    parts = []
    for model in (Skill, Occupation, Language, Region):
        table = qn(model._meta.db_table)
        parts.append(f"(SELECT count(*) FROM {table})")
        parts.append(f"(SELECT max(id) FROM {table})")
    parts.append(f"(SELECT max(id) FROM {qn(OccupationSkill._meta.db_table)})")
    return parts


def taxonomy_key() -> tuple:
    """What tells a change of the taxonomy tables the vocabulary is made of (one query)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(_taxonomy_parts()))
        return tuple(cursor.fetchone())


def _state(side: str, last_run: int) -> tuple[tuple, int, list[tuple[int, str]], dict[int, datetime]]:
    """In one statement: the taxonomy key, how many records of `side` are matchable, the succeeded
    runs from `last_run` on (pk, trigger) and the re-scoring marks of `side`. SQLite (no arrays):
    the same in four queries."""
    if connection.vendor != "postgresql":
        succeeded = MatchRun.objects.filter(pk__gte=last_run, status=MatchRun.Status.SUCCEEDED).order_by("pk")
        runs = list(succeeded.values_list("pk", "trigger"))
        return taxonomy_key(), _matchable(side).count(), runs, _marks(side)
    sql, params = _state_statement(side, timezone.localdate())
    n = len(_taxonomy_parts())
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, last_run])
        row = cursor.fetchone()
    key, (count, run_ids, triggers, mark_ids, mark_values) = tuple(row[:n]), row[n:]
    found = list(zip(run_ids or [], triggers or [], strict=True))
    return key, int(count), found, dict(zip(mark_ids or [], mark_values or [], strict=True))


@functools.lru_cache(maxsize=4)
def _state_statement(side: str, today: date) -> tuple[str, tuple]:
    """`_state`'s statement on PostgreSQL and its parameters but the last (the id of the first run
    to list). Written once a day per side: the ORM takes longer to write it than PostgreSQL to run it."""
    params: list = []

    def sub(queryset) -> str:
        # Without the model's default ordering: these are counted and aggregated, never listed
        # (sorting the 8,000 active candidates by name was 11 of the statement's 15 ms).
        sql, more = queryset.order_by().query.sql_with_params()
        params.extend(more)
        return sql

    matchable = sub(_matchable(side).values("pk"))
    marked = sub(_model(side).objects.filter(rescore_requested_at__isnull=False).values("pk", "rescore_requested_at"))
    params.append(MatchRun.Status.SUCCEEDED.value)
    table = connection.ops.quote_name(MatchRun._meta.db_table)
    runs = f"SELECT id, trigger FROM {table} WHERE status = %s AND id >= %s"
    sql = (
        f"SELECT {', '.join(_taxonomy_parts())}, c.n, r.ids, r.triggers, m.ids, m.marks "
        f"FROM (SELECT count(*) AS n FROM ({matchable}) AS q) AS c, "
        f"(SELECT array_agg(id) AS ids, array_agg(mark) AS marks FROM ({marked}) AS m0(id, mark)) AS m, "
        f"(SELECT array_agg(id ORDER BY id) AS ids, array_agg(trigger ORDER BY id) AS triggers "
        f"FROM ({runs}) AS r0(id, trigger)) AS r"
    )
    return sql, tuple(params)


def taxonomy() -> Taxonomy:
    """The vocabulary and every occupation's essential skills, reloaded when the taxonomy changed."""
    global _taxonomy
    key = taxonomy_key()
    if _taxonomy is None or _taxonomy.key != key:
        vocabulary = loader.load_vocabulary()
        _taxonomy = Taxonomy(key, vocabulary, loader.load_occupation_essential(vocabulary))
        _kept.clear()
    return _taxonomy


def _marks(side: str) -> dict[int, datetime]:
    marked = _model(side).objects.filter(rescore_requested_at__isnull=False)
    return dict(marked.values_list("pk", "rescore_requested_at"))


def _newest_run() -> int:
    succeeded = MatchRun.objects.filter(status=MatchRun.Status.SUCCEEDED)
    return succeeded.order_by("-pk").values_list("pk", flat=True).first() or 0


def _changed_since(side: str, last_run: int, *, before: int | None = None) -> bool:
    """Whether what is kept as of `last_run` may be stale: a succeeded run (before `before`) cleared
    marks of `side`, or the run itself is no longer recorded (a database emptied and filled anew,
    as between tests, numbers its runs afresh). One query."""
    runs = MatchRun.objects.filter(pk__gte=last_run, status=MatchRun.Status.SUCCEEDED)
    if before is not None:
        runs = runs.filter(pk__lt=before)
    return _stale(side, last_run, list(runs.order_by("pk").values_list("pk", "trigger")))


def _stale(side: str, last_run: int, found: list[tuple[int, str]]) -> bool:
    """`_changed_since` on the succeeded runs from `last_run` on (pk, trigger; ascending)."""
    if last_run and (not found or found[0][0] != last_run):
        return True
    return any(pk > last_run and trigger in CLEARS[side] for pk, trigger in found)


def _load(side: str, tax: Taxonomy, today: date, ids=None):
    if side == "candidate":
        return loader.load_candidates(tax.vocabulary, ids=ids, today=today)
    return loader.load_positions(tax.vocabulary, ids=ids, occupation_essential=tax.occupation_essential)


def side(side: str, tax: Taxonomy, today: date) -> engine.CandidateArrays | engine.PositionArrays:
    """Every matchable record of `side` ("candidate" or "position"), as current as the database.

    Call under the matching lock, with `taxonomy()` of the same run.
    """
    key = (tax.key, today)
    kept = _kept.get(side)
    if kept is not None and kept.key == key and not _changed_since(side, kept.last_run):
        arrays = _brought_forward(side, kept, tax, today, _marks(side))
        if len(arrays.ids) == _matchable(side).count():
            return arrays
    return _reload(side, tax, today)


def taxonomy_and_side(side_: str, today: date) -> tuple[Taxonomy, engine.CandidateArrays | engine.PositionArrays]:
    """`taxonomy()` and `side(side_, …)` of a single-record run: when this process keeps that side,
    every check of both is one statement (`_state`). Call under the matching lock."""
    kept = _kept.get(side_)
    if kept is None or _taxonomy is None:
        tax = taxonomy()
        return tax, side(side_, tax, today)
    key, count, runs, marks = _state(side_, kept.last_run)
    if key != _taxonomy.key:
        tax = taxonomy()  # loads the vocabulary anew and drops what is kept
        return tax, side(side_, tax, today)
    tax = _taxonomy
    if kept.key == (tax.key, today) and not _stale(side_, kept.last_run, runs):
        arrays = _brought_forward(side_, kept, tax, today, marks)
        if len(arrays.ids) == count:
            return tax, arrays
    return tax, _reload(side_, tax, today)


def _brought_forward(side: str, kept: Kept, tax: Taxonomy, today: date, marks: dict[int, datetime]):
    """The kept records with those whose mark changed since they were loaded loaded again."""
    changed = sorted(pk for pk, mark in marks.items() if kept.marks.get(pk) != mark)
    if changed:
        kept.pending.append((changed, _load(side, tax, today, ids=changed)))
        kept.marks.update((pk, marks[pk]) for pk in changed)
    return kept.current()


def _reload(side: str, tax: Taxonomy, today: date):
    last_run = _newest_run()
    marks = _marks(side)  # before loading: a change after this has a newer mark
    arrays = _load(side, tax, today)
    _kept[side] = Kept((tax.key, today), arrays, marks, last_run)
    return arrays


def keep(side: str, tax: Taxonomy, today: date, arrays, marks: dict[int, datetime], *, run: MatchRun) -> None:
    """After a full run: its inputs of `side`, loaded with these marks noted, are current as of `run`."""
    if side == "position":
        arrays = replace(arrays, occupation_essential=tax.occupation_essential)
    _kept[side] = Kept((tax.key, today), arrays, dict(marks), run.pk)


def update(
    side: str, tax: Taxonomy, today: date, ids: list[int], arrays, marks: dict[int, datetime], *, run: MatchRun
) -> None:
    """After this process's run for some records of `side`: they are what it loaded (`arrays`,
    with `marks` noted before). Kept records are only brought forward when no other run came
    in between; otherwise the next use finds that run and loads anew."""
    kept = _kept.get(side)
    if kept is None:
        return
    if kept.key != (tax.key, today) or _changed_since(side, kept.last_run, before=run.pk):
        _kept.pop(side, None)
        return
    kept.pending.append((list(ids), arrays))
    for pk in ids:
        if pk in marks:
            kept.marks[pk] = marks[pk]
        else:
            kept.marks.pop(pk, None)
    kept.last_run = run.pk


def _take(arrays, rows):
    take = engine.take_candidates if isinstance(arrays, engine.CandidateArrays) else engine.take_positions
    return take(arrays, rows)


def _without(arrays, ids: list[int]):
    return _take(arrays, np.flatnonzero(~np.isin(arrays.ids, np.asarray(ids, dtype=np.int64))))


def _merge(arrays, fresh, ids: list[int]):
    """`arrays` with the rows of `ids` replaced by `fresh` (ids no longer matchable just go), by id."""
    merged = _concat(_without(arrays, ids), fresh)
    return _take(merged, np.argsort(merged.ids, kind="stable"))


def _concat(first, second):
    values = {}
    for f in fields(first):
        a, b = getattr(first, f.name), getattr(second, f.name)
        if f.name in ("occupation_essential", "specific_skills"):  # per occupation or skill, not per record
            values[f.name] = a
        elif sp.issparse(a):
            values[f.name] = sp.vstack([a, b], format="csr")
        else:
            values[f.name] = np.concatenate([a, b])
    return replace(first, **values)
