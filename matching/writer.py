"""Stores the engine's results as `Match` rows, with components and explanation.

One transaction per write, so a reader (or a worker killed mid-run) sees either the
old rows or the new ones, never a mix. A full run replaces every row; a run for some
candidates (or positions) replaces only their rows, with an upsert on the unique
(candidate, position) pair, so a repeated write never duplicates anything. On
PostgreSQL the rows go through COPY into a temporary table and one INSERT (the
components become JSON in the database); elsewhere (SQLite for `make run`) through
`bulk_create`.

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

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
from django.db import connection, transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching import engine
from matching.loader import Inputs
from matching.models import Match

# Support measures the programme can pay for, named in `Match.explanation["support"]`.
SUPPORT_LABELS = {
    "language_course": _("language course"),
    "training": _("training in the missing skills"),
    "relocation": _("relocation support"),
    "travel": _("travel support"),
}
# Notes in `Match.explanation["notes"]`.
NOTE_LABELS = {
    "work_permission_with_approval": _("work only with the approval of the immigration office"),
    "available_after_start": _("available only after the start date"),
}
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


def _binary(matrix: sp.spmatrix) -> sp.csr_matrix:
    matrix = sp.csr_matrix(matrix, dtype=np.float32, copy=True)
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    matrix.data[:] = 1.0
    return matrix


def _joined(matrix: sp.csr_matrix, ids: list[str]) -> list[str]:
    """Per row, the comma-separated ids of its non-zero columns, ascending."""
    matrix = sp.csr_matrix(matrix)
    matrix.eliminate_zeros()
    matrix.sort_indices()
    values = [ids[col] for col in matrix.indices.tolist()]
    return [",".join(values[a:b]) for a, b in pairwise(matrix.indptr.tolist())]


def _combinations(flags: list[np.ndarray], names: tuple[str, ...]) -> list[str]:
    """Per row, the JSON list items of the names whose flag is set (all 2^n lists made once)."""
    code = np.zeros(len(flags[0]), dtype=np.int64)
    for bit, flag in enumerate(flags):
        code |= flag.astype(np.int64) << bit
    table = [
        ",".join(json.dumps(name) for bit, name in enumerate(names) if combination >> bit & 1)
        for combination in range(1 << len(names))
    ]
    return [table[c] for c in code.tolist()]


SUPPORT_ORDER = ("language_course", "training", "relocation", "travel")
NOTE_ORDER = ("work_permission_with_approval", "available_after_start")
GAP_TEMPLATE = '{"language":%s,"required":%d,"has":%d,"required_flag":%s}'
EXPLANATION_TEMPLATE = (
    '{"matched_skills":[%s],"missing_essential":[%s],"missing_optional":[%s],'
    '"language_gaps":[%s],"support":[%s],"notes":[%s]}'
)


def explanation_json(inputs: Inputs, ci: np.ndarray, pj: np.ndarray, components: np.ndarray) -> list[str]:
    """The stored explanation of each pair (candidate row ci[n], position row pj[n]) as JSON text.

    `{"matched_skills": [skill ids], "missing_essential": [...], "missing_optional": [...],
    "language_gaps": [{"language": "de", "required": 4, "has": 3, "required_flag": true}],
    "support": [SUPPORT_LABELS keys], "notes": [NOTE_LABELS keys]}`. The sparse work is
    vectorised and the text is assembled without a dict per pair: a full run keeps a few
    hundred thousand pairs.
    """
    c, p, vocabulary = inputs.candidates, inputs.positions, inputs.vocabulary
    n = len(ci)
    if n == 0:
        return []
    skill_ids = [str(x) for x in vocabulary.skill_ids.tolist()]
    skills = _binary(c.skills)[ci]
    essential = _binary(p.essential)[pj]
    optional = _binary(p.optional)[pj]
    has_essential = skills.multiply(essential).tocsr()
    matched = _joined(skills.multiply(essential + optional), skill_ids)
    missing_essential_matrix = (essential - has_essential).tocsr()
    missing_essential_matrix.eliminate_zeros()
    missing_essential = _joined(missing_essential_matrix, skill_ids)
    missing_optional = _joined(optional - skills.multiply(optional), skill_ids)

    gaps = [""] * n
    any_gap = np.zeros(n, dtype=bool)
    asked = np.nonzero((np.asarray(p.language_level) > 0).any(axis=0))[0]
    if len(asked):
        level = np.asarray(p.language_level)[np.ix_(pj, asked)].astype(np.int64)
        has = np.asarray(c.languages)[np.ix_(ci, asked)].astype(np.int64)
        required = np.asarray(p.language_required)[np.ix_(pj, asked)]
        rows, cols = np.nonzero(level > has)
        any_gap[rows] = True
        codes = [json.dumps(vocabulary.language_codes[i]) for i in asked]
        per_row: dict[int, list[str]] = {}
        for row, col, want, got, flag in zip(
            rows.tolist(),
            cols.tolist(),
            level[rows, cols].tolist(),
            has[rows, cols].tolist(),
            required[rows, cols].tolist(),
            strict=True,
        ):
            per_row.setdefault(row, []).append(GAP_TEMPLATE % (codes[col], want, got, "true" if flag else "false"))
        for row, items in per_row.items():
            gaps[row] = ",".join(items)

    abroad = np.asarray(p.abroad, dtype=bool)[pj]
    place = components[:, engine.COMPONENTS.index("place")]
    relocation = ~abroad & np.isclose(place, PLACE_BEYOND_RADIUS)
    approval = (
        (np.asarray(c.permission)[ci] == engine.WITH_APPROVAL)
        & np.asarray(p.requires_permission, dtype=bool)[pj]
        & ~abroad
    )
    late = components[:, engine.COMPONENTS.index("availability")] < 1.0
    missing_any = np.diff(missing_essential_matrix.indptr) > 0
    support = _combinations([any_gap, missing_any, relocation, abroad], SUPPORT_ORDER)
    notes = _combinations([approval, late], NOTE_ORDER)
    return [
        EXPLANATION_TEMPLATE % parts
        for parts in zip(matched, missing_essential, missing_optional, gaps, support, notes, strict=True)
    ]


def explanations(inputs: Inputs, ci: np.ndarray, pj: np.ndarray, components: np.ndarray) -> list[dict]:
    """`explanation_json` as dicts (for the ORM and the explanation page)."""
    return [json.loads(text) for text in explanation_json(inputs, ci, pj, components)]


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
    with transaction.atomic():
        if scope.side is None:
            rows.rank_for_position = ranks(rows.position_id, rows.score, rows.candidate_id, k["position"])
            rows.rank_for_candidate = ranks(rows.candidate_id, rows.score, rows.position_id, k["candidate"])
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
    explained = explanation_json(inputs, rows.ci, rows.pj, rows.components)
    return _insert_orm(rows, [json.loads(text) for text in explained], run_id)


def _nullable(ranks_: np.ndarray) -> list[int | None]:
    return [r or None for r in ranks_.tolist()]


def _insert_orm(rows: Rows, explained: list[dict], run_id: int | None) -> int:
    components = np.round(rows.components, 4).tolist()
    objs = [
        Match(
            candidate_id=c,
            position_id=p,
            score=s,
            components=dict(zip(engine.COMPONENTS, comp, strict=True)),
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


COMPONENT_SCALE = 10_000  # components travel as integers (4 decimals) and become JSON in the database
STAGE_COLUMNS = (
    ("candidate_id", "bigint"),
    ("position_id", "bigint"),
    ("score", "double precision"),
    *((f"c_{name}", "integer") for name in engine.COMPONENTS),
    ("explanation", "jsonb"),
    ("rank_for_position", "integer"),
    ("rank_for_candidate", "integer"),
)


COPY_ROWS = 50_000  # rows per piece of COPY text: the text of a full run is never held at once


def _copy_pieces(rows: Rows, inputs: Inputs) -> Iterator[str]:
    """The rows in COPY's text format, `COPY_ROWS` at a time (explanations made piece by piece)."""
    for start in range(0, len(rows), COPY_ROWS):
        part = rows.take(slice(start, start + COPY_ROWS))
        yield _copy_lines(part, explanation_json(inputs, part.ci, part.pj, part.components))


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


