"""Reads the engine's inputs from the database: `CandidateArrays`, `PositionArrays`, `EngineConfig`.

A handful of `values_list` queries per load, never one per row. Every id is turned into
a column through a `Vocabulary` built from the taxonomy tables (skills, occupations with
their ISCO groups, languages, regions) and the country list, so that a load of one
candidate uses exactly the columns of the positions it is scored against. Ids that the
vocabulary does not know (a row created between two queries of a load) are dropped; the
re-scoring mark of that record picks the change up.

What counts as matchable lives here: candidates with status "active", positions that are
public (`Position.objects.public()`: open, approved employer, not expired).
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import scipy.sparse as sp
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, CharField, DateField, DecimalField, IntegerField, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone
from django_countries import countries

from bridges.models import Language, Occupation, OccupationSkill, Region, Skill
from candidates.models import Candidate, CandidateLanguage, Perspective, Status, WorkExperience, WorkPermission
from employers.models import EngagementRegion, LanguageRequirement, Position, PositionSkill
from matching import engine
from matching.models import ScoringConfig

PERSPECTIVE_CODES = {Perspective.STAY: engine.STAY, Perspective.RETURN: engine.RETURN, Perspective.OPEN: engine.OPEN}
PERMISSION_CODES = {
    WorkPermission.ALLOWED: engine.ALLOWED,
    WorkPermission.WITH_APPROVAL: engine.WITH_APPROVAL,
    WorkPermission.NOT_ALLOWED: engine.NOT_ALLOWED,
}
GERMANY = "DE"
# Skills of these ESCO reuse levels are used in many lines of work: they show no relevance (matching/README.md).
GENERIC_REUSE_LEVELS = frozenset({"transversal", "cross-sector"})
ELEMENTARY_ISCO = "9"  # ISCO-08 major group 9, elementary occupations
FEW = 100  # loads of up to this many records read through the cursor (a COPY costs more to start)


@dataclass(frozen=True)
class Vocabulary:
    """Column numbers of everything the engine compares; one per load, shared by both sides.

    Sorted id arrays are the index maps: the column of id x is its position in the array.
    """

    skill_ids: np.ndarray  # (n_skills,) int64, sorted
    skill_specific: np.ndarray  # (n_skills,) bool: not a generic skill (ESCO reuse level transversal or cross-sector)
    occupation_ids: np.ndarray  # (n_occ,) int64, sorted
    occupation_isco4: np.ndarray  # (n_occ,) int32: column of the occupation's ISCO 4-digit group, -1 none
    occupation_isco2: np.ndarray  # (n_occ,) int32: column of its 2-digit group, -1 none
    occupation_elementary: np.ndarray  # (n_occ,) bool: ISCO major group 9 (elementary occupations)
    isco4_codes: tuple[str, ...]
    isco2_codes: tuple[str, ...]
    language_ids: np.ndarray  # (n_lang,) int64, sorted
    language_codes: tuple[str, ...]  # ISO code of each language column
    country_codes: tuple[str, ...]  # ISO 3166-1 alpha-2, sorted
    region_ids: np.ndarray  # (n_regions,) int64, sorted

    @property
    def n_skills(self) -> int:
        return len(self.skill_ids)

    @property
    def n_occupations(self) -> int:
        return len(self.occupation_ids)

    @property
    def n_languages(self) -> int:
        return len(self.language_ids)

    def skill_columns(self, ids: Iterable[int]) -> np.ndarray:
        return _columns(self.skill_ids, ids)

    def occupation_columns(self, ids: Iterable[int]) -> np.ndarray:
        return _columns(self.occupation_ids, ids)

    def language_columns(self, ids: Iterable[int]) -> np.ndarray:
        return _columns(self.language_ids, ids)

    def region_columns(self, ids: Iterable[int | None]) -> np.ndarray:
        return _columns(self.region_ids, ids)

    def country_columns(self, codes: Iterable[str]) -> np.ndarray:
        index = self._country_index
        return np.array([index.get(code or "", -1) for code in codes], dtype=np.int32)

    @property
    def skill_texts(self) -> tuple[np.ndarray, np.ndarray]:
        """The id of every skill column as text, and the same with a leading comma (made once)."""
        texts = self.__dict__.get("_skill_texts_cache")
        if texts is None:
            ids = [str(x) for x in self.skill_ids.tolist()]
            plain, comma = np.empty(len(ids), dtype=object), np.empty(len(ids), dtype=object)
            plain[:], comma[:] = ids, ["," + x for x in ids]
            texts = (plain, comma)
            object.__setattr__(self, "_skill_texts_cache", texts)
        return texts

    @property
    def _country_index(self) -> dict[str, int]:
        index = self.__dict__.get("_country_index_cache")
        if index is None:
            index = {code: i for i, code in enumerate(self.country_codes)}
            object.__setattr__(self, "_country_index_cache", index)
        return index


@dataclass
class Inputs:
    """Everything one run scores: the vocabulary, both sides and the configuration."""

    vocabulary: Vocabulary
    candidates: engine.CandidateArrays
    positions: engine.PositionArrays
    config: engine.EngineConfig
    scoring_config: ScoringConfig


def _columns(sorted_ids: np.ndarray, ids: Iterable[int | None]) -> np.ndarray:
    """Column of each id in `sorted_ids`, -1 for None or unknown ids (vectorised lookup)."""
    if isinstance(ids, np.ndarray) and ids.dtype.kind == "i":
        values = ids.astype(np.int64, copy=False)
    else:
        values = np.array([-1 if x is None else x for x in ids], dtype=np.int64)
    if len(sorted_ids) == 0 or len(values) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    cols = np.searchsorted(sorted_ids, values)
    cols = np.minimum(cols, len(sorted_ids) - 1)
    return np.where(sorted_ids[cols] == values, cols, -1)


def _rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a `values_list` query straight from the cursor (ids and codes need no converters)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # filtered by an empty list of ids
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _integers(queryset: QuerySet) -> np.ndarray:
    """(n, columns) int64: the rows of a `values_list` query of integer columns without NULLs.

    On PostgreSQL through a binary COPY read straight into numpy (the largest loads: hundreds of
    thousands of candidate skills), elsewhere through the cursor.
    """
    width = len(queryset.query.values_select)
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return np.empty((0, width), dtype=np.int64)
    if connection.vendor != "postgresql" or connection.Database.__name__ != "psycopg2":
        rows = _rows(queryset)
        return np.array(rows, dtype=np.int64).reshape(-1, width) if rows else np.empty((0, width), dtype=np.int64)
    names = [f"c{i}" for i in range(width)]
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        inner = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(
            f"COPY (SELECT {', '.join(f'{name}::bigint' for name in names)} FROM ({inner}) AS q({', '.join(names)})) "
            "TO STDOUT WITH (FORMAT binary)",
            buffer,
        )
    # Header: 11-byte signature, 4-byte flags, 4-byte extension length (0); trailer: int16 -1.
    # Each row: int16 field count, then per field an int32 length (8) and a big-endian int64.
    body = buffer.getbuffer()[19:-2]
    fields_ = [("count", ">i2")] + [item for i in range(width) for item in ((f"l{i}", ">i4"), (f"v{i}", ">i8"))]
    rows = np.frombuffer(body, dtype=np.dtype(fields_))
    return np.stack([rows[f"v{i}"].astype(np.int64) for i in range(width)], axis=1).reshape(-1, width)


def _parts(*parts: tuple[QuerySet, tuple[str, ...]]) -> QuerySet:
    """A few small queries as one: each (queryset, fields) a branch of one UNION ALL, the fields of
    every branch of the same width and type (NULLs of `_null` fill the gaps), each row led by the
    number of its branch (`_split` sorts them out again)."""
    branches = [
        queryset.order_by().annotate(part_=Value(index, output_field=IntegerField())).values_list("part_", *fields)
        for index, (queryset, fields) in enumerate(parts)
    ]
    return branches[0].union(*branches[1:], all=True)


def _split(rows: Iterable[tuple], n: int) -> list[list[tuple]]:
    """The rows of a `_parts` query in a list per branch, in the order of the branches."""
    out: list[list[tuple]] = [[] for _ in range(n)]
    for row in rows:
        out[row[0]].append(row[1:])
    return out


# Stands for the ids while a statement of `_few` is written; never an id (ids are positive).
_IDS_MARK = [-1_000_000_007]


def _few(build: Callable[..., tuple[QuerySet, ...]], ids: list[int], *options) -> list[list[tuple]]:
    """The rows of each `values_list` query of `build(scope, *options)` for a few records, `scope`
    standing for their `ids` (as in `pk__in=scope`).

    On PostgreSQL the statements are written by the ORM once per process and kept, with the ids as
    one array parameter: for one record the ORM took longer to build and write them (~4 ms here)
    than PostgreSQL to run them. Their columns need no converters (ids, codes, numbers, dates as
    psycopg2 gives them). Elsewhere the querysets are built and run each time.
    """
    if connection.vendor != "postgresql":
        return [list(queryset) for queryset in build(ids, *options)]
    out = []
    with connection.cursor() as cursor:
        for sql, params, slots in _written(build, *options):
            params = list(params)
            for slot in slots:
                params[slot] = ids
            cursor.execute(sql, params)
            out.append(cursor.fetchall())
    return out


@functools.lru_cache(maxsize=16)
def _written(build: Callable[..., tuple[QuerySet, ...]], *options) -> tuple[tuple[str, tuple, tuple[int, ...]], ...]:
    """The statements of `build` for `_few` (PostgreSQL): SQL, parameters and the slots of the ids."""
    scope = RawSQL("SELECT unnest(%s::bigint[])", (_IDS_MARK,))
    statements = []
    for queryset in build(scope, *options):
        sql, params = queryset.query.sql_with_params()
        slots = tuple(i for i, param in enumerate(params) if isinstance(param, list) and param == _IDS_MARK)
        statements.append((sql, tuple(params), slots))
    return tuple(statements)


def _null(field) -> Cast:
    """A NULL column of a branch of `_parts`, of the other branches' type (PostgreSQL resolves the
    types of a UNION branch by branch: two untyped NULLs would make a text column)."""
    return Cast(Value(None), output_field=field)


def _ordinal(day: date | None) -> float:
    return float(day.toordinal()) if day is not None else math.nan


def _float(values: Iterable) -> np.ndarray:
    # numpy turns None into NaN for float arrays.
    return np.array(list(values), dtype=np.float64)


def _matrix(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int], data=None, binary=True) -> sp.csr_matrix:
    """CSR from (row, col[, value]) triples, dropping unknown rows or columns (-1); duplicates summed."""
    ok = (rows >= 0) & (cols >= 0)
    values = np.ones(int(ok.sum())) if data is None else np.asarray(data, dtype=np.float64)[ok]
    matrix = sp.csr_matrix((values, (rows[ok], cols[ok])), shape=shape)
    matrix.sum_duplicates()
    if binary:
        matrix.data[:] = 1.0
    return matrix


def experience_years(years, start: date | None, end: date | None, today: date) -> float:
    """`WorkExperience.duration_years` on plain values: stated years, else the span from–to (to today)."""
    if years is not None:
        return float(years)
    if start:
        return max(((end or today) - start).days / 365.25, 0.0)
    return 0.0


# --- vocabulary and configuration -----------------------------------------------------------


def is_specific(reuse_level: str | None) -> bool:
    """Whether a skill's ESCO reuse level shows a line of work: not transversal, not cross-sector.

    ESCO writes the level as a word or as a URI ending in it; an unknown level counts as specific.
    """
    level = (reuse_level or "").strip().lower().rstrip("/").rsplit("/", 1)[-1]
    return level not in GENERIC_REUSE_LEVELS


def load_vocabulary() -> Vocabulary:
    """Columns for every skill, occupation, ISCO group, language, country and region (4 queries)."""
    skills = list(Skill.objects.order_by("pk").values_list("pk", "reuse_level"))
    occupations = list(Occupation.objects.order_by("pk").values_list("pk", "isco_group"))
    groups = [(code or "").strip() for _pk, code in occupations]
    isco4_codes = tuple(sorted({code for code in groups if len(code) == 4}))
    isco2_codes = tuple(sorted({code[:2] for code in groups if len(code) >= 2}))
    isco4_index = {code: i for i, code in enumerate(isco4_codes)}
    isco2_index = {code: i for i, code in enumerate(isco2_codes)}
    languages = list(Language.objects.order_by("pk").values_list("pk", "code"))
    return Vocabulary(
        skill_ids=np.array([pk for pk, _level in skills], dtype=np.int64),
        skill_specific=np.array([is_specific(level) for _pk, level in skills], dtype=bool),
        occupation_ids=np.array([pk for pk, _code in occupations], dtype=np.int64),
        occupation_isco4=np.array([isco4_index.get(code, -1) for code in groups], dtype=np.int32),
        occupation_isco2=np.array(
            [isco2_index.get(code[:2], -1) if len(code) >= 2 else -1 for code in groups], dtype=np.int32
        ),
        occupation_elementary=np.array([code.startswith(ELEMENTARY_ISCO) for code in groups], dtype=bool),
        isco4_codes=isco4_codes,
        isco2_codes=isco2_codes,
        language_ids=np.array([pk for pk, _code in languages], dtype=np.int64),
        language_codes=tuple(code for _pk, code in languages),
        country_codes=tuple(sorted(code for code, _name in countries)),
        region_ids=np.array(Region.objects.order_by("pk").values_list("pk", flat=True), dtype=np.int64),
    )


def engine_config(scoring: ScoringConfig | None = None, *, today: date | None = None) -> engine.EngineConfig:
    """The engine's configuration from the active scoring configuration (or the one given)."""
    scoring = scoring or ScoringConfig.active()
    return engine.EngineConfig(
        weights=scoring.weights(),
        max_language_gap=int(scoring.max_language_gap),
        experience_full_years=float(scoring.experience_full_years),
        default_commute_km=float(scoring.default_commute_km),
        min_score=float(scoring.min_score),
        top_k_per_position=int(scoring.top_k_per_position),
        top_k_per_candidate=int(scoring.top_k_per_candidate),
        today=(today or timezone.localdate()).toordinal(),
        relevance_gate=bool(scoring.relevance_gate),
        lateral_entry_factor=float(scoring.lateral_entry_factor),
    )


