"""Benchmark of the matching engine on a synthetic population at ESCO scale, in memory and on PostgreSQL.

    python -m benchmarks.matching_engine [--candidates 20000 --positions 2000]
        [--sample-candidates 2000 --sample-positions 200]
    DATABASE_URL=postgres://127.0.0.1:5432/bridges_bench python -m benchmarks.matching_engine [--no-database]

Prints what it measures and, last, one JSON line (see `main`). `full_rescore_s` is the engine alone,
in memory. When DATABASE_URL points at PostgreSQL (or with `--database`; `--no-database` skips it)
the same population is also written with COPY into a throw-away database `test_<name>` (created and
migrated like the test runner does, dropped at the end; the database named in DATABASE_URL is never
touched) and `matching.services` rescores it end to end in a fresh process (like a worker, whose memory
holds no synthetic population): `full_rescore_db_s` (load, score, top-K,
write; the second of two full runs, which replaces every match), its parts `db_load_s`,
`db_score_s`, `db_write_s` and `db_other_s` (lock, re-scoring marks, commit), `db_rows_written`,
`db_fill_s`, `full_rescore_db_peak_rss_mb`, and `one_candidate_db_ms` / `one_position_db_ms`
through `services.rescore_candidate` / `rescore_position` ("scope": "engine-in-memory+postgres").

Then (needs REDIS_URL) full rescores by real Celery worker processes: for each count in `--workers`
(default 1,2) the child starts `celery -A bridges worker --concurrency N` on a queue of its own against
the throw-away database, sends `matching.rescore_all` `--repeat` times, and prints the times and the
per-block figures (`--block-candidates` per block: seconds, load/score, rows, bytes, peak RSS of the
process that scored it; matching/blocks.py) and the coordinator's steps of each run (positions,
blocks, candidates again, write): `full_rescore_N_workers_s` (best), `full_rescore_N_workers_all_s`,
`block_N_workers_s_max`, `block_N_workers_peak_rss_mb_max`, `full_rescore_N_workers_phases_s`.
`--large` is 100,000 × 10,000 end to end with 2 worker processes only; `--no-in-memory`,
`--no-single-process` leave those parts out; BENCH_PROFILE=1 profiles the single-record rescores.

The population: 14,000 skills; 3,000 occupations in ~430 ISCO 4-digit groups in ~40 2-digit groups,
skills clustered by group (an occupation draws mostly from its 4-digit group's pool, some from its
2-digit group's pool and some transversal skills). Candidates come from 1–2 occupation profiles with
dropout and noise; positions from one profile each. Relevance for the quality measures: 3 = the
position's occupation is one of the candidate's, 2 = same ISCO 4-digit group, 1 = same 2-digit group.

The hand-labelled scenario (`benchmarks/scenario.py`: 15 positions × 49 candidates a case worker
graded) runs last, unless `--no-scenario`: in a fresh process and a throw-away database (`test_<name>`
of DATABASE_URL on PostgreSQL, else SQLite in memory with Celery tasks run eagerly, as `make run`
does without configuration) it is loaded, rescored end to end through `matching.services` and
measured on the stored lists: `scenario_precision_at_5`, `scenario_ndcg_at_10`,
`scenario_irrelevant_listed` (and `_share`: irrelevant pairs listed for skilled positions by the
relevance rule of issue #10), `scenario_lateral_above_fit`, `scenario_futile_measures`,
`scenario_excluded_shortlistable` (targets 0), `scenario_listed`, `scenario_excluded`.

`engine_pairs_per_s` is the best of 10 calls on fresh copies of the sample (every call prepares
both sides, as a first call does). `one_candidate_ms` / `one_position_ms` score a new candidate
(position) against the same positions (candidates) each time: the engine prepares those once,
as a worker does that keeps them between runs (`matching/inputs_cache.py`).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import io
import json
import math
import os
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import scipy.sparse as sp

from matching import engine, reference
from matching.engine import (
    ALLOWED,
    COMPONENTS,
    NOT_ALLOWED,
    OPEN,
    RETURN,
    STAY,
    WITH_APPROVAL,
    CandidateArrays,
    EngineConfig,
    PositionArrays,
    take_candidates,
    take_positions,
)

N_SKILLS = 14_000
N_OCCUPATIONS = 3_000
N_ISCO4 = 430
N_ISCO2 = 40
N_TRANSVERSAL = 300  # skills shared across all occupations (communication, safety, …): no sign of relevance
N_ELEMENTARY_ISCO2 = 4  # the last 2-digit groups are elementary occupations (ISCO major group 9)
N_LANGUAGES = 12  # 0 = German, 1 = English, 2… = languages of origin
N_COUNTRIES = 15
REGIONS_PER_COUNTRY = 6
TODAY = 739_400  # day ordinal of 2025-05-29; fixed so that runs are comparable

# Towns in and around Thuringia (lat, lon)
TOWNS = np.array(
    [
        (50.978, 11.033),  # Erfurt
        (50.927, 11.589),  # Jena
        (50.980, 11.324),  # Weimar
        (50.880, 12.082),  # Gera
        (50.949, 10.702),  # Gotha
        (50.975, 10.320),  # Eisenach
        (50.609, 10.694),  # Suhl
        (51.505, 10.791),  # Nordhausen
        (51.210, 10.456),  # Mühlhausen
        (50.685, 10.911),  # Ilmenau
        (50.719, 11.339),  # Rudolstadt
        (50.649, 11.364),  # Saalfeld
        (51.340, 12.373),  # Leipzig
        (51.483, 11.970),  # Halle
        (50.828, 12.921),  # Chemnitz
    ]
)


@dataclass
class Taxonomy:
    occupation_isco4: np.ndarray
    isco4_isco2: np.ndarray
    essential: list[np.ndarray]  # per occupation
    optional: list[np.ndarray]
    occupation_essential: sp.csr_matrix


def make_taxonomy(rng: np.random.Generator) -> Taxonomy:
    isco4_isco2 = np.concatenate([np.arange(N_ISCO2), rng.integers(0, N_ISCO2, N_ISCO4 - N_ISCO2)])
    occupation_isco4 = np.concatenate([np.arange(N_ISCO4), rng.integers(0, N_ISCO4, N_OCCUPATIONS - N_ISCO4)])
    specific = np.arange(N_TRANSVERSAL, N_SKILLS)
    isco2_pools = np.array_split(rng.permutation(specific), N_ISCO2)
    isco4_pools = [rng.choice(isco2_pools[isco4_isco2[g]], 60, replace=False) for g in range(N_ISCO4)]

    def profile(occupation: int, n: int) -> np.ndarray:
        g = occupation_isco4[occupation]
        n_group, n_wide = round(n * 0.7), round(n * 0.2)
        parts = [
            rng.choice(isco4_pools[g], n_group, replace=False),
            rng.choice(isco2_pools[isco4_isco2[g]], n_wide, replace=False),
            rng.integers(0, N_TRANSVERSAL, n - n_group - n_wide),
        ]
        return np.unique(np.concatenate(parts))

    essential = [profile(o, int(rng.integers(5, 21))) for o in range(N_OCCUPATIONS)]
    optional = [np.setdiff1d(profile(o, int(rng.integers(5, 21))), essential[o]) for o in range(N_OCCUPATIONS)]
    return Taxonomy(occupation_isco4, isco4_isco2, essential, optional, _rows_matrix(essential, N_SKILLS))


def _rows_matrix(rows: list[np.ndarray], width: int, values: list[np.ndarray] | None = None) -> sp.csr_matrix:
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    indices = np.concatenate(rows).astype(np.int32) if rows else np.empty(0, dtype=np.int32)
    data = np.concatenate(values) if values is not None else np.ones(len(indices), dtype=np.float32)
    matrix = sp.csr_matrix((data, indices, indptr), shape=(len(rows), width))
    matrix.sum_duplicates()
    return matrix


def _days(rng: np.random.Generator, n: int, share_known: float, low: int, high: int) -> np.ndarray:
    values = (TODAY + rng.integers(low, high, n)).astype(np.float64)
    values[rng.random(n) > share_known] = np.nan
    return values


def make_towns(rng: np.random.Generator, n: int = 150) -> tuple[np.ndarray, np.ndarray]:
    """Town coordinates (the loader uses the town of a place, not an address) and how likely each is."""
    anchors = rng.integers(0, len(TOWNS), n - len(TOWNS))
    villages = TOWNS[anchors] + rng.normal(0, 1, (len(anchors), 2)) * (0.08, 0.12)
    towns = np.concatenate([TOWNS, villages])
    weight = np.concatenate([np.full(len(TOWNS), 8.0), np.ones(len(anchors))])
    return towns, weight / weight.sum()


def _places(rng: np.random.Generator, towns, n: int, share_unknown: float) -> tuple[np.ndarray, np.ndarray]:
    coordinates, p = towns
    chosen = coordinates[rng.choice(len(coordinates), n, p=p)]
    lat, lon = chosen[:, 0].copy(), chosen[:, 1].copy()
    unknown = rng.random(n) < share_unknown
    lat[unknown] = lon[unknown] = np.nan
    return lat, lon


def make_candidates(rng: np.random.Generator, t: Taxonomy, towns, n: int) -> tuple[CandidateArrays, list[np.ndarray]]:
    """Candidates and, for the quality measures, the occupations each was sampled from."""
    skills, occupations, years, profiles = [], [], [], []
    for _ in range(n):
        first = int(rng.integers(N_OCCUPATIONS))
        occs = [first]
        if rng.random() < 0.4:
            if rng.random() < 0.5:  # a neighbouring occupation of the same 4-digit group
                same = np.nonzero(t.occupation_isco4 == t.occupation_isco4[first])[0]
                second = int(rng.choice(same))
            else:
                second = int(rng.integers(N_OCCUPATIONS))
            if second != first:
                occs.append(second)
        pool_e = np.concatenate([t.essential[o] for o in occs])
        pool_o = np.concatenate([t.optional[o] for o in occs])
        has = np.concatenate(
            [
                pool_e[rng.random(len(pool_e)) < 0.6],  # dropout: not every skill is recorded
                pool_o[rng.random(len(pool_o)) < 0.3],
                rng.integers(0, N_SKILLS, int(rng.integers(1, 6))),  # noise
            ]
        )
        has = np.unique(has)
        if len(has) > 30:
            has = rng.choice(has, 30, replace=False)
        if len(has) < 5:
            has = np.unique(np.concatenate([has, rng.choice(pool_e, 5, replace=True)]))
        skills.append(np.sort(has))
        occs = np.array(sorted(set(occs)))
        occupations.append(occs)
        years.append(np.round(rng.exponential(3.0, len(occs)) * (rng.random(len(occs)) < 0.8), 1))
        profiles.append(occs)

    isco4_rows, isco4_year_rows = [], []
    for occs, y in zip(occupations, years, strict=True):
        groups = t.occupation_isco4[occs]
        uniq, inverse = np.unique(groups, return_inverse=True)
        isco4_rows.append(uniq)
        isco4_year_rows.append(np.bincount(inverse, weights=y, minlength=len(uniq)))
    isco2_rows = [np.unique(t.isco4_isco2[g]) for g in isco4_rows]

    languages = np.zeros((n, N_LANGUAGES), dtype=np.int8)
    languages[:, 0] = rng.choice([0, 1, 2, 3, 4, 5, 7], n, p=[0.05, 0.1, 0.2, 0.3, 0.2, 0.1, 0.05])
    languages[np.arange(n), rng.integers(2, N_LANGUAGES, n)] = 7  # mother tongue
    extra = rng.random(n) < 0.5
    languages[extra, 1] = rng.integers(1, 7, int(extra.sum()))  # English
    lat, lon = _places(rng, towns, n, 0.02)
    commute = rng.choice([10.0, 25.0, 40.0, 60.0, 80.0], n)
    commute[rng.random(n) < 0.5] = np.nan
    origin_country = rng.integers(0, N_COUNTRIES, n).astype(np.int32)
    origin_region = (origin_country * REGIONS_PER_COUNTRY + rng.integers(0, REGIONS_PER_COUNTRY, n)).astype(np.int32)
    perspective = rng.choice([STAY, RETURN, OPEN], n, p=[0.5, 0.25, 0.25]).astype(np.int8)
    returning = perspective == RETURN
    return_country = np.where(returning, origin_country, -1).astype(np.int32)
    return_region = np.where(returning & (rng.random(n) < 0.7), origin_region, -1).astype(np.int32)
    candidates = CandidateArrays(
        ids=np.arange(1, n + 1, dtype=np.int64),
        skills=_rows_matrix(skills, N_SKILLS),
        occupations=_rows_matrix(occupations, N_OCCUPATIONS),
        occupation_years=_rows_matrix(occupations, N_OCCUPATIONS, years),
        isco4=_rows_matrix(isco4_rows, N_ISCO4),
        isco4_years=_rows_matrix(isco4_rows, N_ISCO4, isco4_year_rows),
        isco2=_rows_matrix(isco2_rows, N_ISCO2),
        languages=languages,
        lat=lat,
        lon=lon,
        commute_km=commute,
        relocate=rng.random(n) < 0.2,
        perspective=perspective,
        origin_country=origin_country,
        origin_region=origin_region,
        return_country=return_country,
        return_region=return_region,
        permission=rng.choice([ALLOWED, WITH_APPROVAL, NOT_ALLOWED], n, p=[0.7, 0.2, 0.1]).astype(np.int8),
        permission_until=_days(rng, n, 0.3, -30, 700),
        available_from=_days(rng, n, 0.5, 0, 180),
        last_confirmed=_days(rng, n, 0.95, -500, 1),
    )
    return candidates, profiles


def make_positions(rng: np.random.Generator, t: Taxonomy, towns, n: int) -> PositionArrays:
    occupation = rng.integers(0, N_OCCUPATIONS, n).astype(np.int32)
    essential, optional = [], []
    for o in occupation:
        group_pool = np.concatenate([t.essential[o], t.optional[o]])
        k = int(rng.integers(5, 16))
        ess = rng.choice(t.essential[o], min(k, len(t.essential[o])), replace=False)
        essential.append(np.sort(ess))
        rest = np.setdiff1d(group_pool, ess)
        optional.append(np.sort(rng.choice(rest, min(int(rng.integers(5, 16)), len(rest)), replace=False)))

    level = np.zeros((n, N_LANGUAGES), dtype=np.int8)
    required = np.zeros((n, N_LANGUAGES), dtype=bool)
    level[:, 0] = rng.choice([2, 3, 4, 5], n, p=[0.2, 0.4, 0.3, 0.1])
    required[:, 0] = rng.random(n) < 0.8
    second = rng.random(n) < 0.4
    level[second, 1] = rng.integers(2, 5, int(second.sum()))

    abroad = rng.random(n) < 0.15
    country = np.where(abroad, rng.integers(0, N_COUNTRIES, n), -1).astype(np.int32)
    region = np.where(
        abroad & (rng.random(n) < 0.8), country * REGIONS_PER_COUNTRY + rng.integers(0, REGIONS_PER_COUNTRY, n), -1
    ).astype(np.int32)
    level[abroad, 0] = 0  # abroad: the local language instead of German
    local = rng.integers(2, N_LANGUAGES, n)
    level[abroad, local[abroad]] = 4
    required[abroad, local[abroad]] = True
    eng_countries, eng_regions = [], []
    for j in range(n):
        if abroad[j]:
            eng_countries.append(
                np.unique(np.append(rng.integers(0, N_COUNTRIES, int(rng.integers(0, 3))), country[j]))
            )
            eng_regions.append(np.unique(rng.integers(0, N_COUNTRIES * REGIONS_PER_COUNTRY, int(rng.integers(0, 5)))))
        else:
            eng_countries.append(np.empty(0, dtype=np.int64))
            eng_regions.append(np.empty(0, dtype=np.int64))
    lat, lon = _places(rng, towns, n, 0.02)
    lat[abroad] = lon[abroad] = np.nan
    return PositionArrays(
        ids=np.arange(1, n + 1, dtype=np.int64),
        essential=_rows_matrix(essential, N_SKILLS),
        optional=_rows_matrix(optional, N_SKILLS),
        occupation=occupation,
        isco4=t.occupation_isco4[occupation].astype(np.int32),
        isco2=t.isco4_isco2[t.occupation_isco4[occupation]].astype(np.int32),
        occupation_essential=t.occupation_essential,
        language_level=level,
        language_required=required,
        abroad=abroad,
        lat=lat,
        lon=lon,
        country=country,
        region=region,
        engagement_countries=_rows_matrix(eng_countries, N_COUNTRIES),
        engagement_regions=_rows_matrix(eng_regions, N_COUNTRIES * REGIONS_PER_COUNTRY),
        requires_permission=~abroad & (rng.random(n) < 0.9),
        start=_days(rng, n, 0.7, 0, 180),
        elementary=t.isco4_isco2[t.occupation_isco4[occupation]] >= N_ISCO2 - N_ELEMENTARY_ISCO2,
        specific_skills=np.arange(N_SKILLS) >= N_TRANSVERSAL,
    )


def default_config() -> EngineConfig:
    weights = {
        "occupation": 3.0,
        "essential_skills": 3.0,
        "optional_skills": 1.0,
        "language": 2.0,
        "experience": 1.0,
        "place": 1.0,
        "perspective": 1.0,
        "availability": 1.0,
        "freshness": 0.5,
    }
    assert set(weights) == set(COMPONENTS)
    return EngineConfig(weights=weights, today=TODAY)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def relevance(t: Taxonomy, profiles: list[np.ndarray], positions: PositionArrays, cand: np.ndarray, j: int):
    """Graded relevance of candidates `cand` for position j (3 / 2 / 1 / 0)."""
    occ = positions.occupation[j]
    g4, g2 = t.occupation_isco4[occ], t.isco4_isco2[t.occupation_isco4[occ]]
    out = np.zeros(len(cand), dtype=np.int64)
    for k, i in enumerate(cand):
        occs = profiles[i]
        if occ in occs:
            out[k] = 3
        elif g4 in t.occupation_isco4[occs]:
            out[k] = 2
        elif g2 in t.isco4_isco2[t.occupation_isco4[occs]]:
            out[k] = 1
    return out


def quality(t, profiles, candidates, positions, config, result) -> tuple[float, float]:
    """Mean NDCG@10 and precision@5 (relevant = relevance ≥ 2) of the positions' ranked lists.

    The ideal list is drawn from the candidates eligible for the position (not excluded by a hard
    constraint): the rules are not ranking errors. Positions without an eligible relevant candidate
    are left out of the means."""
    n_p = len(positions.ids)
    # relevance counts of the eligible candidates per position, in blocks
    eligible_counts = np.zeros((n_p, 4), dtype=np.int64)
    occ_p = positions.occupation
    for start in range(0, len(candidates.ids), engine.BLOCK):
        rows = np.arange(start, min(len(candidates.ids), start + engine.BLOCK))
        _, _, excl = engine.score_matrix(take_candidates(candidates, rows), positions, config)
        rel = np.zeros((len(rows), n_p), dtype=np.int64)
        for k, i in enumerate(rows):
            occs = profiles[i]
            g4 = t.occupation_isco4[occs]
            g2 = t.isco4_isco2[g4]
            rel[k] = np.where(
                np.isin(occ_p, occs),
                3,
                np.where(np.isin(t.occupation_isco4[occ_p], g4), 2, np.isin(positions.isco2, g2)),
            )
        rel[excl != 0] = -1
        for level in range(4):
            eligible_counts[:, level] += (rel == level).sum(axis=0)

    in_list = result.rank_for_position > 0
    pos_of, cand_of, rank_of = (
        result.position_index[in_list],
        result.candidate_index[in_list],
        result.rank_for_position[in_list],
    )
    order = np.lexsort((rank_of, pos_of))
    pos_of, cand_of = pos_of[order], cand_of[order]
    starts = np.searchsorted(pos_of, np.arange(n_p + 1))
    discounts = 1 / np.log2(np.arange(2, 12))
    ndcgs, precisions = [], []
    for j in range(n_p):
        ideal_rel = np.repeat([3, 2, 1, 0], eligible_counts[j, ::-1])[:10]
        idcg = ((2.0**ideal_rel - 1) * discounts[: len(ideal_rel)]).sum()
        if idcg == 0:
            continue
        ranked = cand_of[starts[j] : starts[j + 1]]
        rel = relevance(t, profiles, positions, ranked[:10], j)
        ndcgs.append(((2.0**rel - 1) * discounts[: len(rel)]).sum() / idcg)
        precisions.append((rel[:5] >= 2).sum() / 5)
    return float(np.mean(ndcgs)) if ndcgs else math.nan, float(np.mean(precisions)) if precisions else math.nan


def _seconds(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _median_ms(fn, repeats: int) -> float:
    times = []
    for k in range(repeats):
        started = time.perf_counter()
        fn(k)
        times.append((time.perf_counter() - started) * 1000)
    return float(np.median(times))


# --- end to end on PostgreSQL -------------------------------------------------------------------

COUNTRY_CODES = ("SY", "AF", "UA", "TR", "IQ", "ER", "VN", "IN", "PH", "MA", "TN", "RO", "PL", "AL", "GE")
LANGUAGE_CODES = ("de", "en", "ar", "fa", "uk", "tr", "ku", "ti", "vi", "hi", "tl", "fr")
PERSPECTIVE_NAMES = {STAY: "stay", RETURN: "return", OPEN: "open"}
PERMISSION_NAMES = {ALLOWED: "allowed", WITH_APPROVAL: "with_approval", NOT_ALLOWED: "not_allowed"}
assert len(COUNTRY_CODES) == N_COUNTRIES
assert len(LANGUAGE_CODES) == N_LANGUAGES


def database_wanted(flag: bool | None) -> bool:
    """`--database` / `--no-database`; by default on when DATABASE_URL points at PostgreSQL."""
    if flag is not None:
        return flag
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def _cell(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool | np.bool_):
        return "t" if value else "f"
    if isinstance(value, float | np.floating):
        return r"\N" if math.isnan(value) else repr(float(value))
    return str(value)


def _copy_rows(cursor, table: str, columns: tuple[str, ...], rows) -> int:
    """COPY (text format) of `rows` (tuples of plain values) into `table`; returns the row count."""
    buffer = io.StringIO()
    n = 0
    for row in rows:
        buffer.write("\t".join(_cell(v) for v in row))
        buffer.write("\n")
        n += 1
    buffer.seek(0)
    raw = getattr(cursor, "cursor", cursor)
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    if hasattr(raw, "copy_expert"):  # psycopg2
        raw.copy_expert(sql, buffer)
    else:  # psycopg 3
        with raw.copy(sql) as copy:
            copy.write(buffer.getvalue())
    return n


def _csr_pairs(matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    return rows, matrix.indices, matrix.data


def _day(value: float, shift: int):
    return None if math.isnan(value) else date.fromordinal(int(value) + shift)


def fill_database(t: Taxonomy, towns, candidates: CandidateArrays, positions: PositionArrays) -> dict[str, int]:
    """Write the synthetic population into the (empty, migrated) database with COPY; returns row counts.

    Ids are column + 1 (candidate i has id i + 1, skill s id s + 1, …), so the database holds
    the population the in-memory part scored. Day ordinals are shifted so that the fixed
    `TODAY` of the generator becomes today's date (the loader reads the real date).
    """
    from django.db import DatabaseError, connection, transaction
    from django.utils import timezone

    shift = timezone.localdate().toordinal() - TODAY
    now = timezone.now().isoformat()
    coordinates, _p = towns
    town_of = {(float(lat), float(lon)): k for k, (lat, lon) in enumerate(coordinates)}

    def place(lat: float, lon: float):
        return None if math.isnan(lat) else town_of[(float(lat), float(lon))] + 1

    # ISCO codes: 2-digit groups "10"…, 4-digit codes that start with their 2-digit group's code.
    isco2_code = [f"{10 + g:02d}" for g in range(N_ISCO2 - N_ELEMENTARY_ISCO2)]
    isco2_code += [f"{90 + g:02d}" for g in range(N_ELEMENTARY_ISCO2)]  # elementary: ISCO major group 9
    seen: dict[int, int] = {}
    isco4_code = []
    for g2 in t.isco4_isco2:
        k = seen.get(int(g2), 0)
        seen[int(g2)] = k + 1
        isco4_code.append(f"{isco2_code[g2]}{k:02d}")
    n_c, n_p = len(candidates.ids), len(positions.ids)
    counts: dict[str, int] = {}
    tables = [
        "bridges_language",
        "bridges_region",
        "bridges_place",
        "bridges_skill",
        "bridges_occupation",
        "bridges_occupationskill",
        "candidates_candidate",
        "candidates_candidate_skills",
        "candidates_candidate_desired_occupations",
        "candidates_candidatelanguage",
        "candidates_workexperience",
        "employers_employer",
        "employers_engagementregion",
        "employers_position",
        "employers_positionskill",
        "employers_languagerequirement",
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")

        def copy(table: str, columns: str, rows) -> None:
            counts[table] = _copy_rows(cursor, table, tuple(columns.split()), rows)

        # Taxonomy.
        copy(
            "bridges_language",
            "id code name_en name_de name_ar",
            ((k + 1, code, code, code, "") for k, code in enumerate(LANGUAGE_CODES)),
        )
        copy(
            "bridges_region",
            "id code country name_en name_de name_ar kind aliases",
            (
                (
                    r + 1,
                    f"{COUNTRY_CODES[r // REGIONS_PER_COUNTRY]}-B{r}",
                    COUNTRY_CODES[r // REGIONS_PER_COUNTRY],
                    f"region {r}",
                    "",
                    "",
                    "",
                    "",
                )
                for r in range(N_COUNTRIES * REGIONS_PER_COUNTRY)
            ),
        )
        copy(
            "bridges_place",
            "id geonameid name country region_id admin1_code latitude longitude population",
            (
                (k + 1, 9_000_000 + k, f"town {k}", "DE", None, "15", float(lat), float(lon), 1000)
                for k, (lat, lon) in enumerate(coordinates)
            ),
        )
        copy(
            "bridges_skill",
            "id uri labels skill_type reuse_level",
            (
                (s + 1, None, "{}", "skill/competence", "transversal" if s < N_TRANSVERSAL else "")
                for s in range(N_SKILLS)
            ),
        )
        copy(
            "bridges_occupation",
            "id uri labels code isco_group",
            ((o + 1, None, "{}", "", isco4_code[t.occupation_isco4[o]]) for o in range(N_OCCUPATIONS)),
        )
        copy(
            "bridges_occupationskill",
            "occupation_id skill_id relation_type",
            (
                (o + 1, int(s) + 1, relation)
                for relation, lists in (("essential", t.essential), ("optional", t.optional))
                for o, skills in enumerate(lists)
                for s in skills
            ),
        )

        # Candidates.
        c = candidates
        copy(
            "candidates_candidate",
            "id first_name last_name date_of_birth gender email phone street postal_code place_id nationality "
            "country_of_origin region_of_origin_id residence_status residence_valid_until work_permission "
            "work_permission_valid_until driving_licences max_commute_km willing_to_relocate available_from "
            "desired_working_time perspective return_country return_region_id support_needs support_needs_note "
            "case_worker_id status last_confirmed created_at updated_at rescore_requested_at",
            (
                (
                    int(c.ids[i]),
                    "Kandidat",
                    f"Nr. {i}",
                    date(1980 + i % 25, 1 + i % 12, 1 + i % 28),
                    "",
                    "",
                    "",
                    "",
                    "",
                    place(c.lat[i], c.lon[i]),
                    "",
                    COUNTRY_CODES[c.origin_country[i]],
                    int(c.origin_region[i]) + 1,
                    "aufenthaltserlaubnis",
                    None,
                    PERMISSION_NAMES[int(c.permission[i])],
                    _day(c.permission_until[i], shift),
                    "[]",
                    None if math.isnan(c.commute_km[i]) else int(c.commute_km[i]),
                    bool(c.relocate[i]),
                    _day(c.available_from[i], shift),
                    "either",
                    PERSPECTIVE_NAMES[int(c.perspective[i])],
                    "" if c.return_country[i] < 0 else COUNTRY_CODES[c.return_country[i]],
                    None if c.return_region[i] < 0 else int(c.return_region[i]) + 1,
                    "[]",
                    "",
                    None,
                    "active",
                    _day(c.last_confirmed[i], shift),
                    now,
                    now,
                    None,
                )
                for i in range(n_c)
            ),
        )
        rows, cols, _ = _csr_pairs(c.skills)
        copy("candidates_candidate_skills", "candidate_id skill_id", zip(rows + 1, cols + 1, strict=True))
        rows, cols, _ = _csr_pairs(c.occupations)
        copy(
            "candidates_candidate_desired_occupations",
            "candidate_id occupation_id",
            zip(rows + 1, cols + 1, strict=True),
        )
        rows, cols, years = _csr_pairs(c.occupation_years)
        copy(
            "candidates_workexperience",
            "candidate_id occupation_id job_title employer_name country start_date end_date years",
            (
                (r + 1, o + 1, "", "", "", None, None, f"{min(y, 60.0):.1f}")
                for r, o, y in zip(rows, cols, years, strict=True)
                if y > 0
            ),
        )
        rows, cols = np.nonzero(c.languages)
        copy(
            "candidates_candidatelanguage",
            "candidate_id language_id level",
            ((r + 1, k + 1, int(c.languages[r, k])) for r, k in zip(rows, cols, strict=True)),
        )

        # Employers: the positions in Germany four to an employer; each position abroad its own
        # employer, whose regions of engagement are the position's.
        p = positions
        abroad = np.nonzero(p.abroad)[0]
        domestic = np.nonzero(~p.abroad)[0]
        employer_of = np.empty(n_p, dtype=np.int64)
        employer_of[domestic] = 1 + np.arange(len(domestic)) // 4
        first_abroad = (len(domestic) + 3) // 4 + 1
        employer_of[abroad] = first_abroad + np.arange(len(abroad))
        n_employers = first_abroad + len(abroad) - 1
        copy(
            "employers_employer",
            "id name legal_form sector size street postal_code place_id website description offers_training "
            "offers_language_courses verification review_note reviewed_by_id reviewed_at created_at updated_at",
            (
                (
                    e,
                    f"Betrieb {e}",
                    "gmbh",
                    "C",
                    "",
                    "",
                    "99084",
                    1,
                    "",
                    "",
                    False,
                    False,
                    "approved",
                    "",
                    None,
                    None,
                    now,
                    now,
                )
                for e in range(1, n_employers + 1)
            ),
        )
        countries_of = p.engagement_countries.tolil().rows
        regions_of = p.engagement_regions.tolil().rows
        copy(
            "employers_engagementregion",
            "employer_id country region_id kind note",
            [(int(employer_of[j]), COUNTRY_CODES[k], None, "partner", "") for j in abroad for k in countries_of[j]]
            + [
                (int(employer_of[j]), COUNTRY_CODES[r // REGIONS_PER_COUNTRY], r + 1, "project", "")
                for j in abroad
                for r in regions_of[j]
            ],
        )
        copy(
            "employers_position",
            "id employer_id title description occupation_id position_type location postal_code place_id country "
            "region_id working_time hours_per_week fixed_term start_date openings salary_min salary_max "
            "requires_work_permission driving_licence provides_training provides_language_support "
            "suitable_for_career_changers status expires_on created_by_id created_at updated_at rescore_requested_at",
            (
                (
                    int(p.ids[j]),
                    int(employer_of[j]),
                    f"Stelle {j}",
                    "",
                    int(p.occupation[j]) + 1,
                    "return_abroad" if p.abroad[j] else "employment",
                    "abroad" if p.abroad[j] else "germany",
                    "" if p.abroad[j] else "99084",
                    place(p.lat[j], p.lon[j]),
                    COUNTRY_CODES[p.country[j]] if p.country[j] >= 0 else "",
                    int(p.region[j]) + 1 if p.region[j] >= 0 else None,
                    "full",
                    None,
                    False,
                    _day(p.start[j], shift),
                    1,
                    None,
                    None,
                    bool(p.requires_permission[j]),
                    "",
                    False,
                    False,
                    False,
                    "open",
                    None,
                    None,
                    now,
                    now,
                    None,
                )
                for j in range(n_p)
            ),
        )
        e_rows, e_cols, _ = _csr_pairs(p.essential)
        o_rows, o_cols, _ = _csr_pairs(p.optional)
        copy(
            "employers_positionskill",
            "position_id skill_id relation_type",
            [(r + 1, s + 1, "essential") for r, s in zip(e_rows, e_cols, strict=True)]
            + [(r + 1, s + 1, "optional") for r, s in zip(o_rows, o_cols, strict=True)],
        )
        rows, cols = np.nonzero(p.language_level)
        copy(
            "employers_languagerequirement",
            "position_id language_id min_level required",
            (
                (r + 1, k + 1, int(p.language_level[r, k]), bool(p.language_required[r, k]))
                for r, k in zip(rows, cols, strict=True)
            ),
        )

        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
            )
        cursor.execute(f"ANALYZE {', '.join(tables)}")
    # As autovacuum leaves the tables some time after a bulk load: with the visibility map set, a
    # count over an index (the active candidates, before every one-position rescore) need not
    # visit the rows. VACUUM cannot run inside a transaction, hence its own statement here.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {', '.join(tables)}")
    # The measured runs should not pay for flushing the fill's write-ahead log (superusers only).
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        pass
    return counts


def _reset_peak_rss() -> bool:
    """Reset the process's resident-memory high-water mark (Linux); False where that is impossible."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _vm_mb(field: str = "VmHWM") -> float:
    """A memory figure of /proc/self/status in MB (VmHWM: the peak, VmRSS: now); else the process peak."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


@contextmanager
def _timed(module, name: str, times: dict[str, float], key: str):
    """Time every call of `module.name` (summed into times[key]) while the block runs."""
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            times[key] = times.get(key, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)
    try:
        yield
    finally:
        setattr(module, name, original)


def run_database(population: list, seed: int, options: list[str] | None = None) -> dict:
    """Fill a throw-away PostgreSQL database, rescore it in a fresh process, drop the database.

    `population` is [taxonomy, towns, candidates, positions]. The rescores run in a new Python
    process (`--rescore-in`), like a worker: its memory is Django and the run, not the synthetic
    population this process generated. Like the test runner (and benchmarks/esco_import.py) it
    creates `test_<name>` of DATABASE_URL and never touches the database named there.
    """
    t, towns, candidates, positions = population
    population.clear()
    os.environ.setdefault("DATABASE_URL", "postgres://127.0.0.1:5432/bridges_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridges.settings_test")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(f"--database needs PostgreSQL, DATABASE_URL points at {connection.vendor}")

    old_name = connection.settings_dict["NAME"]
    started = time.perf_counter()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"database: created and migrated {test_name} in {time.perf_counter() - started:.1f} s")
    try:
        started = time.perf_counter()
        counts = fill_database(t, towns, candidates, positions)
        fill_s = time.perf_counter() - started
        del t, towns, candidates, positions
        print(f"  filled with COPY in {fill_s:.1f} s: {sum(counts.values()):,} rows")
        for table, n in counts.items():
            print(f"    {table:<42} {n:>9,}")
        connection.close()
        url = urlsplit(os.environ["DATABASE_URL"])
        child = subprocess.run(
            [
                *(sys.executable, "-m", "benchmarks.matching_engine", "--rescore-in", test_name),
                *("--seed", str(seed), *(options or [])),
            ],
            env={**os.environ, "DATABASE_URL": urlunsplit(url._replace(path="/" + test_name))},
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        lines = child.stdout.splitlines()
        print("\n".join(lines[:-1]))
        measured = json.loads(lines[-1])
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        print(f"database: dropped {test_name}")
    return {"db_fill_s": round(fill_s, 2), **measured}


def rescore_in_database(seed: int, args) -> dict:
    """`--rescore-in NAME`: two full rescores in this process, single ones, through `matching.services`
    in the database of DATABASE_URL (filled by `run_database`), then full rescores by real Celery
    worker processes (`--workers`); prints its figures, last one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridges.settings_test")
    import django

    django.setup()
    from django.conf import settings

    from candidates.models import Candidate
    from employers.models import Position
    from matching import loader, services, writer
    from matching.models import MatchRun

    settings.MATCHING_BLOCK_CANDIDATES = 10**9  # this process scores alone: the single-process path
    rng = np.random.default_rng(seed)
    runs = []
    labels = ("first (empty match table)", "again (replaces every match)") if args.single_process else ()
    for label in labels:
        gc.collect()
        exact = _reset_peak_rss()
        rss_before = _vm_mb("VmRSS")
        times: dict[str, float] = {}
        with (
            _timed(loader, "load", times, "load"),
            _timed(services, "score", times, "score"),
            _timed(writer, "rows_from_result", times, "rows"),
            _timed(writer, "write", times, "write"),
        ):
            started = time.perf_counter()
            run = services.rescore_all(trigger=MatchRun.Trigger.FULL)
            seconds = time.perf_counter() - started
        rss = _vm_mb() if exact else peak_rss_mb()
        runs.append((seconds, rss, times, run))
        print(
            f"  full rescore {label}: {seconds:.2f} s end to end (load {times['load']:.2f} s, "
            f"score + top-K {times['score']:.2f} s, rows {times['rows']:.2f} s, write {times['write']:.2f} s, "
            f"other (lock, marks, commit) {seconds - sum(times.values()):.2f} s), "
            f"{run.pairs_scored:,} pairs, {run.rows_written:,} rows written, "
            f"peak RSS {rss:.0f} MB{f' (before the run: {rss_before:.0f} MB)' if exact else ' (process peak)'}"
        )
    candidate_ids = np.array(Candidate.objects.order_by("pk").values_list("pk", flat=True))
    position_ids = np.array(Position.objects.order_by("pk").values_list("pk", flat=True))
    ids_c = [int(x) for x in candidate_ids[rng.integers(0, len(candidate_ids), 20)]]
    ids_p = [int(x) for x in position_ids[rng.integers(0, len(position_ids), 10)]]
    with _profiled("one-candidate rescores"):
        one_c = _median_ms(lambda k: services.rescore_candidate(candidate_id=ids_c[k]), len(ids_c))
    with _profiled("one-position rescores"):
        one_p = _median_ms(lambda k: services.rescore_position(position_id=ids_p[k]), len(ids_p))
    print(f"  through services: one-candidate rescore {one_c:.1f} ms, one-position {one_p:.1f} ms (median)")
    measured = {"one_candidate_db_ms": round(one_c, 2), "one_position_db_ms": round(one_p, 2)}
    if runs:
        measured.update(_single_process_figures(runs))
    for n in args.workers:
        measured.update(_full_rescore_by_workers(n, args))
    print(json.dumps(measured))
    return measured


