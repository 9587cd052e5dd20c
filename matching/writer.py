"""Stores the engine's results as `Match` rows, with components and explanation.

One transaction per write, so a reader (or a worker killed mid-run) sees either the
old rows or the new ones, never a mix. A full run replaces every row; a run for some
candidates (or positions) replaces only their rows, with an upsert on the unique
(candidate, position) pair, so a repeated write never duplicates anything. On
PostgreSQL a full run TRUNCATEs the table and COPYs into it without its secondary
indexes and keys, then rebuilds them; a partial run COPYs into a temporary table and
upserts with one INSERT. Elsewhere (SQLite for `make run`) the rows go through
`bulk_create`. The COPY text is assembled from lookup tables with numpy, never a
Python step per row, and made by a thread while the database parses the previous
piece.

Which rows a run keeps (the union of the best K per position and per candidate) and
their ranks: a full run ranks both directions itself. A run for some candidates scores
them against every position, so their ranks among positions are exact; a pair is also
kept when the candidate enters the position's best K among the rows stored for that
position, and the ranks of those positions' rows are renumbered in the same
transaction (symmetrically for positions). Rows a partial run pushes out of a top K
stay stored without that rank until the next full run: they are still current scores.

Ranks: 1 = best, by score, ties by the lower id of the other side; NULL beyond K.
"""

from __future__ import annotations

import contextlib
import functools
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from queue import Empty, Queue

import numpy as np
import scipy.sparse as sp
from django.db import connection, transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from matching import engine
from matching.loader import Inputs
from matching.models import EXPLANATION_KEYS, Match

PLACE_BEYOND_RADIUS = 0.4  # the engine's place value for a position in Germany beyond the commute radius
CHUNK = 1000  # ids per IN (...) list


@dataclass
class Rows:
    """Pairs to store, as parallel arrays (`ci`/`pj` are rows of the run's arrays)."""

    ci: np.ndarray
    pj: np.ndarray
    candidate_id: np.ndarray
    position_id: np.ndarray
    score: np.ndarray
    components: np.ndarray  # (n, len(COMPONENTS))
    rank_for_position: np.ndarray  # 0 = not in the position's top K (or not known yet)
    rank_for_candidate: np.ndarray
    lateral: np.ndarray  # bool: a lateral entry (engine.ScoreResult.lateral)

    def __len__(self) -> int:
        return len(self.ci)

    def take(self, which: np.ndarray) -> Rows:
        return Rows(**{f.name: getattr(self, f.name)[which] for f in fields(self)})


def rows_from_result(result: engine.ScoreResult, inputs: Inputs) -> Rows:
    ci = np.asarray(result.candidate_index, dtype=np.int64)
    pj = np.asarray(result.position_index, dtype=np.int64)
    return Rows(
        ci=ci,
        pj=pj,
        candidate_id=inputs.candidates.ids[ci],
        position_id=inputs.positions.ids[pj],
        # The check constraint wants 0..100; rounding of a weighted mean may step over by a hair.
        score=np.clip(np.asarray(result.score, dtype=np.float64), 0.0, 100.0),
        components=np.asarray(result.components, dtype=np.float64).reshape(len(ci), len(engine.COMPONENTS)),
        rank_for_position=np.asarray(result.rank_for_position, dtype=np.int64),
        rank_for_candidate=np.asarray(result.rank_for_candidate, dtype=np.int64),
        lateral=np.zeros(len(ci), dtype=bool) if result.lateral is None else np.asarray(result.lateral, dtype=bool),
    )


def ranks(group: np.ndarray, score: np.ndarray, other: np.ndarray, k: int) -> np.ndarray:
    """1-based rank of each row within its group (by score, ties by the lower `other` id); 0 beyond k."""
    n = len(group)
    out = np.zeros(n, dtype=np.int64)
    if n == 0 or k <= 0:
        return out
    order = np.lexsort((other, -score, group))
    sorted_group = group[order]
    starts = np.r_[0, np.nonzero(sorted_group[1:] != sorted_group[:-1])[0] + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, n]))
    rank = np.arange(n) - first + 1
    out[order] = np.where(rank <= k, rank, 0)
    return out


