"""Properties of the engine on random populations: it equals the naive reference, keeps no pair that
violates a hard constraint, never punishes a skill the position asks for, and ignores what is not an
input of the model (the order of the candidates; their origin for positions in Germany)."""

import math
from unittest import mock

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import engine
from matching.engine import COMPONENTS, EXCL_NONE, score_matrix, score_top_k
from matching.reference import explain_pair, score_all, score_pair, top_k
from tests.matching.arrays import TODAY, TOWNS, Taxonomy, make_candidates, make_config, make_positions, take_candidates

N_SKILLS = 30
NOWHERE = (math.nan, math.nan)

skill_sets = st.lists(st.integers(0, N_SKILLS - 1), max_size=8, unique=True)
days = st.one_of(st.none(), st.integers(-400, 300).map(lambda d: TODAY + d))
codes = st.integers(-1, 5)
places = st.sampled_from((*TOWNS, NOWHERE))


@st.composite
def candidate_rows(draw) -> dict:
    return {
        "skills": draw(skill_sets),
        "occupations": draw(st.dictionaries(st.integers(0, 7), st.sampled_from([0.0, 0.5, 1.0, 2.0, 4.0]), max_size=3)),
        "languages": draw(st.dictionaries(st.integers(0, 3), st.integers(0, 7), max_size=4)),
        "town": draw(places),
        "commute_km": draw(st.sampled_from([math.nan, 0.0, 15.0, 40.0, 120.0, 400.0])),
        "relocate": draw(st.booleans()),
        "perspective": draw(st.integers(0, 2)),
        "origin_country": draw(codes),
        "origin_region": draw(st.integers(-1, 9)),
        "return_country": draw(codes),
        "return_region": draw(st.integers(-1, 9)),
        "permission": draw(st.integers(0, 2)),
        "permission_until": draw(days),
        "available_from": draw(days),
        "last_confirmed": draw(days),
    }


@st.composite
def position_rows(draw) -> dict:
    return {
        "occupation": draw(st.integers(-1, 7)),
        "essential": draw(skill_sets),
        "optional": draw(skill_sets),
        "languages": draw(st.dictionaries(st.integers(0, 3), st.tuples(st.integers(1, 7), st.booleans()), max_size=2)),
        "abroad": draw(st.booleans()),
        "town": draw(places),
        "country": draw(codes),
        "region": draw(st.integers(-1, 9)),
        "engagement_countries": draw(st.lists(st.integers(0, 5), max_size=2)),
        "engagement_regions": draw(st.lists(st.integers(0, 9), max_size=3)),
        "requires_permission": draw(st.booleans()),
        "start": draw(days),
    }


@st.composite
def populations(draw, max_candidates=30, max_positions=12):
    essential = tuple(tuple(draw(st.lists(st.integers(0, N_SKILLS - 1), max_size=6, unique=True))) for _ in range(8))
    taxonomy = Taxonomy(
        n_skills=N_SKILLS,
        occupation_essential=essential,
        n_countries=6,
        n_regions=10,
        generic_skills=tuple(draw(st.lists(st.integers(0, N_SKILLS - 1), max_size=10, unique=True))),
        elementary_isco4=tuple(draw(st.lists(st.integers(0, 3), max_size=2, unique=True))),
    )
    candidates = make_candidates(draw(st.lists(candidate_rows(), max_size=max_candidates)), taxonomy)
    positions = make_positions(draw(st.lists(position_rows(), max_size=max_positions)), taxonomy)
    weights = draw(st.fixed_dictionaries({name: st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]) for name in COMPONENTS}))
    if not any(weights.values()):
        weights["occupation"] = 1.0
    config = make_config(
        weights=weights,
        max_language_gap=draw(st.integers(0, 3)),
        default_commute_km=draw(st.sampled_from([0.0, 25.0, 50.0, 150.0])),
        experience_full_years=draw(st.sampled_from([1.0, 3.0, 5.0])),
        min_score=draw(st.sampled_from([0.0, 20.0, 50.0])),
        top_k_per_position=draw(st.integers(0, 5)),
        top_k_per_candidate=draw(st.integers(0, 4)),
        relevance_gate=draw(st.booleans()),
        lateral_entry_factor=draw(st.sampled_from([0.0, 0.5, 0.6, 1.0])),
    )
    return candidates, positions, config