# --- candidates -----------------------------------------------------------------------------

CANDIDATE_FIELDS = (
    "pk",
    "place__latitude",
    "place__longitude",
    "max_commute_km",
    "willing_to_relocate",
    "perspective",
    "country_of_origin",
    "region_of_origin_id",
    "return_country",
    "return_region_id",
    "work_permission",
    "work_permission_valid_until",
    "available_from",
    "last_confirmed",
)


def _candidate_related(scope) -> tuple[QuerySet, QuerySet, QuerySet, QuerySet]:
    """The skills, desired occupations, experience and languages of the candidates in `scope`."""
    return (
        Candidate.skills.through.objects.filter(candidate__in=scope),
        Candidate.desired_occupations.through.objects.filter(candidate__in=scope),
        WorkExperience.objects.filter(candidate__in=scope, occupation__isnull=False),
        CandidateLanguage.objects.filter(candidate__in=scope),
    )


EXPERIENCE_FIELDS = ("candidate_id", "occupation_id", "years", "start_date", "end_date")


def _few_candidates(scope, active_only: bool) -> tuple[QuerySet, QuerySet]:
    """For `_few`: the rows of a few candidates, and all their related rows in one round trip."""
    candidates = Candidate.objects.filter(pk__in=scope)
    if active_only:
        candidates = candidates.filter(status=Status.ACTIVE)
    skill_query, desired_query, experience_query, language_query = _candidate_related(scope)
    years, start, end = _null(DecimalField(max_digits=4, decimal_places=1)), _null(DateField()), _null(DateField())
    related = _parts(
        (skill_query.annotate(y=years, s=start, e=end), ("candidate_id", "skill_id", "y", "s", "e")),
        (desired_query.annotate(y=years, s=start, e=end), ("candidate_id", "occupation_id", "y", "s", "e")),
        (experience_query, EXPERIENCE_FIELDS),
        (language_query.annotate(s=start, e=end), ("candidate_id", "language_id", "level", "s", "e")),
    )
    return candidates.order_by("pk").values_list(*CANDIDATE_FIELDS), related