# --- explanations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Skills:
    """0/1 skill matrices of both sides, made once per write (a full run explains in pieces)."""

    candidates: sp.csr_matrix
    essential: sp.csr_matrix
    optional: sp.csr_matrix

    @classmethod
    def of(cls, inputs: Inputs) -> _Skills:
        c, p = inputs.candidates, inputs.positions
        return cls(engine.binary(c.skills), engine.binary(p.essential), engine.binary(p.optional))


class _Text:
    """Rows of text assembled from pieces without a Python step per row.

    Every row is a sequence of parts: one piece per row (an array, or one literal for every
    row), or a variable number of pieces per row (a CSR-like `indptr` with its pieces). The
    pieces are scattered into one flat array in row order and joined once: a full run writes a
    few hundred thousand rows of about thirty pieces each.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self._parts: list[tuple[np.ndarray | None, object]] = []

    def add(self, pieces) -> None:
        """One piece per row: a string for every row, or an object array of n strings."""
        self._parts.append((None, pieces))

    def add_ragged(self, indptr: np.ndarray, pieces: np.ndarray) -> None:
        """indptr[r]:indptr[r + 1] of `pieces` belong to row r."""
        self._parts.append((np.asarray(indptr, dtype=np.int64), pieces))

    def join(self) -> str:
        counts = np.zeros(self.n, dtype=np.int64)
        for indptr, _pieces in self._parts:
            counts += 1 if indptr is None else np.diff(indptr)
        at = np.zeros(self.n, dtype=np.int64)
        np.cumsum(counts[:-1], out=at[1:])
        flat = np.empty(int(counts.sum()), dtype=object)
        for indptr, pieces in self._parts:
            if indptr is None:
                flat[at] = pieces
                at += 1
                continue
            lengths = np.diff(indptr)
            within = np.arange(indptr[-1] - indptr[0]) - np.repeat(indptr[:-1] - indptr[0], lengths)
            flat[np.repeat(at, lengths) + within] = pieces
            at += lengths
        return "".join(flat.tolist())


def _strings(values) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _id_list(matrix: sp.csr_matrix, texts: np.ndarray, with_comma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, pieces) of a JSON list of ids per row: the ids of the non-zero columns, ascending."""
    matrix = sp.csr_matrix(matrix)
    matrix.eliminate_zeros()
    matrix.sort_indices()
    pieces = with_comma[matrix.indices]
    firsts = matrix.indptr[:-1][np.diff(matrix.indptr) > 0]
    pieces[firsts] = texts[matrix.indices[firsts]]
    return matrix.indptr, pieces


SUPPORT_ORDER = ("language_course", "training", "relocation", "travel")
NOTE_ORDER = ("work_permission_with_approval", "available_after_start", "lateral_entry")
GAP_TEMPLATE = '{"language":%s,"required":%d,"has":%d,"required_flag":%s}'
COMPONENT_DECIMALS = 4
# The text of every component value at its stored precision (0.0, 0.0001, …, 1.0), and last null (nothing to compare).
COMPONENT_TEXT = _strings(
    [repr(round(i / 10**COMPONENT_DECIMALS, COMPONENT_DECIMALS)) for i in range(10**COMPONENT_DECIMALS + 1)] + ["null"]
)


def _flag_lists() -> np.ndarray:
    """'],[support…],[notes…]]' for every combination of the support and note flags."""
    names = SUPPORT_ORDER + NOTE_ORDER
    out = []
    for code in range(1 << len(names)):
        chosen = [json.dumps(name) for bit, name in enumerate(names) if code >> bit & 1]
        support = [name for name in chosen if json.loads(name) in SUPPORT_ORDER]
        notes = [name for name in chosen if json.loads(name) in NOTE_ORDER]
        out.append(f"],[{','.join(support)}],[{','.join(notes)}]]")
    return _strings(out)


FLAG_LISTS = _flag_lists()


