"""The scoring engine: pure numpy/scipy on arrays, no Django import.

Inputs are `CandidateArrays` and `PositionArrays` (rows = candidates / positions,
columns of the sparse matrices = skill, occupation or group indices assigned by
the loader). Outputs are scores in [0, 100] with their component values, and the
top-K indices per position and per candidate. No Python loop over pairs: work is
done in blocks of candidates (`BLOCK` × 2,000 positions' worth of pairs) so memory stays bounded.

THE CONTRACT (the loader in matching/loader.py builds the inputs; the writer in
matching/writer.py stores the outputs; matching/reference.py is a naive per-pair
implementation of exactly the same model, used by tests and the benchmark).

Dates are day ordinals (`date.toordinal()`); "unknown" dates are NaN (float arrays).
Codes (countries, regions, ISCO groups, languages) are small integers assigned by
the loader; -1 means unknown/none.

Scoring model (plain-words version in matching/README.md):

Hard constraints (pair excluded, score = -inf, `exclusion` code kept):
  EXCL_PERMISSION  position.requires_permission and position in Germany and
                   (candidate.permission == NOT_ALLOWED or candidate.permission_until < position start
                   (or < today when the start is unknown))
  EXCL_LANGUAGE    a REQUIRED language where required level - candidate level > config.max_language_gap
  EXCL_STAYS       position abroad and candidate perspective == STAY
  EXCL_DISTANCE    position in Germany, both coordinates known, distance > candidate commute radius
                   (config.default_commute_km when the candidate has none) and not willing to relocate
  EXCL_IRRELEVANT  config.relevance_gate, the position is skilled (not elementary, or
                   config.lateral_entry_factor == 0) and the pair is not relevant (below)
Relevance: a pair is relevant when the position's occupation is one of the candidate's, or the same ISCO
  4-digit group is, or an essential skill of the position's occupation that is specific (not transversal or
  cross-sector: positions.specific_skills) is an essential skill of one of the candidate's occupations, or
  the candidate has a specific essential skill of the position. An elementary position (ISCO major group 9,
  positions.elementary) keeps an irrelevant pair as a lateral entry, its score × config.lateral_entry_factor.
Soft components, each in [0, 1], or NaN where there is nothing to compare (left out of the score):
  occupation       max(1.0 if the position's occupation is among the candidate's occupations
                       (desired or experienced), 0.75 if same ISCO 4-digit group, 0.5 if same ISCO
                       2-digit group (first two digits), 0.6 × related) where related = share of the
                       position occupation's essential skills that are essential skills of any of the
                       candidate's occupations
  essential_skills share of the position's essential skills the candidate has (NaN when none required)
  optional_skills  share of the position's optional skills the candidate has (NaN when none)
  language         weighted mean over the position's requirements (required weight 1, nice-to-have
                   0.5) of max(0, 1 - gap / 3) with gap = max(0, required level - candidate level);
                   NaN when the position has no requirement. Levels: A1=1 … C2=6, native=7, none=0.
  experience       min(1, (years in the exact occupation + 0.5 × years in other occupations of the
                   same ISCO 4-digit group) / config.experience_full_years)
  place            Germany: coordinates unknown → 0.5; distance d ≤ radius → 1 - 0.5 × d / radius;
                   beyond radius (and willing to relocate, else excluded) → 0.4.
                   Abroad: 1.0 if the position's region is the candidate's origin or return region;
                   0.8 if the position's country is the candidate's origin or return country;
                   0.5 if the candidate's origin/return region is a region of engagement of the
                   employer; 0.3 if the candidate's origin/return country is a country of engagement;
                   else 0.0 (the maximum of these).
  perspective      Germany: stay 1.0, open 0.8, return 0.4. Abroad, in the candidate's country of origin or
                   return: return 1.0, open 0.7; abroad elsewhere 0.0 (stay is excluded).
  availability     1.0 if available (NaN = now) on or before the start (NaN start = today);
                   else max(0, 1 - days late / 90)
  freshness        last confirmed ≤ 90 days ago → 1.0, falling linearly to 0.0 at 365 days; unknown → 0.3
Score = 100 × Σ weight_k × component_k / Σ weight_k over the components that are not NaN (0 when those
weigh nothing), × config.lateral_entry_factor for a lateral entry (pairs below config.min_score are not kept).

Details the loader, the writer and the tests can rely on:
  - The exclusion code is the first violated constraint in EXCL_* order (permission, language,
    stays, distance, irrelevant). Components are computed for excluded pairs too (score_matrix returns them).
  - Sparse 0/1 inputs are read as "present or not" (any stored non-zero counts once).
  - isco4_years[c, g] is the SUM of occupation_years over the candidate's occupations in group g;
    "years in other occupations of the group" = isco4_years - years in the exact occupation (≥ 0).
  - A code (occupation, ISCO group, country, region) that is -1 or beyond the width of the other side's
    matrix matches nothing. Widths must agree for skills, occupations and languages (ValueError).
  - weights: names must be in COMPONENTS (missing names weigh 0); Σ weights > 0.
  - Distance: haversine with EARTH_RADIUS_KM; a zero commute radius keeps only d == 0 (place 1.0).
  - Top K: pairs kept need score ≥ config.min_score and no exclusion; ties are broken by the lower
    row index (candidate row within a position's list, position row within a candidate's list).
    ScoreResult rows are sorted by candidate_index, then position_index. Ranks are relative to the
    rows passed in: a one-candidate rescore (1 × all positions) ranks that candidate within each
    position's list of one, so the writer recomputes position ranks over its stored rows.
  - Scores are float64 (Σ w·c × column_scale(Σ w), then × lateral_entry_factor); the reference gives the same numbers
    (≤ 1e-9; identical except for the last bits of distances). Components are float64 in [0, 1].
  - Input dtypes: sparse matrices of any numeric dtype (CSR preferred; never mutated); languages and
    language_level small ints (int8); codes int32/int64; dates and coordinates float64 with NaN.
  - score_top_k(..., workers=None) scores blocks on up to WORKERS threads; the result is the same.
    A block has ≈ PAIRS_PER_BLOCK pairs (1,000 candidates × 2,000 positions, fewer positions → more
    rows). take_candidates / take_positions cut rows for a one-candidate or one-position rescore.
  - ScoreResult.lateral marks the kept pairs that are lateral entries (irrelevant, elementary position).
  - positions.elementary None = no position is elementary; positions.specific_skills None = every skill is specific.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace

import numpy as np
import scipy.sparse as sp

BLOCK = 1000  # candidates scored at a time

COMPONENTS = (
    "occupation",
    "essential_skills",
    "optional_skills",
    "language",
    "experience",
    "place",
    "perspective",
    "availability",
    "freshness",
)

# Candidate perspective codes
STAY, RETURN, OPEN = 0, 1, 2
# Candidate work permission codes
ALLOWED, WITH_APPROVAL, NOT_ALLOWED = 0, 1, 2
# Exclusion codes (0 = not excluded)
EXCL_NONE, EXCL_PERMISSION, EXCL_LANGUAGE, EXCL_STAYS, EXCL_DISTANCE, EXCL_IRRELEVANT = 0, 1, 2, 3, 4, 5


@dataclass
class EngineConfig:
    weights: dict[str, float]
    max_language_gap: int = 1
    experience_full_years: float = 3.0
    default_commute_km: float = 50.0
    min_score: float = 20.0
    top_k_per_position: int = 50
    top_k_per_candidate: int = 20
    today: int = 0  # day ordinal of "today"
    relevance_gate: bool = True  # pairs without relevance are left out (skilled) or lateral entries (elementary)
    lateral_entry_factor: float = 0.6  # score factor of a lateral entry; 0 = elementary positions are gated too


@dataclass
class CandidateArrays:
    ids: np.ndarray  # (n_c,) int64 database ids
    skills: sp.csr_matrix  # (n_c, n_skills) 0/1
    occupations: sp.csr_matrix  # (n_c, n_occ) 0/1: desired or experienced occupations
    occupation_years: sp.csr_matrix  # (n_c, n_occ) float: years of experience per occupation
    isco4: sp.csr_matrix  # (n_c, n_isco4) 0/1: ISCO 4-digit groups of the candidate's occupations
    isco4_years: sp.csr_matrix  # (n_c, n_isco4) float: years of experience per 4-digit group
    isco2: sp.csr_matrix  # (n_c, n_isco2) 0/1
    languages: np.ndarray  # (n_c, n_lang) int8 level 0..7
    lat: np.ndarray  # (n_c,) float, NaN unknown
    lon: np.ndarray
    commute_km: np.ndarray  # (n_c,) float, NaN = use config default
    relocate: np.ndarray  # (n_c,) bool
    perspective: np.ndarray  # (n_c,) int8 STAY/RETURN/OPEN
    origin_country: np.ndarray  # (n_c,) int32 code, -1 unknown
    origin_region: np.ndarray
    return_country: np.ndarray
    return_region: np.ndarray
    permission: np.ndarray  # (n_c,) int8 ALLOWED/WITH_APPROVAL/NOT_ALLOWED
    permission_until: np.ndarray  # (n_c,) float day ordinal, NaN = no end date
    available_from: np.ndarray  # (n_c,) float day ordinal, NaN = now
    last_confirmed: np.ndarray  # (n_c,) float day ordinal, NaN unknown


@dataclass
class PositionArrays:
    ids: np.ndarray  # (n_p,) int64 database ids
    essential: sp.csr_matrix  # (n_p, n_skills) 0/1
    optional: sp.csr_matrix  # (n_p, n_skills) 0/1
    occupation: np.ndarray  # (n_p,) int32 occupation index
    isco4: np.ndarray  # (n_p,) int32, -1 unknown
    isco2: np.ndarray  # (n_p,) int32, -1 unknown
    occupation_essential: sp.csr_matrix  # (n_occ, n_skills) 0/1 essential skills of every occupation
    language_level: np.ndarray  # (n_p, n_lang) int8 required minimum level, 0 = no requirement
    language_required: np.ndarray  # (n_p, n_lang) bool: required (True) or nice to have
    abroad: np.ndarray  # (n_p,) bool
    lat: np.ndarray  # (n_p,) float, NaN unknown
    lon: np.ndarray
    country: np.ndarray  # (n_p,) int32, -1 unknown
    region: np.ndarray
    engagement_countries: sp.csr_matrix  # (n_p, n_countries) 0/1: the employer's countries of engagement
    engagement_regions: sp.csr_matrix  # (n_p, n_regions) 0/1: the employer's regions of engagement
    requires_permission: np.ndarray  # (n_p,) bool
    start: np.ndarray  # (n_p,) float day ordinal, NaN unknown
    elementary: np.ndarray | None = None  # (n_p,) bool: ISCO major group 9 (None: none is)
    specific_skills: np.ndarray | None = None  # (n_skills,) bool: not transversal or cross-sector (None: all are)


@dataclass
class ScoreResult:
    """Scores of the kept pairs, as parallel arrays (one entry per kept pair)."""

    candidate_index: np.ndarray  # (n_pairs,) int: row in CandidateArrays
    position_index: np.ndarray  # (n_pairs,) int: row in PositionArrays
    score: np.ndarray  # (n_pairs,) float 0..100
    components: np.ndarray  # (n_pairs, len(COMPONENTS)) float
    rank_for_position: np.ndarray  # (n_pairs,) int, 0 = not in the position's top K
    rank_for_candidate: np.ndarray  # (n_pairs,) int, 0 = not in the candidate's top K
    lateral: np.ndarray | None = None  # (n_pairs,) bool: a lateral entry (see the model)
    pairs_scored: int = 0
    stats: dict = field(default_factory=dict)


def score_matrix(
    candidates: CandidateArrays, positions: PositionArrays, config: EngineConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All pairs at once (for small inputs and tests): (scores (n_c, n_p) with -inf where excluded,
    components (n_c, n_p, n_components), exclusion codes (n_c, n_p))."""
    weights = _weights(config)
    n_c, n_p = _sizes(candidates, positions)
    scores = np.full((n_c, n_p), -np.inf)
    components = np.zeros((n_c, n_p, len(COMPONENTS)))
    exclusion = np.zeros((n_c, n_p), dtype=np.int8)
    if n_c == 0 or n_p == 0:
        return scores, components, exclusion
    pp = _prepared(_PreparedPositions, positions, candidates, config)
    pc = _prepared(_PreparedCandidates, candidates, candidates, config)
    for start, stop in _blocks(n_c, n_p):
        block = _Block(candidates, start, stop, pp, pc, config, weights)
        rows, cols = np.divmod(np.arange((stop - start) * n_p), n_p)
        original = pp.perm[cols]
        scores[start:stop][:, pp.perm] = block.scores()
        components[start + rows, original] = block.components(rows, cols)
        exclusion[start + rows, original] = block.exclusions(rows, cols)
    return scores, components, exclusion