def load_candidates(
    vocabulary: Vocabulary,
    *,
    ids: Iterable[int] | None = None,
    active_only: bool = True,
    today: date | None = None,
    id_range: tuple[int | None, int | None] | None = None,
) -> engine.CandidateArrays:
    """Candidates (active ones only, unless told otherwise), optionally restricted to `ids` or to the
    ids in `id_range` [low, high) (None: open; a block of a distributed full run); 5 queries, 2 for
    a few `ids` (and no `id_range`)."""
    today = today or timezone.localdate()
    ids = None if ids is None else [int(pk) for pk in ids]
    if ids is not None and len(ids) <= FEW and id_range is None:
        # A few candidates (one rescored, one pair explained): two statements written once.
        rows, related = _few(_few_candidates, ids, active_only)
        skill_part, desired_part, experience, language_part = _split(related, 4)
        skill_rows, desired, lang = (
            np.array([row[:width] for row in part], dtype=np.int64).reshape(-1, width)
            for part, width in ((skill_part, 2), (desired_part, 2), (language_part, 3))
        )
    else:
        queryset = Candidate.objects.all()
        if active_only:
            queryset = queryset.filter(status=Status.ACTIVE)
        if id_range is not None:
            low, high = id_range
            if low is not None:
                queryset = queryset.filter(pk__gte=low)
            if high is not None:
                queryset = queryset.filter(pk__lt=high)
        if ids is not None:
            queryset = queryset.filter(pk__in=ids)
        rows = list(queryset.order_by("pk").values_list(*CANDIDATE_FIELDS))
        skill_query, desired_query, experience_query, language_query = _candidate_related(queryset.values("pk"))
        skill_rows = _integers(skill_query.values_list("candidate_id", "skill_id"))
        desired = _integers(desired_query.values_list("candidate_id", "occupation_id"))
        experience = list(experience_query.values_list(*EXPERIENCE_FIELDS))
        lang = _integers(language_query.values_list("candidate_id", "language_id", "level"))
    n_c = len(rows)
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(CANDIDATE_FIELDS)
    (pks, lat, lon, commute, relocate, perspective, origin_c, origin_r, return_c, return_r, permission) = cols[:11]
    permission_until, available_from, last_confirmed = cols[11:]
    candidate_ids = np.array(pks, dtype=np.int64)

    def row_of(candidate_id_values) -> np.ndarray:
        return _columns(candidate_ids, candidate_id_values)

    # Skills.
    skills = _matrix(row_of(skill_rows[:, 0]), vocabulary.skill_columns(skill_rows[:, 1]), (n_c, vocabulary.n_skills))

    # Occupations: desired ∪ experienced; years from the experience.
    exp_candidate = np.array([row[0] for row in experience], dtype=np.int64)
    exp_occupation = np.array([row[1] for row in experience], dtype=np.int64)
    exp_years = np.array([experience_years(*row[2:], today) for row in experience], dtype=np.float64)
    occ_rows = row_of(np.concatenate([desired[:, 0], exp_candidate]))
    occ_cols = vocabulary.occupation_columns(np.concatenate([desired[:, 1], exp_occupation]))
    n_occ = vocabulary.n_occupations
    occupations = _matrix(occ_rows, occ_cols, (n_c, n_occ))
    exp_rows, exp_cols = row_of(exp_candidate), vocabulary.occupation_columns(exp_occupation)
    occupation_years = _matrix(exp_rows, exp_cols, (n_c, n_occ), data=exp_years, binary=False)

    def groups(table: np.ndarray, width: int, occ_r: np.ndarray, occ_c: np.ndarray, data=None, binary=True):
        return _matrix(occ_r, _lookup(table, occ_c), (n_c, width), data=data, binary=binary)

    n4, n2 = len(vocabulary.isco4_codes), len(vocabulary.isco2_codes)
    isco4 = groups(vocabulary.occupation_isco4, n4, occ_rows, occ_cols)
    isco4_years = groups(vocabulary.occupation_isco4, n4, exp_rows, exp_cols, data=exp_years, binary=False)
    isco2 = groups(vocabulary.occupation_isco2, n2, occ_rows, occ_cols)

    # Languages: dense levels 0..7.
    languages = np.zeros((n_c, vocabulary.n_languages), dtype=np.int8)
    if len(lang):
        r, c = row_of(lang[:, 0]), vocabulary.language_columns(lang[:, 1])
        ok = (r >= 0) & (c >= 0)
        languages[r[ok], c[ok]] = lang[ok, 2]

    return engine.CandidateArrays(
        ids=candidate_ids,
        skills=skills,
        occupations=occupations,
        occupation_years=occupation_years,
        isco4=isco4,
        isco4_years=isco4_years,
        isco2=isco2,
        languages=languages,
        lat=_float(lat),
        lon=_float(lon),
        commute_km=_float(commute),
        relocate=np.array(relocate, dtype=bool),
        perspective=np.array([PERSPECTIVE_CODES.get(p, engine.OPEN) for p in perspective], dtype=np.int8),
        origin_country=vocabulary.country_columns(origin_c).astype(np.int32),
        origin_region=vocabulary.region_columns(origin_r).astype(np.int32),
        return_country=vocabulary.country_columns(return_c).astype(np.int32),
        return_region=vocabulary.region_columns(return_r).astype(np.int32),
        permission=np.array([PERMISSION_CODES.get(p, engine.NOT_ALLOWED) for p in permission], dtype=np.int8),
        permission_until=np.array([_ordinal(d) for d in permission_until], dtype=np.float64),
        available_from=np.array([_ordinal(d) for d in available_from], dtype=np.float64),
        last_confirmed=np.array([_ordinal(d) for d in last_confirmed], dtype=np.float64),
    )