def _explanation_text(
    text: _Text,
    inputs: Inputs,
    skill_sets: _Skills,
    ci: np.ndarray,
    pj: np.ndarray,
    components: np.ndarray,
    lateral: np.ndarray,
    *,
    for_copy: bool = False,
) -> None:
    """Add the explanation of each pair (candidate row ci[n], position row pj[n]) to `text` as
    `Match.explanation` stores it: the JSON array of the values of

    `{"matched_skills": [skill ids], "missing_essential": [...],
    "language_gaps": [{"language": "de", "required": 4, "has": 3, "required_flag": true}],
    "support": [SUPPORT_ORDER names], "notes": [NOTE_ORDER names]}` (`EXPLANATION_KEYS`); the
    sentences people read are `matching.explain`'s.

    The missing optional skills are left to the live explanation: they decide nothing (no
    support measure, no note) and were a sixth of the text a full rescore writes. JSON text holds
    no raw tab or newline; `for_copy` doubles the one COPY escape it may hold, a backslash (in a
    language code).
    """
    c, p, vocabulary = inputs.candidates, inputs.positions, inputs.vocabulary
    n = len(ci)
    skill_text, skill_comma = vocabulary.skill_texts
    skills = skill_sets.candidates[ci]
    essential = skill_sets.essential[pj]
    optional = skill_sets.optional[pj]
    has_essential = skills.multiply(essential).tocsr()
    missing_essential = (essential - has_essential).tocsr()
    missing_essential.eliminate_zeros()
    text.add("[[")
    text.add_ragged(*_id_list(skills.multiply(essential + optional), skill_text, skill_comma))
    text.add("],[")
    text.add_ragged(*_id_list(missing_essential, skill_text, skill_comma))
    text.add("],[")

    any_gap = np.zeros(n, dtype=bool)
    gap_rows = np.empty(0, dtype=np.int64)
    gap_pieces = _strings([])
    asked = np.nonzero((np.asarray(p.language_level) > 0).any(axis=0))[0]
    if len(asked):
        level = np.asarray(p.language_level)[np.ix_(pj, asked)].astype(np.int64)
        has = np.asarray(c.languages)[np.ix_(ci, asked)].astype(np.int64)
        required = np.asarray(p.language_required)[np.ix_(pj, asked)]
        gap_rows, cols = np.nonzero(level > has)  # row-major: each row's gaps by language column
        any_gap[gap_rows] = True
        codes = [json.dumps(vocabulary.language_codes[i]) for i in asked]
        if for_copy:
            codes = [code.replace("\\", "\\\\") for code in codes]
        first = np.r_[True, gap_rows[1:] != gap_rows[:-1]] if len(gap_rows) else np.empty(0, dtype=bool)
        gap_pieces = _strings(
            [
                ("" if is_first else ",") + GAP_TEMPLATE % (codes[col], want, got, "true" if flag else "false")
                for is_first, col, want, got, flag in zip(
                    first.tolist(),
                    cols.tolist(),
                    level[gap_rows, cols].tolist(),
                    has[gap_rows, cols].tolist(),
                    required[gap_rows, cols].tolist(),
                    strict=True,
                )
            ]
        )
    text.add_ragged(np.r_[0, np.cumsum(np.bincount(gap_rows, minlength=n))], gap_pieces)

    abroad = np.asarray(p.abroad, dtype=bool)[pj]
    place = components[:, engine.COMPONENTS.index("place")]
    relocation = ~abroad & np.isclose(place, PLACE_BEYOND_RADIUS)
    approval = (
        (np.asarray(c.permission)[ci] == engine.WITH_APPROVAL)
        & np.asarray(p.requires_permission, dtype=bool)[pj]
        & ~abroad
    )
    late = components[:, engine.COMPONENTS.index("availability")] < 1.0
    missing_any = np.diff(missing_essential.indptr) > 0
    flags = [any_gap, missing_any, relocation, abroad, approval, late, np.asarray(lateral, dtype=bool)]
    code = np.zeros(n, dtype=np.int64)
    for bit, flag in enumerate(flags):
        code |= flag.astype(np.int64) << bit
    text.add(FLAG_LISTS[code])


def explanation_json(
    inputs: Inputs, ci: np.ndarray, pj: np.ndarray, components: np.ndarray, lateral: np.ndarray
) -> list[str]:
    """The stored explanation of each pair as JSON text, an array (see `_explanation_text`)."""
    if not len(ci):
        return []
    text = _Text(len(ci))
    _explanation_text(text, inputs, _Skills.of(inputs), ci, pj, components, lateral)
    text.add("\n")
    return text.join().split("\n")[:-1]