def score_top_k(
    candidates: CandidateArrays,
    positions: PositionArrays,
    config: EngineConfig,
    *,
    workers: int | None = None,
    on_block: Callable[[int, int], None] | None = None,
    position_bar: np.ndarray | None = None,
) -> ScoreResult:
    """Score every pair in blocks and keep the union of the top K per position and per candidate
    (pairs excluded or below config.min_score are never kept). `workers` threads score blocks in
    parallel (default: up to 2); the result does not depend on it. `on_block(done, total)` is
    called after each block (for progress). `position_bar` (a score per position, in the order of
    `positions`): a position keeps only the pairs that reach it (a block of a distributed run: the
    K-th best score other blocks already found there)."""
    started = time.perf_counter()
    weights = _weights(config)
    n_c, n_p = _sizes(candidates, positions)
    if n_c == 0 or n_p == 0:
        return _empty_result(stats={"blocks": 0, "seconds": 0.0})
    k_pos = min(n_c, max(0, int(config.top_k_per_position)))
    k_cand = min(n_p, max(0, int(config.top_k_per_candidate)))
    pp = _prepared(_PreparedPositions, positions, candidates, config)
    pc = _prepared(_PreparedCandidates, candidates, candidates, config)
    floor = float(config.min_score)

    # Per position: the best k_pos candidates so far, each column in ascending candidate order, -inf
    # padded, and where their components are kept (computed only for the pairs that may enter).
    run_score = np.full((k_pos, n_p), -np.inf)
    run_cand = np.zeros((k_pos, n_p), dtype=np.int64)
    run_ref = np.full((k_pos, n_p), -1, dtype=np.int64)
    entered = _Entered(len(COMPONENTS) + 1)
    bar = np.full(n_p, -np.inf)  # each position's k_pos-th best score so far (-inf: fewer yet)
    if position_bar is not None:  # a pair that reaches the bar given may enter (a tie too: `>` below)
        bar = np.nextafter(np.asarray(position_bar, dtype=np.float64)[pp.perm], -np.inf)

    def score_block(bounds: tuple[int, int]):
        start, stop = bounds
        block = _Block(candidates, start, stop, pp, pc, config, weights)
        scores = block.scores()
        # a candidate's best positions, ranked (ties → lower original position index)
        rows, cols = np.nonzero(_select_top(scores, k_cand, floor, pp.perm))
        score = scores[rows, cols]
        rank = _ranks_in_rows(rows, score, pp.perm[cols], stop - start, k_cand)
        by_cand = (rows + start, pp.perm[cols], score, rank, block.kept(rows, cols))
        # The block's pairs that may enter a position's running top K, by position then candidate:
        # eligible and above its bar (which only rises: this thread may see an earlier one; a tie
        # with it goes to the lower candidate, already in), at most the best k_pos of the block
        # (ties → lower candidate). After the first blocks few pairs are above the bar.
        may_enter = _scratch("may_enter", scores.shape, bool)
        np.greater(scores, np.maximum(bar, np.nextafter(max(floor, 0.0), -np.inf)), out=may_enter)
        crowded = np.nonzero(may_enter.sum(axis=0) > k_pos)[0]
        if len(crowded):
            best = _select_top(np.ascontiguousarray(scores[:, crowded].T), k_pos, floor)
            may_enter[:, crowded] &= best.T
        cols, rows = np.nonzero(may_enter.T)
        by_pos = (rows + start, cols, scores[rows, cols], block.kept(rows, cols))
        return by_cand, by_pos

    by_candidate = []
    workers = WORKERS if workers is None else max(1, int(workers))
    blocks = _blocks(n_c, n_p, workers)
    with ThreadPoolExecutor(max_workers=min(workers, len(blocks))) as pool:
        scored = pool.map(score_block, blocks) if workers > 1 and len(blocks) > 1 else map(score_block, blocks)
        for done, (by_cand, (cand, cols, score, comp)) in enumerate(scored, start=1):  # in block order
            if on_block is not None:
                on_block(done, len(blocks))
            by_candidate.append(by_cand)
            if not (k_pos and len(cols)):
                continue
            ref = entered.add(comp)
            block_top = _pack_columns(cols, k_pos, n_p, (score, -np.inf), (cand, 0), (ref, -1))
            both_score, both_cand, both_ref = (
                np.concatenate([run, new]) for run, new in zip((run_score, run_cand, run_ref), block_top, strict=True)
            )
            cols, rows = np.nonzero(_select_top(both_score.T, k_pos, floor))
            run_score, run_cand, run_ref = _pack_columns(
                cols,
                k_pos,
                n_p,
                (both_score[rows, cols], -np.inf),
                (both_cand[rows, cols], 0),
                (both_ref[rows, cols], -1),
            )
            bar = np.maximum(bar, run_score.min(axis=0))
            run_ref = entered.compact(run_ref)

    cand_c, pos_c, score_c, rank_c, comp_c = (np.concatenate(p) for p in zip(*by_candidate, strict=True))
    # Ranks per position: by score, ties → lower candidate (columns are in candidate order).
    order = np.argsort(-run_score, axis=0, kind="stable")
    run_rank = np.empty_like(order)
    np.put_along_axis(run_rank, order, np.arange(1, k_pos + 1)[:, None], axis=0)
    keep = np.isfinite(run_score)
    pos_p = pp.perm[np.nonzero(keep)[1]]  # back to the caller's position order
    cand_p, score_p, rank_p, comp_p = run_cand[keep], run_score[keep], run_rank[keep], entered.take(run_ref[keep])

    # Union of both selections, one row per pair, ordered by candidate then position.
    key_c = cand_c * n_p + pos_c
    key_p = cand_p * n_p + pos_p
    keys, first = np.unique(np.concatenate([key_c, key_p]), return_index=True)
    kept = np.take(np.concatenate([comp_c, comp_p]), first, axis=0)
    rank_for_candidate = np.zeros(len(keys), dtype=np.int64)
    rank_for_position = np.zeros(len(keys), dtype=np.int64)
    rank_for_candidate[np.searchsorted(keys, key_c)] = rank_c
    rank_for_position[np.searchsorted(keys, key_p)] = rank_p
    return ScoreResult(
        candidate_index=keys // n_p,
        position_index=keys % n_p,
        score=np.take(np.concatenate([score_c, score_p]), first),
        components=kept[:, : len(COMPONENTS)],
        rank_for_position=rank_for_position,
        rank_for_candidate=rank_for_candidate,
        lateral=kept[:, len(COMPONENTS)] > 0,
        pairs_scored=n_c * n_p,
        stats={"blocks": len(blocks), "kept": len(keys), "seconds": time.perf_counter() - started},
    )