# --- positions ------------------------------------------------------------------------------

POSITION_FIELDS = (
    "pk",
    "employer_id",
    "occupation_id",
    "location",
    "place__latitude",
    "place__longitude",
    "country",
    "region_id",
    "place__region_id",
    "requires_work_permission",
    "start_date",
)


def _position_related(scope) -> tuple[QuerySet, QuerySet, QuerySet]:
    """The skills and language requirements of the positions in `scope`, and their employers'
    regions of engagement."""
    employers = Position.objects.filter(pk__in=scope).values("employer_id")
    return (
        PositionSkill.objects.filter(position__in=scope),
        LanguageRequirement.objects.filter(position__in=scope),
        EngagementRegion.objects.filter(employer_id__in=employers),
    )


def _few_positions(scope, public_only: bool, today: date) -> tuple[QuerySet, QuerySet]:
    """For `_few`: the rows of a few positions, and all their related rows in one round trip; what
    is public on `today` (the statement is the day's)."""
    positions = Position.objects.public(today) if public_only else Position.objects.all()
    skill_query, requirement_query, engagement_query = _position_related(scope)
    level, required, text = _null(IntegerField()), _null(BooleanField()), _null(CharField())
    related = _parts(
        (skill_query.annotate(n=level, r=required), ("position_id", "skill_id", "n", "r", "relation_type")),
        (requirement_query.annotate(t=text), ("position_id", "language_id", "min_level", "required", "t")),
        (engagement_query.annotate(n=level, r=required), ("employer_id", "region_id", "n", "r", "country")),
    )
    return positions.filter(pk__in=scope).order_by("pk").values_list(*POSITION_FIELDS), related