def _copy_lines(rows: Rows, explained: list[str]) -> str:
    """The rows in COPY's text format (tab-separated, \\N for NULL)."""
    # JSON text holds no raw tab or newline; a backslash (an escape in a language code) must be doubled.
    if any("\\" in text for text in explained):
        explained = [text.replace("\\", "\\\\") for text in explained]
    scaled = np.rint(np.nan_to_num(rows.components, nan=0.0) * COMPONENT_SCALE).astype(np.int64)
    components = ["\t".join(map(str, values)) for values in scaled.tolist()]

    def rank(values: np.ndarray) -> list[str]:
        return ["\\N" if r == 0 else str(r) for r in values.tolist()]

    lines = map(
        "\t".join,
        zip(
            map(str, rows.candidate_id.tolist()),
            map(str, rows.position_id.tolist()),
            map(repr, rows.score.tolist()),
            components,
            explained,
            rank(rows.rank_for_position),
            rank(rows.rank_for_candidate),
            strict=True,
        ),
    )
    return "\n".join(lines) + "\n"


def _insert_postgresql(rows: Rows, inputs: Inputs, run_id: int | None, *, upsert: bool) -> int:
    """COPY into a temporary table, then one INSERT into the match table.

    A full run deleted every row in the same transaction (and runs hold the matching lock),
    so it inserts plainly; a partial run upserts on the unique pair. Rows of a candidate or
    position deleted since the load are left out rather than failing the run.
    """
    qn = connection.ops.quote_name
    names = [name for name, _type in STAGE_COLUMNS]
    components = ", ".join(
        f"'{name}', round(s.{qn('c_' + name)}::numeric / {COMPONENT_SCALE}, 4)" for name in engine.COMPONENTS
    )
    target = ["candidate_id", "position_id", "score", "components", "explanation", "rank_for_position"]
    target += ["rank_for_candidate", "run_id", "computed_at"]
    values = "s.candidate_id, s.position_id, s.score, jsonb_build_object(" + components + "), s.explanation, "
    values += "s.rank_for_position, s.rank_for_candidate, %s, %s"
    candidate_table = qn(Match._meta.get_field("candidate").related_model._meta.db_table)
    position_table = qn(Match._meta.get_field("position").related_model._meta.db_table)
    conflict = ""
    if upsert:
        updates = ", ".join(f"{qn(name)} = EXCLUDED.{qn(name)}" for name in target[2:])
        conflict = f" ON CONFLICT (candidate_id, position_id) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pg_temp.matching_stage")
        cursor.execute(
            "CREATE TEMPORARY TABLE matching_stage ("
            + ", ".join(f"{qn(name)} {kind}" for name, kind in STAGE_COLUMNS)
            + ") ON COMMIT DROP"
        )
        _copy(cursor, f"COPY matching_stage ({', '.join(map(qn, names))}) FROM STDIN", _copy_pieces(rows, inputs))
        cursor.execute(
            f"INSERT INTO {_table()} ({', '.join(map(qn, target))}) SELECT {values} FROM matching_stage s "
            f"WHERE s.candidate_id IN (SELECT id FROM {candidate_table}) "
            f"AND s.position_id IN (SELECT id FROM {position_table}){conflict}",
            [run_id, timezone.now()],
        )
        written = cursor.rowcount
        cursor.execute("DROP TABLE IF EXISTS pg_temp.matching_stage")
    return written


def _copy(cursor, sql: str, pieces: Iterable[str]) -> None:
    raw = getattr(cursor, "cursor", cursor)
    if hasattr(raw, "copy_expert"):  # psycopg2
        raw.copy_expert(sql, _PieceReader(pieces), size=1 << 20)
    else:  # psycopg 3
        with raw.copy(sql) as copy:
            for piece in pieces:
                copy.write(piece)
