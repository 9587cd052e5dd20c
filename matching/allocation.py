"""Capacity-aware allocation: a suggestion of which candidate goes to which position.

Over the scored (kept) pairs, choose pairs so that every candidate appears at most once and
every position at most `openings[position]` times, maximising the total score. Pairs a case
worker pinned are always in, pairs they forbade never. It is a suggestion shown next to the
greedy ranked lists; nothing is ever assigned automatically.

The optimum is a minimum-weight full matching on a sparse bipartite graph between candidates
and openings (one vertex per opening of a position), the smaller side as rows, each row with an
"unassigned" column of its own so that a full matching always exists (scipy's LAPJVsp; a dense
assignment over all openings would not fit in memory at 20,000 × 6,000).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching


def _prepare(candidate_index, position_index, score, openings, pinned, forbidden):
    cand = np.asarray(candidate_index, dtype=np.int64)
    pos = np.asarray(position_index, dtype=np.int64)
    score = np.asarray(score, dtype=np.float64)
    openings = np.asarray(openings, dtype=np.int64)
    if not (len(cand) == len(pos) == len(score)):
        raise ValueError("candidate_index, position_index and score must have the same length")
    if len(pos) and pos.max() >= len(openings):
        raise ValueError("openings must have an entry for every position index")
    pinned = np.unique(np.asarray(list(pinned), dtype=np.int64))
    forbidden = np.unique(np.asarray(list(forbidden), dtype=np.int64))
    if np.intersect1d(pinned, forbidden).size:
        raise ValueError("a pair cannot be both pinned and forbidden")
    if len(np.unique(cand[pinned])) < len(pinned):
        raise ValueError("a candidate is pinned to more than one position")
    remaining = openings - np.bincount(pos[pinned], minlength=len(openings))
    if (remaining < 0).any():
        raise ValueError("more pairs pinned to a position than it has openings")
    return cand, pos, score, remaining, pinned, forbidden


def _open_pairs(cand, pos, score, remaining, pinned, forbidden) -> np.ndarray:
    """Pairs still to decide: not pinned or forbidden, candidate not pinned elsewhere, position not full,
    and worth something (a pair with score ≤ 0 adds nothing)."""
    free = np.ones(len(cand), dtype=bool)
    free[pinned] = False
    free[forbidden] = False
    free &= ~np.isin(cand, cand[pinned])
    free &= remaining[pos] > 0
    free &= score > 0
    return np.nonzero(free)[0]


def _result(chosen: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, float, int]:
    chosen = np.sort(chosen)
    return chosen, float(score[chosen].sum()), len(chosen)


def allocate(
    candidate_index,
    position_index,
    score,
    openings,
    pinned: Iterable[int] = (),
    forbidden: Iterable[int] = (),
) -> tuple[np.ndarray, float, int]:
    """Maximise the total score over the pairs (parallel arrays; `openings` indexed by position index).

    `pinned` and `forbidden` are indices into the pair arrays. Returns (chosen pair indices sorted,
    total score, number of filled openings)."""
    cand, pos, score, remaining, pinned, forbidden = _prepare(
        candidate_index, position_index, score, openings, pinned, forbidden
    )
    pairs = _open_pairs(cand, pos, score, remaining, pinned, forbidden)
    if len(pairs) == 0:
        return _result(pinned, score)

    # One vertex per candidate of the open pairs and one per remaining opening of their positions.
    candidates_of, cand_vertex = np.unique(cand[pairs], return_inverse=True)
    n_cand = len(candidates_of)
    positions, pos_col = np.unique(pos[pairs], return_inverse=True)
    slots = remaining[positions]
    first_slot = np.concatenate([[0], np.cumsum(slots)])
    n_slots = int(first_slot[-1])
    # One edge from a pair's candidate to each opening of its position.
    repeat = slots[pos_col]
    edge_pair = np.repeat(np.arange(len(pairs)), repeat)
    edge_slot = np.repeat(first_slot[pos_col], repeat) + (
        np.arange(len(edge_pair)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    )
    edge_cand = cand_vertex[edge_pair]
    # Minimise Σ (top - score); "unassigned" costs top (score 0). Weights must be non-zero: top > max.
    # The smaller side are the rows (fewer augmentations), each with a dummy column of its own.
    top = float(score[pairs].max()) + 1.0
    slots_are_rows = n_slots < n_cand
    row_of_edge, col_of_edge = (edge_slot, edge_cand) if slots_are_rows else (edge_cand, edge_slot)
    n_rows, n_cols = (n_slots, n_cand) if slots_are_rows else (n_cand, n_slots)
    graph = sp.csr_matrix(
        (
            np.concatenate([top - score[pairs][edge_pair], np.full(n_rows, top)]),
            (
                np.concatenate([row_of_edge, np.arange(n_rows)]),
                np.concatenate([col_of_edge, n_cols + np.arange(n_rows)]),
            ),
        ),
        shape=(n_rows, n_cols + n_rows),
    )
    matched_row, matched_col = min_weight_full_bipartite_matching(graph)
    real = matched_col < n_cols
    matched_row, matched_col = matched_row[real], matched_col[real]
    slot, vertex = (matched_row, matched_col) if slots_are_rows else (matched_col, matched_row)
    # Map (candidate vertex, slot) back to the pair: the slot's position and the candidate identify it.
    slot_position = np.repeat(np.arange(len(positions)), slots)
    keys = cand_vertex * len(positions) + pos_col
    order = np.argsort(keys, kind="stable")
    wanted = vertex * len(positions) + slot_position[slot]
    chosen = pairs[order[np.searchsorted(keys[order], wanted)]]
    return _result(np.concatenate([pinned, chosen]), score)


def greedy(
    candidate_index,
    position_index,
    score,
    openings,
    pinned: Iterable[int] = (),
    forbidden: Iterable[int] = (),
) -> tuple[np.ndarray, float, int]:
    """The comparison: pinned pairs, then the highest scores first (ties → lower pair index) while the
    candidate is free and the position has an opening. Same arguments and result as `allocate`."""
    cand, pos, score, remaining, pinned, forbidden = _prepare(
        candidate_index, position_index, score, openings, pinned, forbidden
    )
    pairs = _open_pairs(cand, pos, score, remaining, pinned, forbidden)
    order = pairs[np.lexsort((pairs, -score[pairs]))]
    taken = set(cand[pinned].tolist())
    left = remaining.copy()
    chosen = list(pinned.tolist())
    for k, c, p in zip(order.tolist(), cand[order].tolist(), pos[order].tolist(), strict=True):
        if c not in taken and left[p] > 0:
            taken.add(c)
            left[p] -= 1
            chosen.append(k)
    return _result(np.asarray(chosen, dtype=np.int64), score)