def explanations(
    inputs: Inputs, ci: np.ndarray, pj: np.ndarray, components: np.ndarray, lateral: np.ndarray
) -> list[dict]:
    """The explanations as dicts (for the ORM and the explanation page)."""
    return [
        dict(zip(EXPLANATION_KEYS, json.loads(text), strict=True))
        for text in explanation_json(inputs, ci, pj, components, lateral)
    ]


def components_json(components: np.ndarray) -> list[str]:
    """The components of each row as JSON text (an array), at `COMPONENT_DECIMALS` decimals."""
    if not len(components):
        return []
    text = _Text(len(components))
    _components_text(text, components)
    text.add("\n")
    return text.join().split("\n")[:-1]


def _components_text(text: _Text, components: np.ndarray, *, opening: str = "[", closing: str = "]") -> None:
    """The components as `Match.components` stores them: a JSON array in `engine.COMPONENTS` order
    (`opening` and `closing` around it)."""
    scaled = np.rint(np.clip(np.nan_to_num(components, nan=0.0), 0.0, 1.0) * 10**COMPONENT_DECIMALS).astype(np.int64)
    scaled[np.isnan(components)] = len(COMPONENT_TEXT) - 1  # null: nothing to compare
    for number, table in enumerate(_component_tables(opening, closing)):
        text.add(table[scaled[:, number]])


@functools.cache
def _component_tables(opening: str, closing: str) -> list[np.ndarray]:
    """Per component, the text of each value with what comes before it (and after the last)."""
    last = len(engine.COMPONENTS) - 1
    return [
        _strings([(opening if n == 0 else ",") + value + (closing if n == last else "") for value in COMPONENT_TEXT])
        for n in range(len(engine.COMPONENTS))
    ]


# --- the write ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a write replaces: everything, or the rows of some candidates or of some positions."""

    side: str | None = None  # None = all, "candidate" or "position"
    ids: tuple[int, ...] = ()

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    @classmethod
    def candidates(cls, ids: Iterable[int]) -> Scope:
        return cls("candidate", tuple(sorted({int(x) for x in ids})))

    @classmethod
    def positions(cls, ids: Iterable[int]) -> Scope:
        return cls("position", tuple(sorted({int(x) for x in ids})))

    @property
    def other(self) -> str:
        return "position" if self.side == "candidate" else "candidate"


def write(*, scope: Scope, rows: Rows, inputs: Inputs, run_id: int | None) -> int:
    """Replace the rows of `scope` with `rows` in one transaction; returns the rows written.

    Call it inside the caller's transaction to commit more with it (the run, the marks).
    """
    config = inputs.config
    k = {"position": config.top_k_per_position, "candidate": config.top_k_per_candidate}
    # No savepoint inside the caller's transaction (two statements less): a failure rolls it all back.
    with transaction.atomic(savepoint=False):
        if scope.side is None:
            rows.rank_for_position = ranks(rows.position_id, rows.score, rows.candidate_id, k["position"])
            rows.rank_for_candidate = ranks(rows.candidate_id, rows.score, rows.position_id, k["candidate"])
            if connection.vendor == "postgresql":
                return _replace_all_postgresql(rows, inputs, run_id)
            _delete_all()
            return _insert(rows, inputs, run_id, upsert=False)

        side, other = scope.side, scope.other
        # Old rows go first: what remains is what the scope's new rows compete with.
        removed = _delete(side, scope.ids, other)
        # The engine ranked the scope's pairs among themselves for the other side; a pair is kept
        # for the other side where it enters that record's top K among the rows stored there.
        other_id = getattr(rows, f"{other}_id")
        contenders = getattr(rows, f"rank_for_{other}") > 0
        bar = _lookup(kth_scores(other, np.unique(other_id[contenders]), k[other]), other_id, -np.inf)
        entering = contenders & (rows.score > bar)
        keep = (getattr(rows, f"rank_for_{side}") > 0) | entering
        rows = rows.take(keep)
        entering = entering[keep]
        own_id, other_id = getattr(rows, f"{side}_id"), getattr(rows, f"{other}_id")
        setattr(rows, f"rank_for_{side}", ranks(own_id, rows.score, other_id, k[side]))

        # Renumber the other side's ranks where a row entered its top K or a ranked row left it.
        left = np.array([o for o, rank in removed if rank], dtype=np.int64)
        changed = np.union1d(other_id[entering], left)
        # Enough rows to see who moves up into the places that left rows opened.
        most_left = int(np.unique(left, return_counts=True)[1].max()) if len(left) else 0
        stored = top_rows(other, changed, limit=2 * k[other] + most_left)
        pks, groups, members, scores, old_ranks = stored
        new_rank = ranks(
            np.concatenate([groups, other_id]),
            np.concatenate([scores, rows.score]),
            np.concatenate([members, own_id]),
            k[other],
        )
        rank_other = np.where(np.isin(other_id, changed), new_rank[len(pks) :], 0)
        setattr(rows, f"rank_for_{other}", rank_other)
        moved = new_rank[: len(pks)] != old_ranks
        written = _insert(rows, inputs, run_id, upsert=True)
        _set_ranks(other, pks[moved], new_rank[: len(pks)][moved])
        return written