# --- implementation -----------------------------------------------------------------------------
#
# Most components depend on a few candidate and position attributes with few distinct values
# (language levels, town coordinates and radius, dates). For each such component the block builds a
# small table over the distinct candidate "keys" × distinct position keys and gathers from it; the
# skill and occupation components are sparse products, non-zero for a few pairs only, and are added
# at their non-zeros. The running sum follows the component order of the reference exactly
# (Σ in COMPONENTS order, then × score_scale), so pairs with equal components tie exactly, and the
# numbers equal the reference's up to the last bits of a distance.
# Excluded pairs carry -inf through the sum. Positions are reordered internally so that those in
# Germany come first (contiguous columns); results are mapped back to the caller's order.

PAIRS_PER_BLOCK = BLOCK * 2000  # a block of 1,000 candidates × 2,000 positions; fewer positions → more rows
WORKERS = min(2, os.cpu_count() or 1)  # threads: numpy and scipy release the GIL in the heavy parts
PARALLEL_PAIRS = 1_000_000  # below this, one thread is faster than two (thread overhead, GIL)
ENTERED_SLACK = 100_000  # rows of components that entered a running top K kept beyond twice those still in it
EARTH_RADIUS_KM = 6371.0
OCC, ESS, OPT, LANG, EXP, PLACE, PERSP, AVAIL, FRESH = range(len(COMPONENTS))


def score_scale(total_weight: float) -> float:
    """Score = Σ w·c × score_scale(Σ w): the one multiplication both engine and reference use."""
    return 100.0 / total_weight


