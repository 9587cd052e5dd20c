"""The suggested allocation respects capacities, pins and prohibitions, and is never worse than greedy."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from matching.allocation import allocate, greedy

# candidate 0 is the best for both positions; greedy gives it position 0 and leaves a poor pair for 1
CANDIDATES = [0, 0, 1, 1]
POSITIONS = [0, 1, 0, 1]
SCORES = [90.0, 80.0, 85.0, 10.0]


def test_allocation_beats_greedy_when_the_best_candidate_is_wanted_twice():
    chosen, total, filled = allocate(CANDIDATES, POSITIONS, SCORES, openings=[1, 1])
    assert chosen.tolist() == [1, 2]
    assert (total, filled) == (165.0, 2)
    g_chosen, g_total, g_filled = greedy(CANDIDATES, POSITIONS, SCORES, openings=[1, 1])
    assert g_chosen.tolist() == [0, 3]
    assert (g_total, g_filled) == (100.0, 2)


def test_a_position_with_two_openings_takes_two_candidates():
    chosen, total, filled = allocate(CANDIDATES, POSITIONS, SCORES, openings=[2, 0])
    assert chosen.tolist() == [0, 2]
    assert (total, filled) == (175.0, 2)


def test_pinned_pair_is_kept_even_when_it_lowers_the_total():
    chosen, total, _ = allocate(CANDIDATES, POSITIONS, SCORES, openings=[1, 1], pinned=[0])
    assert chosen.tolist() == [0, 3]
    assert total == 100.0


def test_forbidden_pair_is_left_out():
    chosen, total, _ = allocate(CANDIDATES, POSITIONS, SCORES, openings=[1, 1], forbidden=[2])
    assert 2 not in chosen.tolist()
    assert chosen.tolist() == [0, 3]
    assert total == 100.0


def test_a_position_without_openings_gets_nobody():
    chosen, total, filled = allocate(CANDIDATES, POSITIONS, SCORES, openings=[0, 0])
    assert (chosen.tolist(), total, filled) == ([], 0.0, 0)


def test_empty_input():
    chosen, total, filled = allocate([], [], [], openings=[])
    assert (chosen.tolist(), total, filled) == ([], 0.0, 0)
    assert greedy([], [], [], openings=[])[1:] == (0.0, 0)


@pytest.mark.parametrize(
    ("pinned", "openings", "message"),
    [
        ([0, 1], [1, 1], "more than one position"),
        ([0, 2], [1, 1], "more pairs pinned"),
    ],
)
def test_impossible_pins_are_refused(pinned, openings, message):
    with pytest.raises(ValueError, match=message):
        allocate(CANDIDATES, POSITIONS, SCORES, openings=openings, pinned=pinned)


def test_pinned_and_forbidden_at_once_is_refused():
    with pytest.raises(ValueError, match="both pinned and forbidden"):
        allocate(CANDIDATES, POSITIONS, SCORES, openings=[1, 1], pinned=[0], forbidden=[0])


@st.composite
def problems(draw):
    n_c = draw(st.integers(1, 12))
    n_p = draw(st.integers(1, 6))
    pairs = draw(st.sets(st.tuples(st.integers(0, n_c - 1), st.integers(0, n_p - 1)), min_size=1, max_size=40))
    pairs = sorted(pairs)
    scores = draw(
        st.lists(st.sampled_from([5.0, 20.0, 33.5, 50.0, 72.25, 99.0]), min_size=len(pairs), max_size=len(pairs))
    )
    openings = draw(st.lists(st.integers(0, 3), min_size=n_p, max_size=n_p))
    cand = [c for c, _ in pairs]
    pos = [p for _, p in pairs]
    # a few pins that are feasible (distinct candidates, within the openings) and a few prohibitions
    pinned, used, left = [], set(), list(openings)
    for k in draw(st.lists(st.integers(0, len(pairs) - 1), max_size=3, unique=True)):
        if cand[k] not in used and left[pos[k]] > 0:
            pinned.append(k)
            used.add(cand[k])
            left[pos[k]] -= 1
    forbidden = [k for k in draw(st.lists(st.integers(0, len(pairs) - 1), max_size=4)) if k not in pinned]
    return cand, pos, scores, openings, pinned, forbidden


def check_feasible(chosen, cand, pos, openings, pinned, forbidden):
    assert len(set(chosen)) == len(chosen)
    assert max(Counter(cand[k] for k in chosen).values(), default=0) <= 1
    for position, count in Counter(pos[k] for k in chosen).items():
        assert count <= openings[position]
    assert set(pinned) <= set(chosen)
    assert not set(forbidden) & set(chosen)


def best_total(cand, pos, scores, openings, pinned, forbidden) -> float:
    """The optimum by a dense assignment over every opening (fine for tiny cases)."""
    pinned_candidates = {cand[k] for k in pinned}
    left = list(openings)
    for k in pinned:
        left[pos[k]] -= 1
    slots = [p for p, o in enumerate(left) for _ in range(o)]
    candidates = sorted(set(cand) - pinned_candidates)
    gain = np.zeros((len(candidates), len(slots) + len(candidates)))
    for k, (c, p) in enumerate(zip(cand, pos, strict=True)):
        if c in pinned_candidates or k in forbidden:
            continue
        for s, slot_position in enumerate(slots):
            if slot_position == p:
                gain[candidates.index(c), s] = scores[k]
    rows, cols = linear_sum_assignment(gain, maximize=True)
    return sum(scores[k] for k in pinned) + gain[rows, cols].sum()


@settings(max_examples=60, deadline=None)
@given(problems())
def test_allocation_is_feasible_optimal_and_at_least_as_good_as_greedy(problem):
    cand, pos, scores, openings, pinned, forbidden = problem
    chosen, total, filled = allocate(cand, pos, scores, openings, pinned=pinned, forbidden=forbidden)
    chosen = chosen.tolist()
    check_feasible(chosen, cand, pos, openings, pinned, forbidden)
    assert filled == len(chosen)
    assert total == pytest.approx(sum(scores[k] for k in chosen))
    g_chosen, g_total, _ = greedy(cand, pos, scores, openings, pinned=pinned, forbidden=forbidden)
    check_feasible(g_chosen.tolist(), cand, pos, openings, pinned, forbidden)
    assert total >= g_total - 1e-9
    assert total == pytest.approx(best_total(cand, pos, scores, openings, pinned, forbidden))