@contextmanager
def _profiled(label: str):
    """With BENCH_PROFILE set: the SQL statements and time of the block, and its 25 costliest
    functions (cumulative), printed after it."""
    if not os.environ.get("BENCH_PROFILE"):
        yield
        return
    import cProfile
    import pstats

    from django.db import connection

    statements: dict[str, list[float]] = {}

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.setdefault(" ".join(sql.split())[:110], []).append(time.perf_counter() - started)

    profile = cProfile.Profile()
    with connection.execute_wrapper(timed):
        profile.enable()
        try:
            yield
        finally:
            profile.disable()
    total = sum(sum(times) for times in statements.values())
    count = sum(len(times) for times in statements.values())
    print(f"  profile of the {label}: {count} statements, {total * 1000:.0f} ms of SQL")
    for sql, times in sorted(statements.items(), key=lambda item: -sum(item[1]))[:15]:
        print(f"    {sum(times) * 1000:8.1f} ms {len(times):4}× {sql}")
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
    print(out.getvalue())


def _single_process_figures(runs: list) -> dict:
    seconds, _rss, times, run = runs[-1]
    return {
        "full_rescore_db_s": round(seconds, 3),
        "full_rescore_db_first_s": round(runs[0][0], 3),
        "full_rescore_db_peak_rss_mb": round(max(r[1] for r in runs), 1),
        "db_load_s": round(times["load"], 3),
        "db_score_s": round(times["score"], 3),
        "db_write_s": round(times["rows"] + times["write"], 3),
        "db_other_s": round(seconds - sum(times.values()), 3),
        "db_rows_written": run.rows_written,
    }