def column_scale(total_weight: float) -> float:
    """score_scale of the weights of the components a pair compares; when they weigh nothing, Σ w·c is
    0 (or -inf) and stays so."""
    return score_scale(total_weight) if total_weight > 0 else 1.0


# Components that may have nothing to compare (NaN): bit k of a position's "applicable" key is NEUTRAL[k].
NEUTRAL = (ESS, OPT, LANG)


def applicable_weight(weights, applicable: Iterable[bool]) -> float:
    """Σ of the weights of the components that count for a pair (Python's left-to-right sum, in COMPONENTS
    order, as the reference adds them)."""
    return sum(float(w) for w, counts in zip(weights, applicable, strict=True) if counts)


def _scales(weights: np.ndarray) -> np.ndarray:
    """column_scale for every "applicable" key."""
    scales = []
    for key in range(1 << len(NEUTRAL)):
        counts = [k not in NEUTRAL or bool(key >> NEUTRAL.index(k) & 1) for k in range(len(COMPONENTS))]
        scales.append(column_scale(applicable_weight(weights, counts)))
    return np.array(scales)


_scratch_buffers: dict[tuple[str, str], np.ndarray] = {}
SCRATCH_KEEP = 1_000_000  # elements: main-thread buffers up to this size are kept for the next call


def _scratch(name: str, shape: tuple[int, ...], dtype=np.float64) -> np.ndarray:
    """An array with undefined contents, reused between the calls of the main thread when small.
    Fresh arrays cost a page fault per 4 KiB on first touch: a large part of a small rescore (one
    candidate, one position, a sample), while large runs (worker threads) allocate and free as usual
    so that no big buffer outlives them."""
    size = int(np.prod(shape))
    if size > SCRATCH_KEEP or threading.current_thread() is not threading.main_thread():
        return np.empty(shape, dtype=dtype)
    key = (name, np.dtype(dtype).str)
    buffer = _scratch_buffers.get(key)
    if buffer is None or buffer.size < size:
        buffer = _scratch_buffers[key] = np.empty(size, dtype=dtype)
    return buffer[:size].reshape(shape)


def _weights(config: EngineConfig) -> np.ndarray:
    unknown = set(config.weights) - set(COMPONENTS)
    if unknown:
        raise ValueError(f"unknown score components in weights: {sorted(unknown)}")
    weights = np.array([float(config.weights.get(name, 0.0)) for name in COMPONENTS])
    if (weights < 0).any() or not np.isfinite(weights).all() or weights.sum() <= 0:
        raise ValueError("weights must be finite, non-negative and not all zero")
    if config.experience_full_years <= 0:
        raise ValueError("experience_full_years must be positive")
    return weights


def _sizes(candidates: CandidateArrays, positions: PositionArrays) -> tuple[int, int]:
    if candidates.skills.shape[1] != positions.essential.shape[1]:
        raise ValueError("candidate and position skill matrices have different widths")
    if candidates.occupations.shape[1] != positions.occupation_essential.shape[0]:
        raise ValueError("candidate occupations and occupation_essential disagree on the number of occupations")
    if candidates.languages.shape[1] != positions.language_level.shape[1]:
        raise ValueError("candidate and position language arrays have different widths")
    return len(candidates.ids), len(positions.ids)


