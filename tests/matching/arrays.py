"""Small hand-built engine inputs for tests: `make_candidates`, `make_positions`, `make_config`.

Rows are dicts of the fields that matter for a test; everything else gets a neutral default
(Erfurt, no languages, perspective "stay", permission allowed, confirmed today). The default
taxonomy has 8 occupations in 4 ISCO 4-digit groups and 2 ISCO 2-digit groups:

    occupation  0 1 | 2 3 | 4 5 | 6 7
    ISCO 4      0 0 | 1 1 | 2 2 | 3 3
    ISCO 2      0 0   0 0 | 1 1   1 1

and occupation o has the essential skills 5·o … 5·o + 4 (skills 0–39; 40–49 are free).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import scipy.sparse as sp

from matching.engine import (  # noqa: F401  (take_candidates/take_positions are re-exported for tests)
    ALLOWED,
    COMPONENTS,
    STAY,
    CandidateArrays,
    EngineConfig,
    PositionArrays,
    take_candidates,
    take_positions,
)

TODAY = date(2025, 6, 2).toordinal()

A1, A2, B1, B2, C1, C2, NATIVE = range(1, 8)
GERMAN, ENGLISH, ARABIC, UKRAINIAN = range(4)

# (lat, lon) of a few towns
ERFURT = (50.9787, 11.0328)
WEIMAR = (50.9795, 11.3235)
JENA = (50.9272, 11.5892)
GERA = (50.8804, 12.0817)
GOTHA = (50.9489, 10.7018)
LEIPZIG = (51.3397, 12.3731)
BERLIN = (52.5200, 13.4050)
TOWNS = (ERFURT, WEIMAR, JENA, GERA, GOTHA, LEIPZIG, BERLIN)


@dataclass(frozen=True)
class Taxonomy:
    n_skills: int = 50
    occupation_isco4: tuple[int, ...] = (0, 0, 1, 1, 2, 2, 3, 3)
    isco4_isco2: tuple[int, ...] = (0, 0, 1, 1)
    # occupation → essential skills; None = 5·o … 5·o + 4
    occupation_essential: tuple[tuple[int, ...], ...] | None = None
    n_languages: int = 4
    n_countries: int = 10
    n_regions: int = 20
    generic_skills: tuple[int, ...] = ()  # transversal or cross-sector: no sign of relevance
    elementary_isco4: tuple[int, ...] = ()  # ISCO 4-digit groups of elementary occupations (major group 9)

    @property
    def n_occupations(self) -> int:
        return len(self.occupation_isco4)

    @property
    def n_isco4(self) -> int:
        return len(self.isco4_isco2)

    @property
    def n_isco2(self) -> int:
        return max(self.isco4_isco2) + 1

    def essential_of(self, occupation: int) -> tuple[int, ...]:
        if self.occupation_essential is not None:
            return self.occupation_essential[occupation]
        return tuple(range(5 * occupation, 5 * occupation + 5))


DEFAULT_TAXONOMY = Taxonomy()


def _day(value) -> float:
    if value is None:
        return math.nan
    if isinstance(value, date):
        return float(value.toordinal())
    return float(value)


def _matrix(rows: list[dict[int, float]], width: int, dtype=np.float64) -> sp.csr_matrix:
    r, c, v = [], [], []
    for i, row in enumerate(rows):
        for col, value in row.items():
            r.append(i)
            c.append(col)
            v.append(value)
    return sp.csr_matrix(
        (np.array(v, dtype=dtype), (np.array(r, dtype=np.int64), np.array(c, dtype=np.int64))), shape=(len(rows), width)
    )


def _ones(rows: list, width: int) -> sp.csr_matrix:
    return _matrix([dict.fromkeys(row, 1.0) for row in rows], width, dtype=np.float32)


def make_candidates(rows: list[dict], taxonomy: Taxonomy = DEFAULT_TAXONOMY) -> CandidateArrays:
    """Keys: id, skills [..], occupations {occ: years} or [occ, ..], languages {lang: level}, lat, lon
    (or town=(lat, lon)), commute_km, relocate, perspective, origin_country, origin_region,
    return_country, return_region, permission, permission_until, available_from, last_confirmed
    (dates as date, day ordinal or None)."""
    t = taxonomy
    n = len(rows)
    occupation_years, isco4_years = [], []
    for row in rows:
        occs = row.get("occupations", {})
        years = dict(occs) if isinstance(occs, dict) else dict.fromkeys(occs, 0.0)
        occupation_years.append(years)
        groups: dict[int, float] = {}
        for occ, y in years.items():
            g = t.occupation_isco4[occ]
            groups[g] = groups.get(g, 0.0) + y
        isco4_years.append(groups)
    languages = np.zeros((n, t.n_languages), dtype=np.int8)
    for i, row in enumerate(rows):
        for lang, level in row.get("languages", {}).items():
            languages[i, lang] = level

    def column(key, default, dtype):
        return np.array([row.get(key, default) for row in rows], dtype=dtype).reshape(n)

    towns = [row.get("town", ERFURT) for row in rows]
    return CandidateArrays(
        ids=np.array([row.get("id", i + 1) for i, row in enumerate(rows)], dtype=np.int64).reshape(n),
        skills=_ones([row.get("skills", ()) for row in rows], t.n_skills),
        occupations=_ones([list(y) for y in occupation_years], t.n_occupations),
        occupation_years=_matrix(occupation_years, t.n_occupations),
        isco4=_ones([list(g) for g in isco4_years], t.n_isco4),
        isco4_years=_matrix(isco4_years, t.n_isco4),
        isco2=_ones([{t.isco4_isco2[g] for g in groups} for groups in isco4_years], t.n_isco2),
        languages=languages,
        lat=np.array([row.get("lat", town[0]) for row, town in zip(rows, towns, strict=True)], dtype=float).reshape(n),
        lon=np.array([row.get("lon", town[1]) for row, town in zip(rows, towns, strict=True)], dtype=float).reshape(n),
        commute_km=column("commute_km", math.nan, float),
        relocate=column("relocate", False, bool),
        perspective=column("perspective", STAY, np.int8),
        origin_country=column("origin_country", -1, np.int32),
        origin_region=column("origin_region", -1, np.int32),
        return_country=column("return_country", -1, np.int32),
        return_region=column("return_region", -1, np.int32),
        permission=column("permission", ALLOWED, np.int8),
        permission_until=np.array([_day(row.get("permission_until")) for row in rows], dtype=float).reshape(n),
        available_from=np.array([_day(row.get("available_from")) for row in rows], dtype=float).reshape(n),
        last_confirmed=np.array([_day(row.get("last_confirmed", TODAY)) for row in rows], dtype=float).reshape(n),
    )


def make_positions(rows: list[dict], taxonomy: Taxonomy = DEFAULT_TAXONOMY) -> PositionArrays:
    """Keys: id, occupation (default 0; isco4/isco2 follow it unless given), essential [..], optional [..],
    languages {lang: level or (level, required)} (required by default), abroad, lat, lon (or town),
    country, region, engagement_countries [..], engagement_regions [..], requires_permission, start,
    elementary (default: the occupation's ISCO group is in taxonomy.elementary_isco4)."""
    t = taxonomy
    n = len(rows)
    language_level = np.zeros((n, t.n_languages), dtype=np.int8)
    language_required = np.zeros((n, t.n_languages), dtype=bool)
    for j, row in enumerate(rows):
        for lang, spec in row.get("languages", {}).items():
            level, required = spec if isinstance(spec, tuple) else (spec, True)
            language_level[j, lang] = level
            language_required[j, lang] = required
    occupation = np.array([row.get("occupation", 0) for row in rows], dtype=np.int32).reshape(n)

    def isco4_of(row, occ):
        return row.get("isco4", t.occupation_isco4[occ] if occ >= 0 else -1)

    isco4 = np.array([isco4_of(row, occ) for row, occ in zip(rows, occupation, strict=True)], dtype=np.int32)
    isco2 = np.array(
        [row.get("isco2", t.isco4_isco2[g] if g >= 0 else -1) for row, g in zip(rows, isco4, strict=True)],
        dtype=np.int32,
    )
    towns = [row.get("town", ERFURT) for row in rows]

    def column(key, default, dtype):
        return np.array([row.get(key, default) for row in rows], dtype=dtype).reshape(n)

    return PositionArrays(
        ids=np.array([row.get("id", j + 1) for j, row in enumerate(rows)], dtype=np.int64).reshape(n),
        essential=_ones([row.get("essential", ()) for row in rows], t.n_skills),
        optional=_ones([row.get("optional", ()) for row in rows], t.n_skills),
        occupation=occupation,
        isco4=isco4.reshape(n),
        isco2=isco2.reshape(n),
        occupation_essential=_ones([t.essential_of(o) for o in range(t.n_occupations)], t.n_skills),
        language_level=language_level,
        language_required=language_required,
        abroad=column("abroad", False, bool),
        lat=np.array([row.get("lat", town[0]) for row, town in zip(rows, towns, strict=True)], dtype=float).reshape(n),
        lon=np.array([row.get("lon", town[1]) for row, town in zip(rows, towns, strict=True)], dtype=float).reshape(n),
        country=column("country", -1, np.int32),
        region=column("region", -1, np.int32),
        engagement_countries=_ones([row.get("engagement_countries", ()) for row in rows], t.n_countries),
        engagement_regions=_ones([row.get("engagement_regions", ()) for row in rows], t.n_regions),
        requires_permission=column("requires_permission", False, bool),
        start=np.array([_day(row.get("start")) for row in rows], dtype=float).reshape(n),
        elementary=np.array(
            [row.get("elementary", int(g) in t.elementary_isco4) for row, g in zip(rows, isco4, strict=True)],
            dtype=bool,
        ).reshape(n),
        specific_skills=~np.isin(np.arange(t.n_skills), t.generic_skills),
    )


def make_config(**overrides) -> EngineConfig:
    """All weights 1, today = TODAY, min_score 0 (keep every eligible pair), the relevance gate off (a
    component's test needs no occupation; the gate has its own tests) unless overridden."""
    values = {"weights": dict.fromkeys(COMPONENTS, 1.0), "today": TODAY, "min_score": 0.0, "relevance_gate": False}
    values.update(overrides)
    return EngineConfig(**values)


def only(component: str, **overrides) -> EngineConfig:
    """A configuration that weighs one component only: the score is 100 × that component."""
    return make_config(weights={component: 1.0}, **overrides)