def _children_peak_mb(pid: int) -> list[float]:
    """VmHWM (peak resident memory) of each child process of `pid` (the pool of a celery worker)."""
    peaks = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as handle:
                status = dict(line.split(":", 1) for line in handle if ":" in line)
        except OSError:
            continue
        if status.get("PPid", "").strip() == str(pid) and "VmHWM" in status:
            peaks.append(int(status["VmHWM"].split()[0]) / 1024)
    return sorted(peaks, reverse=True)


def _full_rescore_by_workers(n: int, args) -> dict:
    """Full rescores (`--repeat` of them) by a real `celery worker --concurrency n` on REDIS_URL and
    this database: the task `matching.rescore_all` coordinates in one worker process and every
    process scores blocks of `--block-candidates` (matching/blocks.py). Prints each run and the
    per-block figures (seconds, peak RSS of the process that scored it)."""
    import uuid

    from django.db import connection

    from bridges.celery import app
    from matching import blocks
    from matching.models import MatchRun

    if not os.environ.get("REDIS_URL"):
        print(f"  {n} worker process(es): skipped (no REDIS_URL)")
        return {}
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    hostname = f"{queue}@{os.uname().nodename}"
    env = {**os.environ, "MATCHING_BLOCK_CANDIDATES": str(args.block_candidates)}
    env.setdefault("CELERY_TASK_SOFT_TIME_LIMIT", "3600")
    env.setdefault("CELERY_TASK_TIME_LIMIT", "3700")
    log = open(f"/tmp/{queue}.log", "w")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "bridges", "worker", "--concurrency", str(n)),
            *("--queues", queue, "--hostname", hostname, "--without-mingle", "--without-gossip"),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    app.conf.broker_transport_options = {**app.conf.broker_transport_options, "socket_timeout": 3600}
    times, figures, all_phases = [], [], []
    try:
        deadline = time.monotonic() + 120
        while not app.control.ping(destination=[hostname], timeout=1.0):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the celery worker did not start, see /tmp/{queue}.log")
        for attempt in range(args.repeat):
            started = time.perf_counter()
            run_id = app.send_task("matching.rescore_all", args=["full"], queue=queue).get(timeout=3600)
            seconds = time.perf_counter() - started
            connection.close()
            run = MatchRun.objects.get(pk=run_id)
            stats = json.loads(blocks.client().get(blocks.STATS_KEY) or "[]")
            phases = json.loads(blocks.client().get(blocks.PHASES_KEY) or "{}")
            times.append(seconds)
            figures = stats
            processes = {block["worker"] for block in stats}
            print(
                f"  full rescore by {n} worker process(es), run {attempt + 1}: {seconds:.2f} s "
                f"(run {run.duration_s:.2f} s), {run.rows_written:,} rows written, {len(stats)} blocks "
                f"of {args.block_candidates} candidates scored by {len(processes)} process(es)"
            )
            if phases.get("run") == run_id:
                print(
                    f"    the coordinator: positions {phases['positions']:.2f} s, blocks {phases['blocks']:.2f} s, "
                    f"candidates again {phases['candidates']:.2f} s, write {phases['write']:.2f} s"
                )
                all_phases.append(phases)
        for block in figures:
            print(
                f"    block {block['index']:>3}: {block['candidates']:>6} candidates × {block['positions']} positions, "
                f"{block['seconds']:.2f} s (load {block['load_s']:.2f} s, score {block['score_s']:.2f} s), "
                f"{block['rows']:,} rows ({block['bytes'] / 1e6:.1f} MB), peak RSS {block['peak_rss_mb']:.0f} MB, "
                f"{block['worker']}"
            )
        peaks = _children_peak_mb(worker.pid)
        print(
            f"    peak RSS of each worker process over its runs (coordinator, merge and write included): "
            f"{', '.join(f'{mb:.0f} MB' for mb in peaks)}"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        log.close()
    return {
        f"workers_{n}_process_peak_rss_mb": [round(mb, 1) for mb in peaks],
        f"full_rescore_{n}_workers_s": round(min(times), 3),
        f"full_rescore_{n}_workers_all_s": [round(t, 3) for t in times],
        f"block_{n}_workers_s_max": round(max((b["seconds"] for b in figures), default=0.0), 3),
        f"block_{n}_workers_peak_rss_mb_max": round(max((b["peak_rss_mb"] for b in figures), default=0.0), 1),
        f"full_rescore_{n}_workers_phases_s": all_phases,
    }


# --- the hand-labelled scenario ---------------------------------------------------------------


def run_scenario() -> dict:
    """The scenario's figures (keys "scenario_…"), measured by a fresh process (`--scenario-in`) in a
    throw-away database: PostgreSQL when DATABASE_URL points at it, else SQLite in memory. Celery
    tasks run eagerly in that process (no REDIS_URL): no worker of another database sees its ids."""
    env = {**os.environ, "REDIS_URL": "", "CACHE_URL": "", "DJANGO_SETTINGS_MODULE": "bridges.settings_test"}
    if not database_wanted(None):
        env["DATABASE_URL"] = "sqlite://:memory:"
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.matching_engine", "--scenario-in"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    lines = child.stdout.splitlines()
    print("\n".join(lines[:-1]))
    return {f"scenario_{name}": value for name, value in json.loads(lines[-1]).items()}


def scenario_in_database() -> dict:
    """`--scenario-in`: create a throw-away database like the test runner does (`test_<name>`, or
    SQLite in memory), load the scenario, rescore and measure it, drop the database; prints the
    scenario's lines, last one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridges.settings_test")
    import django

    django.setup()
    from django.db import connection

    from benchmarks import scenario

    old_name = connection.settings_dict["NAME"]
    started = time.perf_counter()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    where = "SQLite in memory" if connection.vendor == "sqlite" else test_name
    try:
        scenario.scenario_load()
        print(f"scenario: created, migrated and loaded {where} in {time.perf_counter() - started:.1f} s")
        quality = scenario.scenario_quality()
        print("\n".join(scenario.scenario_report(quality)))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    figures = quality.figures()
    print(json.dumps(figures))
    return figures


def in_memory_figures(args, rng, taxonomy, candidates, profiles, positions, config) -> dict:
    """(1)–(6): the engine in memory on the population; returns the figures of the JSON line."""
    rss_before = peak_rss_mb()

    # (3) the full run first, so that the peak RSS is the engine's (plus the population), not the sample's
    started = time.perf_counter()
    result = engine.score_top_k(candidates, positions, config)
    full_s = time.perf_counter() - started
    rss = peak_rss_mb()
    print(
        f"full score_top_k: {full_s:.2f} s ({result.pairs_scored / full_s / 1e6:.1f} M pairs/s), "
        f"kept {len(result.score)} pairs, peak RSS {rss:.0f} MB (after generating: {rss_before:.0f} MB)"
    )

    # (1) + (2) naive reference and engine on the same sample
    cs = take_candidates(candidates, np.arange(min(args.sample_candidates, args.candidates)))
    ps = take_positions(positions, np.arange(min(args.sample_positions, args.positions)))
    n_sample = len(cs.ids) * len(ps.ids)
    started = time.perf_counter()
    ref_scores, _, ref_excl = reference.score_all(cs, ps, config)
    naive_s = time.perf_counter() - started
    # Best of 10, warm, each on fresh copies: nothing prepared in an earlier call is reused.
    copies = [
        (take_candidates(cs, np.arange(len(cs.ids))), take_positions(ps, np.arange(len(ps.ids)))) for _ in range(10)
    ]
    engine_s = min(_seconds(lambda c=c, p=p: engine.score_top_k(c, p, config)) for c, p in copies)
    del copies
    eng_scores, _, eng_excl = engine.score_matrix(cs, ps, config)
    finite = np.isfinite(ref_scores)
    same_support = bool(np.array_equal(finite, np.isfinite(eng_scores)) and np.array_equal(ref_excl, eng_excl))
    max_diff = float(np.abs(ref_scores[finite] - eng_scores[finite]).max()) if finite.any() else 0.0
    equals = same_support and max_diff <= 1e-9
    naive_rate, engine_rate = n_sample / naive_s, n_sample / engine_s
    print(f"sample {len(cs.ids)} × {len(ps.ids)}: naive {naive_rate:,.0f} pairs/s, engine {engine_rate:,.0f} pairs/s")
    print(f"  engine equals reference: {equals} (max abs score diff {max_diff:.1e}, same exclusions {same_support})")

    # (4) one candidate against all positions, one position against all candidates; the other side is
    # prepared once, as in a worker that keeps it between runs
    pick_c = rng.integers(0, args.candidates, 20)
    pick_p = rng.integers(0, args.positions, 10)
    one_c = _median_ms(lambda k: engine.score_top_k(take_candidates(candidates, [pick_c[k]]), positions, config), 20)
    one_p = _median_ms(lambda k: engine.score_top_k(candidates, take_positions(positions, [pick_p[k]]), config), 10)
    print(f"one-candidate rescore {one_c:.1f} ms, one-position rescore {one_p:.1f} ms (median)")

    # (5) quality
    ndcg, p5 = quality(taxonomy, profiles, candidates, positions, config, result)
    print(f"quality: NDCG@10 {ndcg:.3f}, precision@5 {p5:.3f} (relevant: same 4-digit group or better)")

    # (6) allocation over the kept pairs, 1–3 openings per position
    allocation_s = allocation_ratio = filled = greedy_filled = None
    if importlib.util.find_spec("matching.allocation") is not None:
        from matching import allocation

        openings = rng.integers(1, 4, args.positions)
        pairs = (result.candidate_index, result.position_index, result.score, openings)
        started = time.perf_counter()
        _, total, filled = allocation.allocate(*pairs)
        allocation_s = time.perf_counter() - started
        _, greedy_total, greedy_filled = allocation.greedy(*pairs)
        del pairs
        allocation_ratio = total / greedy_total if greedy_total else None
        print(
            f"allocation over {len(result.score)} pairs, {int(openings.sum())} openings: {allocation_s:.2f} s, "
            f"total {total:,.0f} ({filled} filled) vs greedy {greedy_total:,.0f} ({greedy_filled} filled)"
        )

    return {
        "full_rescore_s": round(full_s, 3),
        "peak_rss_mb": round(rss, 1),
        "naive_pairs_per_s": round(naive_rate),
        "engine_pairs_per_s": round(engine_rate),
        "speedup_vs_naive": round(engine_rate / naive_rate, 1),
        "engine_equals_reference": equals,
        "one_candidate_ms": round(one_c, 2),
        "one_position_ms": round(one_p, 2),
        "ndcg_at_10": round(ndcg, 4),
        "precision_at_5": round(p5, 4),
        "allocation_s": None if allocation_s is None else round(allocation_s, 3),
        "allocation_total_vs_greedy": None if allocation_ratio is None else round(allocation_ratio, 4),
        "allocation_filled": filled,
        "greedy_filled": greedy_filled,
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=20_000)
    parser.add_argument("--positions", type=int, default=2_000)
    parser.add_argument("--sample-candidates", type=int, default=2_000)
    parser.add_argument("--sample-positions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also measure end to end on a throw-away PostgreSQL database (default: when DATABASE_URL is PostgreSQL)",
    )
    parser.add_argument("--rescore-in", metavar="DATABASE", help=argparse.SUPPRESS)  # the child of --database
    parser.add_argument(
        "--scenario",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure the hand-labelled scenario (benchmarks/scenario.py) in a throw-away database",
    )
    parser.add_argument("--scenario-in", action="store_true", help=argparse.SUPPRESS)  # the child of --scenario
    parser.add_argument(
        "--workers",
        default="1,2",
        help="full rescores on PostgreSQL by real Celery worker processes: comma-separated concurrencies "
        "(needs REDIS_URL; '' skips)",
    )
    parser.add_argument("--block-candidates", type=int, default=5000, help="candidates per block of those runs")
    parser.add_argument("--repeat", type=int, default=2, help="full rescores per worker count")
    parser.add_argument(
        "--in-memory",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the in-memory engine figures (full score, sample, single records, quality, allocation)",
    )
    parser.add_argument(
        "--single-process",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the full rescores on PostgreSQL in one process (the single-process path)",
    )
    parser.add_argument(
        "--large",
        action="store_true",
        help="100,000 × 10,000 end to end on PostgreSQL with 2 worker processes only (no in-memory figures, "
        "no single-process run, no scenario)",
    )
    args = parser.parse_args(argv)
    if args.large:
        args.candidates, args.positions, args.workers = 100_000, 10_000, "2"
        args.in_memory = args.single_process = args.scenario = False
    args.workers = [int(n) for n in str(args.workers).split(",") if n.strip()]
    if args.rescore_in:
        return rescore_in_database(args.seed, args)
    if args.scenario_in:
        return scenario_in_database()
    with_database = database_wanted(args.database)

    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    taxonomy = make_taxonomy(rng)
    towns = make_towns(rng)
    candidates, profiles = make_candidates(rng, taxonomy, towns, args.candidates)
    positions = make_positions(rng, taxonomy, towns, args.positions)
    config = default_config()
    gc.collect()
    elapsed = time.perf_counter() - started
    print(f"population: {args.candidates} candidates × {args.positions} positions, generated in {elapsed:.1f} s")
    print(
        f"  skills: candidates {candidates.skills.nnz}, positions essential {positions.essential.nnz}, "
        f"optional {positions.optional.nnz}"
    )
    memory = in_memory_figures(args, rng, taxonomy, candidates, profiles, positions, config) if args.in_memory else {}

    # (3) and (4) once more end to end on PostgreSQL: load, score, top-K, write, through matching.services
    database = {}
    if with_database:
        population = [taxonomy, towns, candidates, positions]
        del taxonomy, towns, candidates, positions, profiles
        gc.collect()
        options = ["--workers", ",".join(map(str, args.workers)), "--block-candidates", str(args.block_candidates)]
        options += ["--repeat", str(args.repeat), "--single-process" if args.single_process else "--no-single-process"]
        database = run_database(population, args.seed, options)

    # (7) quality on the hand-labelled scenario, end to end
    scenario = run_scenario() if args.scenario else {}

    line = {
        "scope": "engine-in-memory+postgres" if with_database else "engine-in-memory",
        "candidates": args.candidates,
        "positions": args.positions,
        **memory,
        **database,
        **scenario,
    }
    print(json.dumps(line))
    return line


if __name__ == "__main__":
    main()