def assert_same_scores(a: np.ndarray, b: np.ndarray) -> None:
    assert np.array_equal(np.isfinite(a), np.isfinite(b))
    assert np.allclose(a[np.isfinite(a)], b[np.isfinite(b)], rtol=0, atol=1e-9, equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(populations())
def test_score_matrix_equals_the_reference(population):
    candidates, positions, config = population
    scores, components, exclusion = score_matrix(candidates, positions, config)
    ref_scores, ref_components, ref_exclusion = score_all(candidates, positions, config)
    assert np.array_equal(exclusion, ref_exclusion)
    assert_same_scores(scores, ref_scores)
    assert np.allclose(components, ref_components, rtol=0, atol=1e-9, equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(populations(), st.sampled_from([engine.PAIRS_PER_BLOCK, 1, 12, 40]))
def test_score_top_k_equals_the_reference(population, pairs_per_block):
    candidates, positions, config = population
    with mock.patch.object(engine, "PAIRS_PER_BLOCK", pairs_per_block):  # also many small blocks
        result = score_top_k(candidates, positions, config)
    ref_scores, ref_components, _ = score_all(candidates, positions, config)
    expected = top_k(ref_scores, config)
    got = {
        (int(i), int(j)): (int(rp), int(rc))
        for i, j, rp, rc in zip(
            result.candidate_index,
            result.position_index,
            result.rank_for_position,
            result.rank_for_candidate,
            strict=True,
        )
    }
    assert got == expected
    i, j = result.candidate_index, result.position_index
    assert np.allclose(result.score, ref_scores[i, j], rtol=0, atol=1e-9, equal_nan=True)
    assert np.allclose(result.components, ref_components[i, j], rtol=0, atol=1e-9, equal_nan=True)
    lateral = [
        explain_pair(candidates, positions, int(a), int(b), config)["lateral"] for a, b in zip(i, j, strict=True)
    ]
    assert result.lateral.tolist() == lateral
    assert result.pairs_scored == len(candidates.ids) * len(positions.ids)


@settings(max_examples=60, deadline=None)
@given(populations())
def test_no_kept_pair_violates_a_hard_constraint(population):
    candidates, positions, config = population
    result = score_top_k(candidates, positions, config)
    for i, j, score in zip(result.candidate_index, result.position_index, result.score, strict=True):
        ref_score, _, exclusion = score_pair(candidates, positions, int(i), int(j), config)
        assert exclusion == EXCL_NONE
        assert ref_score >= config.min_score
        assert score >= config.min_score


@settings(max_examples=60, deadline=None)
@given(populations(), st.data())
def test_adding_a_skill_the_position_asks_for_never_lowers_a_score(population, data):
    candidates, positions, config = population
    n_c, n_p = len(candidates.ids), len(positions.ids)
    if n_c == 0 or n_p == 0:
        return
    i = data.draw(st.integers(0, n_c - 1))
    j = data.draw(st.integers(0, n_p - 1))
    asked = sorted(set(positions.essential[j].indices) | set(positions.optional[j].indices))
    if not asked:
        return
    skill = data.draw(st.sampled_from(asked))
    before = score_matrix(candidates, positions, config)[0]
    skills = candidates.skills.tolil()
    skills[i, skill] = 1.0
    candidates.skills = sp.csr_matrix(skills)
    after = score_matrix(candidates, positions, config)[0]
    assert (np.isfinite(before) <= np.isfinite(after)).all()  # the skill may make a pair relevant, never the reverse
    finite = np.isfinite(before)
    assert (after[finite] >= before[finite] - 1e-9).all()
    assert np.array_equal(np.delete(after, i, axis=0), np.delete(before, i, axis=0))


@settings(max_examples=60, deadline=None)
@given(populations(), st.randoms(use_true_random=False))
def test_the_order_of_the_candidates_does_not_change_their_scores(population, random):
    candidates, positions, config = population
    order = list(range(len(candidates.ids)))
    random.shuffle(order)
    scores = score_matrix(candidates, positions, config)[0]
    shuffled = score_matrix(take_candidates(candidates, order), positions, config)[0]
    assert np.array_equal(shuffled, scores[order])


@settings(max_examples=60, deadline=None)
@given(populations(), st.data())
def test_origin_never_changes_the_score_of_a_position_in_germany(population, data):
    candidates, positions, config = population
    n_c = len(candidates.ids)
    before = score_matrix(candidates, positions, config)[0]
    candidates.origin_country = np.array(data.draw(st.lists(codes, min_size=n_c, max_size=n_c)), dtype=np.int32)
    candidates.origin_region = np.array(
        data.draw(st.lists(st.integers(-1, 9), min_size=n_c, max_size=n_c)), dtype=np.int32
    )
    after = score_matrix(candidates, positions, config)[0]
    germany = ~positions.abroad
    assert np.array_equal(after[:, germany], before[:, germany])