def load_positions(
    vocabulary: Vocabulary,
    *,
    ids: Iterable[int] | None = None,
    public_only: bool = True,
    occupation_columns: Iterable[int] | None = None,
    occupation_essential: sp.csr_matrix | None = None,
) -> engine.PositionArrays:
    """Positions (public ones only, unless told otherwise), optionally restricted to `ids`; 4 queries
    (2 for a few `ids`), and the essential skills of their occupations unless given.

    `occupation_essential` gets the essential skills of the positions' occupations and of
    `occupation_columns` (the candidates' occupations; the engine reads no other rows), unless
    the caller has them (every occupation's, `load_occupation_essential()`).
    """
    ids = None if ids is None else [int(pk) for pk in ids]
    if ids is not None and len(ids) <= FEW:
        # A few positions (one rescored, one pair explained): two statements written once.
        rows, related = _few(_few_positions, ids, public_only, timezone.localdate())
        skill_rows, requirement_rows, engagement_rows = _split(related, 3)
        skill_rows = [(position, skill, relation) for position, skill, _n, _r, relation in skill_rows]
        req_rows = [row[:4] for row in requirement_rows]
        engagements = [(employer_, country, region_) for employer_, region_, _n, _r, country in engagement_rows]
    else:
        queryset = Position.objects.public() if public_only else Position.objects.all()
        if ids is not None:
            queryset = queryset.filter(pk__in=ids)
        rows = list(queryset.order_by("pk").values_list(*POSITION_FIELDS))
        skill_query, requirement_query, engagement_query = _position_related(queryset.values("pk"))
        skill_rows = _rows(skill_query.values_list("position_id", "skill_id", "relation_type"))
        req_rows = _rows(requirement_query.values_list("position_id", "language_id", "min_level", "required"))
        engagements = list(engagement_query.values_list("employer_id", "country", "region_id"))
    n_p = len(rows)
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(POSITION_FIELDS)
    (pks, employer, occupation, location, lat, lon, country, region, place_region, permission, start) = cols
    position_ids = np.array(pks, dtype=np.int64)
    abroad = np.array([loc == Position.Location.ABROAD for loc in location], dtype=bool)
    occupation_col = vocabulary.occupation_columns(occupation)
    isco4 = _lookup(vocabulary.occupation_isco4, occupation_col)
    isco2 = _lookup(vocabulary.occupation_isco2, occupation_col)
    employer_ids = np.array(employer, dtype=np.int64)
    employers = np.unique(employer_ids)

    # Skills, essential and optional.
    ids_, skill_, essential_ = (
        np.array([r[0] for r in skill_rows], dtype=np.int64),
        np.array([r[1] for r in skill_rows], dtype=np.int64),
        np.array([r[2] == PositionSkill.Relation.ESSENTIAL for r in skill_rows], dtype=bool),
    )
    s_rows, s_cols = _columns(position_ids, ids_), vocabulary.skill_columns(skill_)
    shape = (n_p, vocabulary.n_skills)
    essential = _matrix(np.where(essential_, s_rows, -1), s_cols, shape)
    optional = _matrix(np.where(~essential_, s_rows, -1), s_cols, shape)

    # Language requirements.
    language_level = np.zeros((n_p, vocabulary.n_languages), dtype=np.int8)
    language_required = np.zeros((n_p, vocabulary.n_languages), dtype=bool)
    if req_rows:
        req = np.array(req_rows, dtype=np.int64)
        r, c = _columns(position_ids, req[:, 0]), vocabulary.language_columns(req[:, 1])
        ok = (r >= 0) & (c >= 0)
        language_level[r[ok], c[ok]] = req[ok, 2]
        language_required[r[ok], c[ok]] = req[ok, 3].astype(bool)

    # Regions of engagement of each position's employer.
    per_position = sp.csr_matrix(
        (np.ones(n_p), (np.arange(n_p), _columns(employers, employer_ids))), shape=(n_p, len(employers))
    )
    e_rows = _columns(employers, [row[0] for row in engagements])
    n_countries, n_regions = len(vocabulary.country_codes), len(vocabulary.region_ids)
    by_employer_c = _matrix(
        e_rows,
        vocabulary.country_columns(row[1] for row in engagements).astype(np.int64),
        (len(employers), n_countries),
    )
    by_employer_r = _matrix(
        e_rows, vocabulary.region_columns(row[2] for row in engagements), (len(employers), n_regions)
    )
    engagement_countries = engine.binary(per_position @ by_employer_c)
    engagement_regions = engine.binary(per_position @ by_employer_r)

    extra = set() if occupation_columns is None else {int(c) for c in occupation_columns}
    wanted = sorted({int(c) for c in occupation_col if c >= 0} | extra)
    return engine.PositionArrays(
        ids=position_ids,
        essential=essential,
        optional=optional,
        occupation=occupation_col.astype(np.int32),
        isco4=np.asarray(isco4, dtype=np.int32),
        isco2=np.asarray(isco2, dtype=np.int32),
        occupation_essential=(
            occupation_essential
            if occupation_essential is not None
            else load_occupation_essential(vocabulary, columns=wanted)
        ),
        language_level=language_level,
        language_required=language_required,
        abroad=abroad,
        lat=_float(lat),
        lon=_float(lon),
        country=vocabulary.country_columns(
            code or ("" if is_abroad else GERMANY) for code, is_abroad in zip(country, abroad, strict=True)
        ),
        region=vocabulary.region_columns(
            own if own is not None else of_place for own, of_place in zip(region, place_region, strict=True)
        ).astype(np.int32),
        engagement_countries=engagement_countries,
        engagement_regions=engagement_regions,
        requires_permission=np.array(permission, dtype=bool),
        start=np.array([_ordinal(d) for d in start], dtype=np.float64),
        elementary=_lookup(vocabulary.occupation_elementary.astype(np.int64), occupation_col) == 1,
        specific_skills=vocabulary.skill_specific,
    )


