"""Benchmark of the matching engine on a synthetic population at ESCO scale, in memory.

    python -m matching.bench [--candidates 20000 --positions 2000 --sample-candidates 2000 --sample-positions 200]

Prints what it measures and, last, one JSON line (see `main`). The database part (load from
PostgreSQL, write the results) is measured elsewhere; here `full_rescore_s` is the engine alone
("scope": "engine-in-memory").

The population: 14,000 skills; 3,000 occupations in ~430 ISCO 4-digit groups in ~40 2-digit groups,
skills clustered by group (an occupation draws mostly from its 4-digit group's pool, some from its
2-digit group's pool and some transversal skills). Candidates come from 1–2 occupation profiles with
dropout and noise; positions from one profile each. Relevance for the quality measures: 3 = the
position's occupation is one of the candidate's, 2 = same ISCO 4-digit group, 1 = same 2-digit group.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import math
import resource
import time
from dataclasses import dataclass

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
N_TRANSVERSAL = 300  # skills shared across all occupations (communication, safety, …)
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


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=20_000)
    parser.add_argument("--positions", type=int, default=2_000)
    parser.add_argument("--sample-candidates", type=int, default=2_000)
    parser.add_argument("--sample-positions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

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
    engine_s = min(_seconds(lambda: engine.score_top_k(cs, ps, config)) for _ in range(10))  # best of 10, warm
    eng_scores, _, eng_excl = engine.score_matrix(cs, ps, config)
    finite = np.isfinite(ref_scores)
    same_support = bool(np.array_equal(finite, np.isfinite(eng_scores)) and np.array_equal(ref_excl, eng_excl))
    max_diff = float(np.abs(ref_scores[finite] - eng_scores[finite]).max()) if finite.any() else 0.0
    equals = same_support and max_diff <= 1e-9
    naive_rate, engine_rate = n_sample / naive_s, n_sample / engine_s
    print(f"sample {len(cs.ids)} × {len(ps.ids)}: naive {naive_rate:,.0f} pairs/s, engine {engine_rate:,.0f} pairs/s")
    print(f"  engine equals reference: {equals} (max abs score diff {max_diff:.1e}, same exclusions {same_support})")

    # (4) one candidate against all positions, one position against all candidates
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
        allocation_ratio = total / greedy_total if greedy_total else None
        print(
            f"allocation over {len(result.score)} pairs, {int(openings.sum())} openings: {allocation_s:.2f} s, "
            f"total {total:,.0f} ({filled} filled) vs greedy {greedy_total:,.0f} ({greedy_filled} filled)"
        )

    line = {
        "scope": "engine-in-memory",
        "candidates": args.candidates,
        "positions": args.positions,
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
    print(json.dumps(line))
    return line


if __name__ == "__main__":
    main()