def _lookup(values: dict[int, float], keys: np.ndarray, default: float) -> np.ndarray:
    out = np.full(len(keys), default, dtype=np.float64)
    if values:
        known = np.array(sorted(values), dtype=np.int64)
        at = np.minimum(np.searchsorted(known, keys), len(known) - 1)
        hit = known[at] == keys
        out[hit] = np.array([values[int(x)] for x in known])[at[hit]]
    return out


def _table() -> str:
    return connection.ops.quote_name(Match._meta.db_table)


def _delete_all() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()}")


def _delete(side: str, ids: Sequence[int], other: str) -> list[tuple[int, int | None]]:
    """Delete the rows of these records; returns (other id, rank for the other side) of each."""
    removed: list[tuple[int, int | None]] = []
    for chunk in chunked(ids):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {_table()} WHERE {side}_id = ANY(%s) RETURNING {other}_id, rank_for_{other}",
                    [chunk],
                )
                removed.extend(cursor.fetchall())
        else:
            old = Match.objects.filter(**{f"{side}_id__in": chunk})
            removed.extend(old.values_list(f"{other}_id", f"rank_for_{other}"))
            old.delete()
    return removed


def kth_scores(side: str, ids: Sequence[int], k: int) -> dict[int, float]:
    """{id: score of its k-th best stored row} for the `side` records that have at least k rows."""
    found: dict[int, float] = {}
    if k <= 0:
        return found
    for chunk in chunked(ids, 10 * CHUNK):
        if connection.vendor == "postgresql":
            # One short walk of the (side, -score) index per record.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT s.id, (SELECT m.score FROM {_table()} m WHERE m.{side}_id = s.id "
                    f"ORDER BY m.score DESC OFFSET %s LIMIT 1) FROM unnest(%s::bigint[]) AS s(id)",
                    [k - 1, chunk],
                )
                found.update((pk, score) for pk, score in cursor.fetchall() if score is not None)
        else:
            _pks, groups, _members, scores, _ranks = top_rows(side, chunk, limit=k)
            for group in np.unique(groups).tolist():
                best = np.sort(scores[groups == group])[::-1]
                if len(best) >= k:
                    found[group] = float(best[k - 1])
    return found


def top_rows(side: str, ids: Sequence[int], *, limit: int) -> tuple[np.ndarray, ...]:
    """The best `limit` stored rows of each record: (pk, record id, other id, score, rank_for_<side>)."""
    other = "position" if side == "candidate" else "candidate"
    rows: list[tuple] = []
    ids = [int(x) for x in ids]
    for chunk in chunked(ids, 10 * CHUNK):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT m.id, s.id, m.{other}_id, m.score, m.rank_for_{side} FROM unnest(%s::bigint[]) AS s(id) "
                    f"CROSS JOIN LATERAL (SELECT id, {other}_id, score, rank_for_{side} FROM {_table()} "
                    f"WHERE {side}_id = s.id ORDER BY score DESC LIMIT %s) AS m",
                    [chunk, limit],
                )
                rows.extend(cursor.fetchall())
        else:
            numbered = (
                Match.objects.filter(**{f"{side}_id__in": chunk})
                .annotate(n=Window(RowNumber(), partition_by=[F(f"{side}_id")], order_by=[F("score").desc()]))
                .filter(n__lte=limit)
                .values_list("pk", f"{side}_id", f"{other}_id", "score", f"rank_for_{side}")
            )
            rows.extend(numbered)
    if not rows:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty, np.empty(0), empty
    pks, groups, members, scores, old = zip(*rows, strict=True)
    return (
        np.array(pks, dtype=np.int64),
        np.array(groups, dtype=np.int64),
        np.array(members, dtype=np.int64),
        np.array(scores, dtype=np.float64),
        np.array([rank or 0 for rank in old], dtype=np.int64),
    )