def _lookup(table: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """table[col] for known columns, -1 for unknown ones."""
    out = np.full(len(cols), -1, dtype=np.int64)
    known = cols >= 0
    out[known] = table[cols[known]]
    return out


def load_occupation_essential(vocabulary: Vocabulary, *, columns: Iterable[int] | None = None) -> sp.csr_matrix:
    """(n_occ, n_skills) essential skills of the occupations in `columns` (all when None); 1 query."""
    relations = OccupationSkill.objects.filter(relation_type=OccupationSkill.Relation.ESSENTIAL)
    if columns is not None:
        wanted = vocabulary.occupation_ids[np.asarray(list(columns), dtype=np.int64)]
        relations = relations.filter(occupation_id__in=wanted.tolist()) if len(wanted) else relations.none()
    rows = _integers(relations.values_list("occupation_id", "skill_id"))
    return _matrix(
        vocabulary.occupation_columns(rows[:, 0]),
        vocabulary.skill_columns(rows[:, 1]),
        (vocabulary.n_occupations, vocabulary.n_skills),
    )


# --- both sides -----------------------------------------------------------------------------


def load(
    *,
    candidate_ids: Iterable[int] | None = None,
    position_ids: Iterable[int] | None = None,
    active_only: bool = True,
    scoring: ScoringConfig | None = None,
    vocabulary: Vocabulary | None = None,
    today: date | None = None,
) -> Inputs:
    """The inputs of one run: active candidates × public positions (each side optionally restricted)."""
    scoring = scoring or ScoringConfig.active()
    today = today or timezone.localdate()
    vocabulary = vocabulary or load_vocabulary()
    candidates = load_candidates(vocabulary, ids=candidate_ids, active_only=active_only, today=today)
    positions = load_positions(
        vocabulary,
        ids=position_ids,
        public_only=active_only,
        occupation_columns=np.unique(candidates.occupations.indices),
    )
    return Inputs(
        vocabulary=vocabulary,
        candidates=candidates,
        positions=positions,
        config=engine_config(scoring, today=today),
        scoring_config=scoring,
    )