def _blocks(n_c: int, n_p: int, workers: int = 1) -> list[tuple[int, int]]:
    size = max(1, min(n_c, PAIRS_PER_BLOCK // max(n_p, 1)))
    if workers > 1 and n_c * n_p >= PARALLEL_PAIRS:  # enough work to keep every worker busy
        size = min(size, -(-n_c // workers))
    return [(start, min(n_c, start + size)) for start in range(0, n_c, size)]


def _empty_result(stats: dict) -> ScoreResult:
    empty = np.empty(0, dtype=np.int64)
    return ScoreResult(
        candidate_index=empty,
        position_index=empty.copy(),
        score=np.empty(0),
        components=np.empty((0, len(COMPONENTS))),
        rank_for_position=empty.copy(),
        rank_for_candidate=empty.copy(),
        lateral=np.zeros(0, dtype=bool),
        pairs_scored=0,
        stats=stats,
    )


def binary(matrix: sp.spmatrix, dtype=np.float32) -> sp.csr_matrix:
    """0/1 matrix of the stored non-zeros (the model only asks: present or not); inputs are never mutated."""
    matrix = sp.csr_matrix(matrix)
    if not matrix.has_canonical_format or not matrix.data.all():
        matrix = matrix.copy()
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
    return sp.csr_matrix((np.ones(matrix.nnz, dtype=dtype), matrix.indices, matrix.indptr), shape=matrix.shape)


def _numbers(matrix: sp.spmatrix) -> sp.csr_matrix:
    """float64 CSR with duplicates summed (a copy when anything had to change: inputs are never mutated)."""
    matrix = sp.csr_matrix(matrix, dtype=np.float64)
    if not matrix.has_canonical_format:
        matrix = matrix.copy()
        matrix.sum_duplicates()
    return matrix


def _one_hot_t(codes: np.ndarray, width: int, dtype=np.float32) -> sp.csr_matrix:
    """(width, n) matrix with a 1 at (code, j); unknown (-1) or out-of-range codes give an empty column."""
    codes = np.asarray(codes, dtype=np.int64)
    cols = np.nonzero((codes >= 0) & (codes < width))[0]
    return sp.csr_matrix((np.ones(len(cols), dtype=dtype), (codes[cols], cols)), shape=(width, len(codes)))


def _lookup(matrix: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """matrix[rows[k], cols[k]] as a flat float64 array."""
    if len(rows) == 0:
        return np.zeros(0)
    return np.asarray(matrix[rows, cols], dtype=np.float64).ravel()


def _keys(n: int, *columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of the given columns (each of length n): (key of every row, first row of every key)."""
    keys = np.zeros(n, dtype=np.int64)
    span = 1
    for column in columns:
        column = np.asarray(column)
        if column.dtype.kind in "biu":  # small integer codes: mixed radix
            codes = column.astype(np.int64)
            codes -= codes.min(initial=0)
        else:
            codes = np.unique(column, return_inverse=True)[1].ravel()  # NaNs count as one value
        size = int(codes.max(initial=0)) + 1
        if span * size >= 2**62:  # renumber before the product overflows
            keys = np.unique(keys, return_inverse=True)[1].ravel()
            span = int(keys.max(initial=0)) + 1
        keys = keys * size + codes
        span *= size
    _, first, keys = np.unique(keys, return_index=True, return_inverse=True)
    return keys.ravel().astype(np.int64), first


def _haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km between (a,) and (b,) points, (a, b) result; NaN where unknown."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(x, dtype=np.float64)) for x in (lat1, lon1, lat2, lon2))
    # sin((y - x) / 2) = sin(y/2) cos(x/2) - cos(y/2) sin(x/2): trigonometry per point, not per pair;
    # exactly 0 for equal coordinates.
    sin_dlat = np.multiply.outer(np.cos(lat1 / 2), np.sin(lat2 / 2)) - np.multiply.outer(
        np.sin(lat1 / 2), np.cos(lat2 / 2)
    )
    sin_dlon = np.multiply.outer(np.cos(lon1 / 2), np.sin(lon2 / 2)) - np.multiply.outer(
        np.sin(lon1 / 2), np.cos(lon2 / 2)
    )
    a = sin_dlat * sin_dlat + np.multiply.outer(np.cos(lat1), np.cos(lat2)) * (sin_dlon * sin_dlon)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _prepared(kind, arrays, candidates: CandidateArrays, config: EngineConfig):
    """`kind(arrays, candidates, config)`, kept on `arrays` for the next call with the same inputs.

    A worker scores the same positions against one candidate after another (and the same
    candidates against one position after another): their preparation is done once. The key is
    the identity of every field and what else the preparation reads, so replacing a field (as
    the tests do) prepares anew; arrays are never changed in place once scored.
    """
    key = (
        tuple(id(getattr(arrays, f.name)) for f in fields(arrays)),
        tuple(m.shape[1] for m in (candidates.isco4, candidates.isco2, candidates.occupation_years)),
        candidates.isco4_years.shape[1],
        config.today,
        config.default_commute_km,
    )
    cached = arrays.__dict__.get(f"_{kind.__name__}")
    if cached is not None and cached[0] == key:
        return cached[1]
    prepared = kind(arrays, candidates, config)
    arrays.__dict__[f"_{kind.__name__}"] = (key, prepared)
    return prepared


class _PreparedCandidates:
    """Everything about the candidates that does not depend on the positions: binary sparse parts
    and the keys of the small tables (a block relabels its slice of them)."""

    def __init__(self, c: CandidateArrays, _c: CandidateArrays, config: EngineConfig):
        n = len(c.ids)
        today = float(config.today)
        self.skills = binary(c.skills)
        self.occupations = binary(c.occupations)
        self.isco2 = binary(c.isco2)
        self.isco4 = binary(c.isco4)
        self.occupation_years = _numbers(c.occupation_years)
        self.isco4_years = _numbers(c.isco4_years)
        lat = np.asarray(c.lat, dtype=np.float64)
        lon = np.asarray(c.lon, dtype=np.float64)
        radius = np.asarray(c.commute_km, dtype=np.float64)
        self.lat, self.lon = lat, lon
        self.radius = np.where(np.isnan(radius), float(config.default_commute_km), radius)
        self.relocate = np.asarray(c.relocate, dtype=bool)
        self.town = _keys(n, lat, lon)
        self.geo = _keys(n, self.town[0], self.radius, self.relocate)
        self.codes = [np.asarray(x, dtype=np.int64) for x in (c.origin_country, c.origin_region)]
        self.codes += [np.asarray(x, dtype=np.int64) for x in (c.return_country, c.return_region)]
        self.abroad = _keys(n, *self.codes)
        available = np.asarray(c.available_from, dtype=np.float64)
        self.available = np.where(np.isnan(available), today, available)
        self.not_allowed = np.asarray(c.permission) == NOT_ALLOWED
        until = np.asarray(c.permission_until, dtype=np.float64)
        self.until = np.where(np.isnan(until), np.inf, until)  # no end date
        self.time = _keys(n, self.available, self.not_allowed, self.until)
        self.n = n

    def rows(self, matrix: sp.csr_matrix, start: int, stop: int) -> sp.csr_matrix:
        return matrix if (start, stop) == (0, self.n) else matrix[start:stop]

    def keys(self, keys: tuple[np.ndarray, np.ndarray], start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """(key of every row, first row of every key) of rows start:stop, as `_keys` gives them."""
        if (start, stop) == (0, self.n):
            return keys
        _, first, inverse = np.unique(keys[0][start:stop], return_index=True, return_inverse=True)
        return inverse.ravel().astype(np.int64), first


class _PreparedPositions:
    """Everything about the positions that does not depend on the candidate block.

    Columns are in internal order: positions in Germany first, then abroad (stable); `perm[c]` is
    the caller's index of internal column c."""

    def __init__(self, p: PositionArrays, c: CandidateArrays, config: EngineConfig):
        abroad_orig = np.asarray(p.abroad, dtype=bool)
        self.perm = np.concatenate([np.nonzero(~abroad_orig)[0], np.nonzero(abroad_orig)[0]])
        perm = self.perm
        n = self.n = len(perm)
        self.n_germany = int((~abroad_orig).sum())

        # Sparse parts: skills, occupation, experience.
        self.ess_t = binary(sp.csr_matrix(p.essential)[perm]).T.tocsr()
        self.opt_t = binary(sp.csr_matrix(p.optional)[perm]).T.tocsr()
        self.ess_count = np.asarray(self.ess_t.sum(axis=0), dtype=np.float64).ravel()
        self.opt_count = np.asarray(self.opt_t.sum(axis=0), dtype=np.float64).ravel()
        n_skills = self.ess_t.shape[0]
        specific = np.ones(n_skills, dtype=bool) if p.specific_skills is None else np.asarray(p.specific_skills, bool)
        only_specific = sp.diags(specific.astype(np.float32))
        self.spec_ess_t = sp.csr_matrix(only_specific @ self.ess_t)
        self.spec_ess_t.eliminate_zeros()
        self.occ_ess = binary(p.occupation_essential)
        n_occ = self.occ_ess.shape[0]
        occupation = np.asarray(p.occupation, dtype=np.int64)[perm]
        known = (occupation >= 0) & (occupation < n_occ)
        pos_occ_ess = sp.diags(known.astype(np.float32)) @ self.occ_ess[np.where(known, occupation, 0)]
        self.pos_occ_ess_t = binary(pos_occ_ess).T.tocsr()
        self.pos_occ_ess_count = np.asarray(self.pos_occ_ess_t.sum(axis=0), dtype=np.float64).ravel()
        self.pos_occ_spec_t = sp.csr_matrix(only_specific @ self.pos_occ_ess_t)
        self.pos_occ_spec_t.eliminate_zeros()
        elementary = np.zeros(n, dtype=bool) if p.elementary is None else np.asarray(p.elementary, dtype=bool)
        self.elementary = elementary[perm]
        isco4 = np.asarray(p.isco4, dtype=np.int64)[perm]
        isco2 = np.asarray(p.isco2, dtype=np.int64)[perm]
        self.occ_t = _one_hot_t(occupation, n_occ)
        self.isco4_t = _one_hot_t(isco4, c.isco4.shape[1])
        self.isco2_t = _one_hot_t(isco2, c.isco2.shape[1])
        self.occ_years_t = _one_hot_t(occupation, c.occupation_years.shape[1], np.float64)
        self.isco4_years_t = _one_hot_t(isco4, c.isco4_years.shape[1], np.float64)

        # Languages: distinct requirement profiles over the languages that any position asks for.
        level = np.asarray(p.language_level, dtype=np.int64)[perm]
        required = np.asarray(p.language_required, dtype=bool)[perm] & (level > 0)
        self.languages = np.nonzero((level > 0).any(axis=0))[0]
        self.lang_key, first = _keys(
            n, *(level[:, lang] for lang in self.languages), *(required[:, lang] for lang in self.languages)
        )
        self.lang_level = level[first][:, self.languages]
        self.lang_required = required[first][:, self.languages]
        # Which of the NEUTRAL components a position compares: bit k set = NEUTRAL[k] counts.
        compares = (self.ess_count > 0, self.opt_count > 0, (level > 0).any(axis=1))
        self.applicable_key = sum(flag.astype(np.int64) << bit for bit, flag in enumerate(compares))

        # Place in Germany: distinct coordinates.
        g = slice(0, self.n_germany)
        lat = np.asarray(p.lat, dtype=np.float64)[perm][g]
        lon = np.asarray(p.lon, dtype=np.float64)[perm][g]
        self.geo_key, first = _keys(self.n_germany, lat, lon)
        self.geo_lat, self.geo_lon = lat[first], lon[first]

        # Place abroad: every position abroad is its own key.
        a = slice(self.n_germany, n)
        self.country = np.asarray(p.country, dtype=np.int64)[perm][a]
        self.region = np.asarray(p.region, dtype=np.int64)[perm][a]
        self.eng_countries_t = binary(sp.csr_matrix(p.engagement_countries)[perm][a]).T.tocsr()
        self.eng_regions_t = binary(sp.csr_matrix(p.engagement_regions)[perm][a]).T.tocsr()

        # Timing: start (unknown = today) and whether the German work permission is needed.
        start = np.asarray(p.start, dtype=np.float64)[perm]
        start = np.where(np.isnan(start), float(config.today), start)
        needs_permission = np.asarray(p.requires_permission, dtype=bool)[perm]
        needs_permission[a] = False
        self.time_key, first = _keys(n, start, needs_permission)
        self.time_start, self.time_needs_permission = start[first], needs_permission[first]


class _Block:
    """One block of candidates against all positions: small tables, sparse parts, scores and components."""

    def __init__(
        self,
        c: CandidateArrays,
        start: int,
        stop: int,
        pp: _PreparedPositions,
        pc: _PreparedCandidates,
        config: EngineConfig,
        weights: np.ndarray,
    ):
        self.pp, self.weights, self.b = pp, weights, stop - start
        self.scale = _scales(weights)[pp.applicable_key]  # 100 / Σ w of the components each position compares
        rows = slice(start, stop)
        today = float(config.today)
        nG = pp.n_germany

        # Sparse parts (b, n): occupation, essential and optional coverage, years.
        skills = pc.rows(pc.skills, start, stop)
        self.ess = _coverage(skills @ pp.ess_t, pp.ess_count)
        self.opt = _coverage(skills @ pp.opt_t, pp.opt_count)
        c_occ = pc.rows(pc.occupations, start, stop)
        c_occ_ess = binary(c_occ @ pp.occ_ess)  # the essential skills of the candidate's occupations
        related = sp.csr_matrix(c_occ_ess @ pp.pos_occ_ess_t, dtype=np.float64)
        related.data = 0.6 * (related.data / pp.pos_occ_ess_count[related.indices])
        same_group = pc.rows(pc.isco4, start, stop) @ pp.isco4_t
        same_occupation = c_occ @ pp.occ_t
        occ = related.maximum(0.5 * (pc.rows(pc.isco2, start, stop) @ pp.isco2_t))
        occ = occ.maximum(0.75 * same_group)
        self.occ = sp.csr_matrix(occ.maximum(binary(same_occupation)), dtype=np.float64)
        # Relevance: non-zero where the pair is relevant (see the model); None when the gate is off.
        self.relevant = self.lateral_cols = None
        if config.relevance_gate:
            shared = c_occ_ess @ pp.pos_occ_spec_t + skills @ pp.spec_ess_t  # specific skills in common
            self.relevant = binary(same_occupation + same_group + shared)
            self.factor = float(config.lateral_entry_factor)
            lateral = pp.elementary & (self.factor > 0)  # elementary positions list lateral entries
            self.lateral_cols, self.gated = np.nonzero(lateral)[0], ~lateral
        # experience: min(1, (exact + 0.5 × max(0, group - exact)) / full years), at the pairs with any years
        exact = _numbers(pc.rows(pc.occupation_years, start, stop) @ pp.occ_years_t)
        group = _numbers(pc.rows(pc.isco4_years, start, stop) @ pp.isco4_years_t)
        exp = sp.csr_matrix(exact + 0.5 * (group - exact).maximum(0))
        exp.data = np.minimum(1.0, exp.data / float(config.experience_full_years))
        self.exp = exp

        # Language table: distinct candidate levels × distinct requirement profiles.
        levels = np.asarray(c.languages[rows], dtype=np.int64)[:, pp.languages]
        self.lang_key, first = _keys(self.b, *levels.T)
        has = levels[first]
        total = np.zeros((len(has), len(pp.lang_level)))
        weight_sum = np.zeros(len(pp.lang_level))
        self.lang_excluded = np.zeros(total.shape, dtype=bool)
        for k in range(len(pp.languages)):
            need = pp.lang_level[:, k]
            asked = need > 0
            diff = need[None, asked] - has[:, k][:, None]
            weight = np.where(pp.lang_required[asked, k], 1.0, 0.5)
            total[:, asked] += np.maximum(0.0, 1.0 - np.maximum(diff, 0) / 3) * weight
            weight_sum[asked] += weight
            self.lang_excluded[:, asked] |= pp.lang_required[None, asked, k] & (diff > config.max_language_gap)
        self.lang = np.full(total.shape, np.nan)  # NaN: the position asks for no language
        np.divide(total, weight_sum, out=self.lang, where=weight_sum > 0)

        # Place in Germany: distinct (coordinates, radius, relocate) × distinct position coordinates.
        lat, lon, radius, relocate = pc.lat[rows], pc.lon[rows], pc.radius[rows], pc.relocate[rows]
        town, first_town = pc.keys(pc.town, start, stop)
        self.geo_key, first = pc.keys(pc.geo, start, stop)
        dist = _haversine_km(lat[first_town], lon[first_town], pp.geo_lat, pp.geo_lon)[town[first]]
        r = radius[first][:, None]
        known = ~np.isnan(dist)
        with np.errstate(invalid="ignore"):
            inside = dist <= r
        # a zero radius only holds d == 0, which scores 1.0 with any divisor
        self.geo = np.where(inside, 1.0 - 0.5 * dist / np.where(r > 0, r, 1.0), 0.4)
        self.geo[~known] = 0.5
        self.geo_excluded = known & ~inside & ~relocate[first][:, None]

        # Place abroad: distinct (origin, return) codes × positions abroad.
        codes = [x[rows] for x in pc.codes]
        self.abroad_key, first = pc.keys(pc.abroad, start, stop)
        o_c, o_r, r_c, r_r = (x[first] for x in codes)
        abroad = np.zeros((len(first), pp.n - nG))
        abroad[_codes_hit(o_c, r_c, pp.eng_countries_t)] = 0.3
        abroad[_codes_hit(o_r, r_r, pp.eng_regions_t)] = 0.5
        abroad[_same(o_c, pp.country) | _same(r_c, pp.country)] = 0.8
        abroad[_same(o_r, pp.region) | _same(r_r, pp.region)] = 1.0
        self.abroad = abroad
        self.home = _same(o_c, pp.country) | _same(r_c, pp.country)  # abroad in the country of origin or return

        # Perspective and freshness: per candidate.
        self.perspective = np.asarray(c.perspective[rows], dtype=np.int64)
        persp = self.perspective
        self.persp_germany = np.select([persp == STAY, persp == OPEN, persp == RETURN], [1.0, 0.8, 0.4], 0.0)
        self.persp_abroad = np.select([persp == RETURN, persp == OPEN], [1.0, 0.7], 0.0)
        confirmed = np.asarray(c.last_confirmed[rows], dtype=np.float64)
        with np.errstate(invalid="ignore"):
            self.fresh = np.minimum(1.0, np.maximum(0.0, 1.0 - (today - confirmed - 90.0) / 275.0))
        self.fresh[np.isnan(confirmed)] = 0.3

        # Timing table: availability, and the work permission (needed, not allowed or expired).
        available, not_allowed, until = pc.available[rows], pc.not_allowed[rows], pc.until[rows]
        self.time_key, first = pc.keys(pc.time, start, stop)
        late = available[first][:, None] - pp.time_start[None, :]
        self.avail = np.where(late <= 0, 1.0, np.maximum(0.0, 1.0 - late / 90))
        blocked = not_allowed[first][:, None] | (until[first][:, None] < pp.time_start[None, :])
        self.time_excluded = blocked & pp.time_needs_permission[None, :]

    def scores(self) -> np.ndarray:
        """(b, n) float64 scores in internal column order, -inf where excluded."""
        pp, w, nG = self.pp, self.weights, self.pp.n_germany

        def hot(values, excluded, weight):
            out = weight * np.nan_to_num(values, nan=0.0)  # a component with nothing to compare adds nothing
            out[excluded] = -np.inf
            return out

        # language first (the first dense term), then the sparse terms before it are put in front
        acc = _scratch("acc", (self.b, pp.n))  # the caller reads it before the thread's next block
        _gather(hot(self.lang, self.lang_excluded, w[LANG]), self.lang_key, pp.lang_key, out=acc)
        head = sp.csr_matrix(w[OCC] * self.occ + w[ESS] * self.ess) + w[OPT] * self.opt  # in this order
        head = sp.coo_matrix(head)
        acc[head.row, head.col] = head.data + acc[head.row, head.col]
        if w[EXP] and self.exp.nnz:
            exp = sp.coo_matrix(self.exp)
            acc[exp.row, exp.col] += w[EXP] * exp.data
        tmp = _scratch("spare", acc.shape)  # free again after this function: _select_top reuses it
        if nG:
            _gather(hot(self.geo, self.geo_excluded, w[PLACE]), self.geo_key, pp.geo_key, out=tmp[:, :nG])
        if nG < pp.n:
            np.take(w[PLACE] * self.abroad, self.abroad_key, axis=0, out=tmp[:, nG:])
        acc += tmp
        acc[:, :nG] += (w[PERSP] * self.persp_germany)[:, None]
        if nG < pp.n:
            home = np.take(self.home, self.abroad_key, axis=0)
            persp_abroad = np.where(home, (w[PERSP] * self.persp_abroad)[:, None], 0.0)
            persp_abroad[self.perspective == STAY] = -np.inf
            acc[:, nG:] += persp_abroad
        _gather(hot(self.avail, self.time_excluded, w[AVAIL]), self.time_key, pp.time_key, out=tmp)
        acc += tmp
        del tmp
        acc += (w[FRESH] * self.fresh)[:, None]
        acc *= self.scale
        if self.relevant is not None:
            self._gate(acc)
        return acc

    def _gate(self, acc: np.ndarray) -> None:
        """Pairs without relevance: × the lateral entry factor for elementary positions, else excluded."""
        relevant = _scratch("relevant", acc.shape, bool)
        relevant.fill(False)
        pattern = self.relevant
        relevant[np.repeat(np.arange(pattern.shape[0]), np.diff(pattern.indptr)), pattern.indices] = True
        cols = self.lateral_cols
        if len(cols):
            lateral = acc[:, cols]
            lateral[~relevant[:, cols]] *= self.factor
            acc[:, cols] = lateral
            relevant[:, cols] = True
        np.putmask(acc, np.logical_not(relevant, out=relevant), -np.inf)

    def _irrelevant(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The pairs (block row, internal column) without relevance (none when the gate is off)."""
        if self.relevant is None:
            return np.zeros(len(rows), dtype=bool)
        return _lookup(self.relevant, rows, cols) == 0

    def kept(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The components of the pairs and, as one more column, 1.0 for a lateral entry."""
        lateral = np.zeros(len(rows))
        if self.relevant is not None and len(self.lateral_cols):
            lateral[~self.gated[cols] & self._irrelevant(rows, cols)] = 1.0
        return np.column_stack([self.components(rows, cols), lateral])

    def components(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """(len(rows), n_components) values of the pairs (block row, internal column)."""
        pp, nG = self.pp, self.pp.n_germany
        out = np.empty((len(rows), len(COMPONENTS)))
        out[:, OCC] = _lookup(self.occ, rows, cols)
        out[:, ESS] = np.where(pp.ess_count[cols] > 0, _lookup(self.ess, rows, cols), np.nan)
        out[:, OPT] = np.where(pp.opt_count[cols] > 0, _lookup(self.opt, rows, cols), np.nan)
        out[:, LANG] = self.lang[self.lang_key[rows], pp.lang_key[cols]]
        out[:, EXP] = _lookup(self.exp, rows, cols)
        germany = cols < nG
        out[germany, PLACE] = self.geo[self.geo_key[rows[germany]], pp.geo_key[cols[germany]]]
        out[~germany, PLACE] = self.abroad[self.abroad_key[rows[~germany]], cols[~germany] - nG]
        out[germany, PERSP] = self.persp_germany[rows[germany]]
        abroad_rows = rows[~germany]
        home = self.home[self.abroad_key[abroad_rows], cols[~germany] - nG]
        out[~germany, PERSP] = np.where(home, self.persp_abroad[abroad_rows], 0.0)
        out[:, AVAIL] = self.avail[self.time_key[rows], pp.time_key[cols]]
        out[:, FRESH] = self.fresh[rows]
        return out

    def exclusions(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Exclusion codes of the pairs (block row, internal column): the first violated constraint."""
        pp, nG = self.pp, self.pp.n_germany
        germany = cols < nG
        code = np.zeros(len(rows), dtype=np.int8)
        if self.relevant is not None:
            code[self._irrelevant(rows, cols) & self.gated[cols]] = EXCL_IRRELEVANT
        geo = np.zeros(len(rows), dtype=bool)
        geo[germany] = self.geo_excluded[self.geo_key[rows[germany]], pp.geo_key[cols[germany]]]
        code[geo] = EXCL_DISTANCE
        code[~germany & (self.perspective[rows] == STAY)] = EXCL_STAYS
        code[self.lang_excluded[self.lang_key[rows], pp.lang_key[cols]]] = EXCL_LANGUAGE
        code[self.time_excluded[self.time_key[rows], pp.time_key[cols]]] = EXCL_PERMISSION
        return code


def _gather(table: np.ndarray, row_keys: np.ndarray, col_keys: np.ndarray, out=None) -> np.ndarray:
    """table[row_keys[i], col_keys[j]] as a (len(row_keys), len(col_keys)) array."""
    if 2 * table.shape[0] <= len(row_keys):  # few distinct rows: widen the table, then copy whole rows
        return np.take(np.take(table, col_keys, axis=1), row_keys, axis=0, out=out)
    return np.take(np.take(table, row_keys, axis=0), col_keys, axis=1, out=out)


def _coverage(counts: sp.spmatrix, required: np.ndarray) -> sp.csr_matrix:
    """Share of the required skills the candidate has (no entry for a position that requires none: its
    component is NaN, see `_Block.components`)."""
    share = sp.csr_matrix(counts, dtype=np.float64)
    share.data = share.data / required[share.indices]
    share.eliminate_zeros()
    return share


def _same(c_codes: np.ndarray, p_codes: np.ndarray) -> np.ndarray:
    """(a, n) bool: candidate code equals position code, both known."""
    return (c_codes[:, None] == p_codes[None, :]) & (c_codes[:, None] >= 0)


def _codes_hit(origin: np.ndarray, target: np.ndarray, engagement_t: sp.csr_matrix) -> np.ndarray:
    """(a, n) bool: the candidate's origin or return code is among the position's engagement codes."""
    width, a = engagement_t.shape[0], len(origin)
    rows, cols = [], []
    for codes in (origin, target):
        ok = np.nonzero((codes >= 0) & (codes < width))[0]
        rows.append(ok)
        cols.append(codes[ok])
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    onehot = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(a, width))
    return (onehot @ engagement_t).toarray() > 0


def _select_top(scores: np.ndarray, k: int, floor: float, tie_order: np.ndarray | None = None) -> np.ndarray:
    """(r, m) bool: the k best entries ≥ floor of every row; ties go to the lower column, or to the
    lower tie_order[column] when given (tie_order = original index of each column).
    Scores are ≥ 0 or -inf (excluded), so anything below 0 is never selected.
    The result is a scratch array of this thread: use it before the next call."""
    r, m = scores.shape
    eligible = np.greater_equal(scores, max(float(floor), 0.0), out=_scratch("eligible", (r, m), bool))
    if k <= 0:
        return np.zeros((r, m), dtype=bool)
    if k >= m:
        return eligible
    # Ineligible entries get distinct negative values: the selection is slow with many equal values.
    # A negative k-th value (fewer than k eligible) selects every eligible entry below.
    part = _scratch("part", (r, m))
    np.copyto(part, scores)
    ineligible = np.logical_not(eligible, out=_scratch("ineligible", (r, m), bool))
    # putmask repeats the m values along the flat (row-major) array: column j gets -1 - j.
    np.putmask(part, ineligible, -1.0 - np.arange(m, dtype=np.float64))
    part.partition(m - k, axis=1)
    kth = part[:, m - k][:, None].copy()  # k-th largest per row
    selected = np.greater(scores, kth, out=_scratch("selected", (r, m), bool))
    selected &= eligible
    tied = np.equal(scores, kth, out=_scratch("tied", (r, m), bool))
    tied &= eligible
    need = k - selected.sum(axis=1)
    crowded = np.nonzero(tied.sum(axis=1) > need)[0]
    if len(crowded):
        # Only rows with more ties at the threshold than places left need the order of the columns.
        sub = tied[crowded]
        order = np.argsort(tie_order, kind="stable") if tie_order is not None else np.arange(m)
        in_order = sub[:, order]
        in_order &= np.cumsum(in_order, axis=1) <= need[crowded, None]
        sub[:, order] = in_order
        tied[crowded] = sub
    selected |= tied
    return selected


def _pack_columns(cols: np.ndarray, k: int, n: int, *columns: tuple[np.ndarray, float]) -> list[np.ndarray]:
    """Entries sorted by column (at most k per column) → a dense (k, n) array of each of `columns`
    (values, what fills the empty places)."""
    slot = np.arange(len(cols)) - np.searchsorted(cols, cols)
    packed = []
    for values, fill in columns:
        out = np.full((k, n), fill, dtype=values.dtype)
        out[slot, cols] = values
        packed.append(out)
    return packed


class _Entered:
    """The components of the pairs that entered the running per-position top K, by reference."""

    def __init__(self, width: int) -> None:
        self.rows = np.empty((0, width))
        self.parts: list[np.ndarray] = []
        self.size = 0

    def add(self, rows: np.ndarray) -> np.ndarray:
        """Keep `rows`; their references."""
        self.parts.append(rows)
        self.size += len(rows)
        return np.arange(self.size - len(rows), self.size)

    def take(self, refs: np.ndarray) -> np.ndarray:
        self._join()
        return self.rows[refs]

    def compact(self, refs: np.ndarray) -> np.ndarray:
        """Let the rows no reference points to go once they are most of what is kept; `refs` renumbered
        (-1 stays -1)."""
        used = refs >= 0
        count = int(used.sum())
        if self.size <= 2 * count + ENTERED_SLACK:
            return refs
        kept = self.take(refs[used])
        self.rows, self.parts, self.size = kept, [], len(kept)
        renumbered = np.full_like(refs, -1)
        renumbered[used] = np.arange(count)
        return renumbered

    def _join(self) -> None:
        if self.parts:
            self.rows = np.concatenate([self.rows, *self.parts])
            self.parts = []


def _ranks_in_rows(rows: np.ndarray, score: np.ndarray, other: np.ndarray, n_rows: int, k: int) -> np.ndarray:
    """1-based rank of each entry within its row (entries grouped by row, at most k per row):
    by score descending, then by the other index ascending."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    slot = np.arange(len(rows)) - np.searchsorted(rows, rows)
    pad_score = np.full((n_rows, k), -np.inf)
    pad_other = np.full((n_rows, k), np.iinfo(np.int64).max)
    pad_score[rows, slot] = score
    pad_other[rows, slot] = other
    order = np.lexsort((pad_other, -pad_score), axis=-1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, k + 1)[None, :], axis=1)
    return ranks[rows, slot]


def take_candidates(candidates: CandidateArrays, rows) -> CandidateArrays:
    """The candidates at `rows` (e.g. one candidate for a rescore), every per-candidate array sliced."""
    rows = np.asarray(rows, dtype=np.int64)
    return replace(candidates, **{f.name: getattr(candidates, f.name)[rows] for f in fields(candidates)})


def take_positions(positions: PositionArrays, rows) -> PositionArrays:
    """The positions at `rows`; occupation_essential (one row per occupation) is kept whole."""
    rows = np.asarray(rows, dtype=np.int64)
    whole = ("occupation_essential", "specific_skills")  # per occupation or per skill, not per position
    return replace(
        positions,
        **{
            f.name: getattr(positions, f.name)[rows]
            for f in fields(positions)
            if f.name not in whole and getattr(positions, f.name) is not None
        },
    )