def _set_ranks(side: str, pks: np.ndarray, values: np.ndarray) -> None:
    if not len(pks):
        return
    field = f"rank_for_{side}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_table()} AS m SET {field} = v.rank FROM unnest(%s::bigint[], %s::integer[]) AS v(id, rank) "
                "WHERE m.id = v.id",
                [pks.tolist(), [r or None for r in values.tolist()]],
            )
        return
    objs = [Match(pk=pk, **{field: rank or None}) for pk, rank in zip(pks.tolist(), values.tolist(), strict=True)]
    Match.objects.bulk_update(objs, [field], batch_size=500)


def chunked(ids: Iterable[int], size: int = CHUNK) -> Iterable[list[int]]:
    ids = [int(x) for x in ids]
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _insert(rows: Rows, inputs: Inputs, run_id: int | None, *, upsert: bool) -> int:
    if not len(rows):
        return 0
    if connection.vendor == "postgresql":
        return _insert_postgresql(rows, inputs, run_id, upsert=upsert)
    return _insert_orm(rows, inputs, run_id)


def _nullable(ranks_: np.ndarray) -> list[int | None]:
    return [r or None for r in ranks_.tolist()]


def _insert_orm(rows: Rows, inputs: Inputs, run_id: int | None) -> int:
    explained = explanations(inputs, rows.ci, rows.pj, rows.components, rows.lateral)
    components = [
        dict(zip(engine.COMPONENTS, json.loads(text), strict=True)) for text in components_json(rows.components)
    ]
    objs = [
        Match(
            candidate_id=c,
            position_id=p,
            score=s,
            components=comp,
            explanation=e,
            rank_for_position=rp,
            rank_for_candidate=rc,
            run_id=run_id,
        )
        for c, p, s, comp, e, rp, rc in zip(
            rows.candidate_id.tolist(),
            rows.position_id.tolist(),
            rows.score.tolist(),
            components,
            explained,
            _nullable(rows.rank_for_position),
            _nullable(rows.rank_for_candidate),
            strict=True,
        )
    ]
    Match.objects.bulk_create(
        objs,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["candidate", "position"],
        update_fields=[
            "score",
            "components",
            "explanation",
            "rank_for_position",
            "rank_for_candidate",
            "run",
            "computed_at",
        ],
    )
    return len(objs)


# --- PostgreSQL: COPY -----------------------------------------------------------------------

# The columns of `_copy_pieces`; a write adds the run (and the time, where no default gives it).
COPY_COLUMNS = ("candidate_id", "position_id", "score", "components", "explanation")
COPY_COLUMNS += ("rank_for_position", "rank_for_candidate")
COPY_ROWS = 20000  # rows per piece of COPY text: the text of a full run is never held at once
ARRAY_ROWS = 5000  # partial runs up to this many rows send them as arrays, larger ones through COPY
RANK_TEXT_MAX = 1000  # ranks up to this are looked up, larger ones formatted


def _copy_pieces(rows: Rows, inputs: Inputs, *, tail: str) -> Iterator[str]:
    """The rows in COPY's text format (tab-separated, \\N for NULL), `COPY_ROWS` at a time.

    Columns: candidate, position, score, components, explanation, rank for the position, rank
    for the candidate; `tail` ends every line (more columns, or nothing).
    """
    candidate_text = _strings([f"{x}\t" for x in inputs.candidates.ids.tolist()])
    position_text = _strings([f"{x}\t" for x in inputs.positions.ids.tolist()])
    ranks = ["\\N"] + [str(r) for r in range(1, RANK_TEXT_MAX + 1)]
    rank_p_text = _strings([f"\t{r}\t" for r in ranks])
    rank_c_text = _strings([f"{r}{tail}\n" for r in ranks])
    skill_sets = _Skills.of(inputs)
    for start in range(0, len(rows), COPY_ROWS):
        part = rows.take(slice(start, start + COPY_ROWS))
        text = _Text(len(part))
        text.add(candidate_text[part.ci])
        text.add(position_text[part.pj])
        text.add(_strings(list(map(repr, part.score.tolist()))))
        _components_text(text, part.components, opening="\t[", closing="]\t")
        _explanation_text(text, inputs, skill_sets, part.ci, part.pj, part.components, part.lateral, for_copy=True)
        text.add(_ranks_text(part.rank_for_position, rank_p_text, "\t{}\t"))
        text.add(_ranks_text(part.rank_for_candidate, rank_c_text, "{}" + tail + "\n"))
        yield text.join()


def _ranks_text(values: np.ndarray, table: np.ndarray, pattern: str) -> np.ndarray:
    if values.max(initial=0) <= RANK_TEXT_MAX:
        return table[values]
    return _strings([pattern.format("\\N" if r == 0 else r) for r in values.tolist()])


def _ahead(pieces: Iterable[str], depth: int = 2) -> Iterator[str]:
    """The pieces, made by a thread up to `depth` ahead of the consumer.

    The text is made in Python while the database parses what it was sent: the consumer
    waits on the socket with the GIL released, and the thread makes the next piece meanwhile.
    """
    queue: Queue = Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for piece in pieces:
                if stop.is_set():
                    return
                queue.put(piece)
            queue.put(done)
        except BaseException as error:  # handed to the consumer
            queue.put(error)

    thread = threading.Thread(target=produce, name="matching-copy-text", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(Empty):
                queue.get(timeout=0.1)
        thread.join()


class _PieceReader:
    """A file-like `read()` over an iterator of strings, for psycopg2's `copy_expert`."""

    def __init__(self, pieces: Iterable[str]) -> None:
        self._pieces = iter(pieces)
        self._text = ""
        self._at = 0

    def read(self, size: int = -1) -> str:
        if self._at >= len(self._text):
            self._text, self._at = next(self._pieces, ""), 0
        if size is None or size < 0:
            out, self._text, self._at = self._text[self._at :] + "".join(self._pieces), "", 0
            return out
        out = self._text[self._at : self._at + size]
        self._at += len(out)
        return out


def _copy(cursor, sql: str, pieces: Iterable[str]) -> None:
    pieces = _ahead(pieces)
    raw = getattr(cursor, "cursor", cursor)
    if hasattr(raw, "copy_expert"):  # psycopg2
        raw.copy_expert(sql, _PieceReader(pieces), size=1 << 20)
    else:  # psycopg 3
        with raw.copy(sql) as copy:
            for piece in pieces:
                copy.write(piece)


def _related_tables() -> tuple[str, str]:
    qn = connection.ops.quote_name
    return (
        qn(Match._meta.get_field("candidate").related_model._meta.db_table),
        qn(Match._meta.get_field("position").related_model._meta.db_table),
    )


def _insert_postgresql(rows: Rows, inputs: Inputs, run_id: int | None, *, upsert: bool) -> int:
    """One INSERT … ON CONFLICT into the match table, from arrays or (many rows) a COPY into a temporary table.

    Rows of a candidate or position deleted since the load are left out rather than failing the run.
    """
    qn = connection.ops.quote_name
    columns = ", ".join(map(qn, COPY_COLUMNS))
    candidate_table, position_table = _related_tables()
    conflict = ""
    if upsert:
        updates = ", ".join(
            f"{qn(name)} = EXCLUDED.{qn(name)}" for name in (*COPY_COLUMNS[2:], "run_id", "computed_at")
        )
        conflict = f" ON CONFLICT (candidate_id, position_id) DO UPDATE SET {updates}"
    keep = f"WHERE s.candidate_id IN (SELECT id FROM {candidate_table})"
    keep += f" AND s.position_id IN (SELECT id FROM {position_table})"
    if len(rows) <= ARRAY_ROWS:
        # One statement: the rows as arrays (a run for one record writes a few hundred).
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {_table()} ({columns}, run_id, computed_at) SELECT s.*, %s, %s FROM unnest("
                "%s::bigint[], %s::bigint[], %s::double precision[], %s::json[], %s::json[], %s::integer[], "
                f"%s::integer[]) AS s({columns}) {keep}{conflict}",
                [
                    run_id,
                    timezone.now(),
                    rows.candidate_id.tolist(),
                    rows.position_id.tolist(),
                    rows.score.tolist(),
                    components_json(rows.components),
                    explanation_json(inputs, rows.ci, rows.pj, rows.components, rows.lateral),
                    _nullable(rows.rank_for_position),
                    _nullable(rows.rank_for_candidate),
                ],
            )
            return cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pg_temp.matching_stage")
        cursor.execute(f"CREATE TEMPORARY TABLE matching_stage AS SELECT {columns} FROM {_table()} WITH NO DATA")
        _copy(
            cursor,
            f"COPY matching_stage ({columns}) FROM STDIN",
            _copy_pieces(rows, inputs, tail=""),
        )
        cursor.execute(
            f"INSERT INTO {_table()} ({columns}, run_id, computed_at) SELECT s.*, %s, %s FROM matching_stage s "
            f"{keep}{conflict}",
            [run_id, timezone.now()],
        )
        written = cursor.rowcount
        cursor.execute("DROP TABLE matching_stage")
    return written


def _replace_all_postgresql(rows: Rows, inputs: Inputs, run_id: int | None) -> int:
    """Replace every match: TRUNCATE, COPY into the bare table, then build its indexes and keys.

    COPY into a table without its secondary indexes and foreign keys, and building them once
    afterwards, is several times faster than keeping them up to date row by row. Their
    definitions are read from the catalogue and restored as they were (same names), so the
    schema after the write is exactly the migrated one. Everything happens in the caller's
    transaction: readers wait for the commit (TRUNCATE locks the table) and see the old rows
    or the new ones; a failure leaves the old rows. No other table may reference the match
    table (TRUNCATE would refuse).
    """
    qn = connection.ops.quote_name
    table = _table()
    candidate_table, position_table = _related_tables()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # TRUNCATE refuses while checks deferred to the commit are pending (rows this transaction
        # wrote before): run them now, and defer again at the end as Django's keys are declared.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {table}")
        rebuild = _secondary_schema(cursor)
        for drop, _create in rebuild:
            cursor.execute(drop)
        # computed_at comes from its database default: the time of the transaction.
        run = "\\N" if run_id is None else str(int(run_id))
        _copy(
            cursor,
            f"COPY {table} ({', '.join(map(qn, COPY_COLUMNS))}, run_id) FROM STDIN WITH (FREEZE)",
            _copy_pieces(rows, inputs, tail=f"\t{run}"),
        )
        # Candidates or positions deleted since the load: their rows go. The lock is the one the
        # foreign keys take below anyway; it keeps deletions out until the commit.
        cursor.execute(f"LOCK TABLE {candidate_table}, {position_table} IN SHARE ROW EXCLUSIVE MODE")
        deleted = 0
        for column, related, ids in (
            ("candidate_id", candidate_table, inputs.candidates.ids),
            ("position_id", position_table, inputs.positions.ids),
        ):
            cursor.execute(
                f"SELECT array_agg(x) FROM (SELECT unnest(%s::bigint[]) EXCEPT SELECT id FROM {related}) AS gone(x)",
                [ids.tolist()],
            )
            gone = cursor.fetchone()[0]
            if gone:
                cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [gone])
                deleted += cursor.rowcount
        for _drop, create in rebuild:
            cursor.execute(create)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return len(rows) - deleted


def _secondary_schema(cursor) -> list[tuple[str, str]]:
    """(drop, create) statements of the match table's indexes and its primary, unique and foreign
    keys (all but the check constraints): indexes, then the primary key, then the others."""
    table = _table()
    cursor.execute(
        "SELECT 'DROP INDEX ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid) "
        "ORDER BY 1",
        [Match._meta.db_table],
    )
    indexes = list(cursor.fetchall())
    cursor.execute(
        f"SELECT 'ALTER TABLE {table} DROP CONSTRAINT ' || quote_ident(conname), "
        f"'ALTER TABLE {table} ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') "
        "ORDER BY strpos('puf', contype::text), conname",
        [Match._meta.db_table],
    )
    constraints = list(cursor.fetchall())
    return indexes + constraints
