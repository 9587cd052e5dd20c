"""Hand-built cases for every hard constraint and every component of the scoring model, the top-K
selection and the explanation. Every case is scored by the engine and by the naive reference."""

import math
from collections import Counter
from datetime import date, timedelta

import numpy as np
import pytest

from matching import engine
from matching.engine import (
    COMPONENTS,
    EXCL_DISTANCE,
    EXCL_IRRELEVANT,
    EXCL_LANGUAGE,
    EXCL_NONE,
    EXCL_PERMISSION,
    EXCL_STAYS,
    NOT_ALLOWED,
    OPEN,
    RETURN,
    STAY,
    WITH_APPROVAL,
    score_matrix,
    score_top_k,
)
from matching.reference import explain_pair, haversine_km, language_gap_text, score_all, top_k
from tests.matching.arrays import (
    A1,
    A2,
    ARABIC,
    B1,
    B2,
    BERLIN,
    C1,
    ENGLISH,
    ERFURT,
    GERMAN,
    JENA,
    LEIPZIG,
    TODAY,
    Taxonomy,
    make_candidates,
    make_config,
    make_positions,
    only,
)


def score_one(candidate: dict, position: dict, config=None, taxonomy=None):
    """(score, components dict, exclusion) of one pair, checked engine against reference."""
    config = config or make_config()
    kwargs = {"taxonomy": taxonomy} if taxonomy else {}
    c, p = make_candidates([candidate], **kwargs), make_positions([position], **kwargs)
    scores, components, exclusion = score_matrix(c, p, config)
    ref_scores, ref_components, ref_exclusion = score_all(c, p, config)
    assert exclusion[0, 0] == ref_exclusion[0, 0]
    assert np.allclose(components, ref_components, rtol=0, atol=1e-12, equal_nan=True)
    if math.isfinite(ref_scores[0, 0]):
        assert scores[0, 0] == pytest.approx(ref_scores[0, 0], abs=1e-9)
    else:
        assert scores[0, 0] == -math.inf
    return scores[0, 0], dict(zip(COMPONENTS, components[0, 0], strict=True)), int(exclusion[0, 0])


def component(name: str, candidate: dict, position: dict, taxonomy=None, **config) -> float:
    score, components, exclusion = score_one(candidate, position, only(name, **config), taxonomy)
    assert exclusion == EXCL_NONE
    assert score == pytest.approx(100 * components[name])
    return components[name]


# --- hard constraints -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("candidate", "position", "expected"),
    [
        ({"permission": NOT_ALLOWED}, {"requires_permission": True}, EXCL_PERMISSION),
        ({"permission": WITH_APPROVAL}, {"requires_permission": True}, EXCL_NONE),
        ({"permission": NOT_ALLOWED}, {"requires_permission": False}, EXCL_NONE),
        ({"permission_until": TODAY + 10}, {"requires_permission": True, "start": TODAY + 30}, EXCL_PERMISSION),
        ({"permission_until": TODAY + 40}, {"requires_permission": True, "start": TODAY + 30}, EXCL_NONE),
        ({"permission_until": TODAY - 1}, {"requires_permission": True}, EXCL_PERMISSION),  # start unknown: today
        ({"permission_until": TODAY}, {"requires_permission": True}, EXCL_NONE),
        # abroad the German work permission does not apply
        ({"permission": NOT_ALLOWED, "perspective": RETURN}, {"requires_permission": True, "abroad": True}, 0),
    ],
)
def test_work_permission_needed_but_missing_or_expired_excludes(candidate, position, expected):
    score, _, exclusion = score_one(candidate, position)
    assert exclusion == expected
    assert math.isfinite(score) == (expected == EXCL_NONE)


def test_required_language_one_step_below_is_allowed_with_a_reduced_component():
    value = component("language", {"languages": {GERMAN: B1}}, {"languages": {GERMAN: B2}})
    assert value == pytest.approx(1 - 1 / 3)


def test_required_language_two_steps_below_excludes():
    _, components, exclusion = score_one({"languages": {GERMAN: A2}}, {"languages": {GERMAN: B2}})
    assert exclusion == EXCL_LANGUAGE
    assert components["language"] == pytest.approx(1 - 2 / 3)


def test_allowed_language_gap_is_configurable():
    _, _, exclusion = score_one(
        {"languages": {GERMAN: A2}}, {"languages": {GERMAN: B2}}, make_config(max_language_gap=2)
    )
    assert exclusion == EXCL_NONE


def test_nice_to_have_language_far_below_does_not_exclude():
    assert component("language", {}, {"languages": {ENGLISH: (C1, False)}}) == 0.0


def test_position_abroad_excludes_candidate_who_stays():
    position = {"abroad": True, "country": 3}
    assert score_one({"perspective": STAY}, position)[2] == EXCL_STAYS
    assert score_one({"perspective": RETURN}, position)[2] == EXCL_NONE
    assert score_one({"perspective": OPEN}, position)[2] == EXCL_NONE


def test_position_in_germany_beyond_commute_radius_excludes_unless_willing_to_relocate():
    d = haversine_km(*ERFURT, *JENA)  # about 39 km
    assert 35 < d < 45
    assert score_one({"town": ERFURT}, {"town": JENA})[2] == EXCL_NONE  # default radius 50 km
    assert score_one({"town": ERFURT, "commute_km": 30}, {"town": JENA})[2] == EXCL_DISTANCE
    assert score_one({"town": ERFURT}, {"town": JENA}, make_config(default_commute_km=30))[2] == EXCL_DISTANCE
    assert score_one({"town": ERFURT, "commute_km": 30, "relocate": True}, {"town": JENA})[2] == EXCL_NONE
    assert score_one({"town": ERFURT, "commute_km": 30}, {"lat": math.nan, "lon": math.nan})[2] == EXCL_NONE


def test_first_violated_constraint_is_the_reported_reason():
    candidate = {"permission": NOT_ALLOWED, "town": BERLIN}
    position = {"requires_permission": True, "languages": {GERMAN: C1}}
    assert score_one(candidate, position)[2] == EXCL_PERMISSION
    assert score_one({"town": BERLIN}, {"languages": {GERMAN: C1}})[2] == EXCL_LANGUAGE


def test_excluded_pairs_are_never_kept():
    c = make_candidates([{"permission": NOT_ALLOWED}, {"languages": {GERMAN: B2}}, {"town": BERLIN}])
    p = make_positions([{"requires_permission": True, "languages": {GERMAN: B2}}])
    result = score_top_k(c, p, make_config())
    assert result.candidate_index.tolist() == [1]


# --- soft components ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("occupations", "position_occupation", "expected"),
    [
        ([0], 0, 1.0),  # exact
        ([1], 0, 0.75),  # same ISCO 4-digit group
        ([2], 0, 0.5),  # same ISCO 2-digit group
        ([4], 0, 0.0),  # unrelated
        ([4, 1], 0, 0.75),  # the best of the candidate's occupations
        ([0], -1, 0.0),  # position occupation unknown
    ],
)
def test_occupation_exact_group_or_unrelated(occupations, position_occupation, expected):
    assert component("occupation", {"occupations": occupations}, {"occupation": position_occupation}) == expected


def test_occupation_related_through_shared_essential_skills():
    # occupation 4 shares 3 of occupation 0's 5 essential skills, in another ISCO 2-digit group
    essential = tuple(tuple(range(5 * o, 5 * o + 5)) for o in range(8))
    essential = (*essential[:4], (0, 1, 2, 30, 31), *essential[5:])
    taxonomy = Taxonomy(occupation_essential=essential)
    value = component("occupation", {"occupations": [4]}, {"occupation": 0}, taxonomy)
    assert value == pytest.approx(0.6 * 3 / 5)


def test_essential_and_optional_skill_coverage():
    position = {"essential": [1, 2, 3, 4], "optional": [40, 41, 42]}
    candidate = {"skills": [1, 2, 40, 45]}
    assert component("essential_skills", candidate, position) == 0.5
    assert component("optional_skills", candidate, position) == pytest.approx(1 / 3)


def test_language_weighted_mean_over_required_and_nice_to_have():
    position = {"languages": {GERMAN: B2, ENGLISH: (B2, False)}}
    # German one step below (2/3, weight 1), English missing: 4 steps (0, weight 0.5)
    assert component("language", {"languages": {GERMAN: B1}}, position) == pytest.approx((2 / 3) / 1.5)
    assert component("language", {"languages": {GERMAN: C1, ENGLISH: B1}}, position) == pytest.approx(
        (1 + 0.5 * 2 / 3) / 1.5
    )


@pytest.mark.parametrize(
    ("occupations", "expected"),
    [
        ({0: 1.5}, 0.5),  # exact occupation, 1.5 of 3 years
        ({1: 2.0}, 0.5 * 2 / 3),  # other occupation of the same 4-digit group counts half
        ({0: 1.0, 1: 2.0}, (1 + 0.5 * 2) / 3),
        ({2: 10.0}, 0.0),  # another group does not count
        ({0: 5.0}, 1.0),
    ],
)
def test_experience_in_years(occupations, expected):
    assert component("experience", {"occupations": occupations}, {"occupation": 0}) == pytest.approx(expected)


def test_place_in_germany_by_distance():
    d = haversine_km(*ERFURT, *JENA)
    assert component("place", {"town": ERFURT}, {"town": JENA}) == pytest.approx(1 - 0.5 * d / 50)
    assert component("place", {"town": ERFURT}, {"town": ERFURT}) == 1.0
    assert component("place", {"town": ERFURT, "relocate": True}, {"town": LEIPZIG}) == 0.4
    assert component("place", {"lat": math.nan, "lon": math.nan}, {"town": JENA}) == 0.5


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ({"origin_region": 7}, 1.0),
        ({"return_region": 7}, 1.0),
        ({"origin_country": 3}, 0.8),
        ({"return_country": 3}, 0.8),
        ({"origin_region": 9}, 0.5),  # a region where the employer is engaged
        ({"origin_country": 5}, 0.3),  # a country where the employer is engaged
        ({"origin_country": 6, "origin_region": 11}, 0.0),
        ({}, 0.0),
    ],
)
def test_place_abroad_by_region_country_and_engagement(candidate, expected):
    position = {"abroad": True, "country": 3, "region": 7, "engagement_regions": [9], "engagement_countries": [5]}
    assert component("place", {"perspective": RETURN, **candidate}, position) == expected


def test_origin_country_does_not_matter_for_a_position_in_germany():
    assert component("place", {"origin_country": 3}, {"country": 3}) == 1.0


@pytest.mark.parametrize(
    ("perspective", "abroad", "expected"),
    [(STAY, False, 1.0), (OPEN, False, 0.8), (RETURN, False, 0.4), (RETURN, True, 1.0), (OPEN, True, 0.7)],
)
def test_perspective_fit(perspective, abroad, expected):
    candidate = {"perspective": perspective, "return_country": 1}
    assert component("perspective", candidate, {"abroad": abroad, "country": 1}) == expected


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ({"return_country": 1}, 1.0),  # the country of return
        ({"origin_country": 1, "return_country": 2}, 1.0),  # the country of origin
        ({"origin_country": 2, "return_country": 3}, 0.0),  # a third country: not where the candidate returns to
        ({}, 0.0),  # unknown home
    ],
)
def test_return_fits_a_position_abroad_only_in_the_home_country(candidate, expected):
    position = {"abroad": True, "country": 1, "region": 4}
    assert component("perspective", {"perspective": RETURN, **candidate}, position) == expected
    assert component("perspective", {"perspective": OPEN, **candidate}, position) == 0.7 * expected


@pytest.mark.parametrize(
    ("available_from", "start", "expected"),
    [
        (None, TODAY + 10, 1.0),  # available now
        (TODAY + 5, TODAY + 10, 1.0),
        (TODAY + 55, TODAY + 10, 0.5),  # 45 days late
        (TODAY + 200, TODAY + 10, 0.0),
        (TODAY + 9, None, 0.9),  # unknown start = today
    ],
)
def test_availability_against_start(available_from, start, expected):
    value = component("availability", {"available_from": available_from}, {"start": start})
    assert value == pytest.approx(expected)


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [(0, 1.0), (90, 1.0), (90 + 137.5, 0.5), (365, 0.0), (800, 0.0), (None, 0.3)],
)
def test_freshness_of_the_profile(days_ago, expected):
    confirmed = None if days_ago is None else TODAY - days_ago
    assert component("freshness", {"last_confirmed": confirmed}, {}) == pytest.approx(expected)


def test_score_is_the_weighted_mean_times_100():
    config = make_config(weights={"occupation": 3.0, "essential_skills": 1.0})
    score, _, _ = score_one({"occupations": [0], "skills": [0]}, {"occupation": 0, "essential": [0, 1]}, config)
    assert score == pytest.approx(100 * (3 * 1.0 + 1 * 0.5) / 4)


def test_unknown_weight_name_is_refused():
    c, p = make_candidates([{}]), make_positions([{}])
    with pytest.raises(ValueError, match="unknown score components"):
        score_matrix(c, p, make_config(weights={"ocupation": 1.0}))


# --- top K ----------------------------------------------------------------------------------------


def kept(result) -> dict:
    return {
        (int(i), int(j)): (int(rp), int(rc))
        for i, j, rp, rc in zip(
            result.candidate_index,
            result.position_index,
            result.rank_for_position,
            result.rank_for_candidate,
            strict=True,
        )
    }


def test_top_k_is_the_union_of_both_lists_with_ranks():
    # essential coverage decides: candidate i has i of the 4 skills of every position
    c = make_candidates([{"skills": list(range(i))} for i in range(5)])
    p = make_positions([{"essential": [0, 1, 2, 3]}, {"essential": [0, 1, 2, 3], "town": BERLIN}])
    config = only("essential_skills", top_k_per_position=2, top_k_per_candidate=1, min_score=30)
    c.relocate[:] = True
    result = score_top_k(c, p, config)
    # position 0 and 1: candidates 4, 3; every candidate with score ≥ 30: its best position (ties → lower index)
    assert kept(result) == {(4, 0): (1, 1), (3, 0): (2, 1), (4, 1): (1, 0), (3, 1): (2, 0), (2, 0): (0, 1)}
    assert kept(result) == top_k(score_all(c, p, config)[0], config)
    assert result.pairs_scored == 10


def test_top_k_ties_go_to_the_lower_index():
    c = make_candidates([{}] * 6)
    p = make_positions([{}] * 3)
    result = score_top_k(c, p, make_config(top_k_per_position=2, top_k_per_candidate=1))
    assert kept(result) == {
        (0, 0): (1, 1),
        (1, 0): (2, 1),
        (0, 1): (1, 0),
        (1, 1): (2, 0),
        (0, 2): (1, 0),
        (1, 2): (2, 0),
        **{(i, 0): (0, 1) for i in range(2, 6)},
    }


def random_pairs(*, seed: int, skills: int, positions: int):
    """40 candidates with 6 of `skills` skills and one of 8 occupations, positions asking for 4 of them."""
    rng = np.random.default_rng(seed)
    c = make_candidates(
        [
            {"skills": rng.choice(skills, 6, replace=False).tolist(), "occupations": [int(rng.integers(8))]}
            for _ in range(40)
        ]
    )
    p = make_positions([{"essential": rng.choice(skills, 4, replace=False).tolist()} for _ in range(positions)])
    return c, p


@pytest.mark.parametrize("slack", [engine.ENTERED_SLACK, 0], ids=["kept", "let go as pairs drop out"])
def test_top_k_across_many_blocks_equals_one_block(monkeypatch, slack):
    # The components of a position's best pairs are computed when a pair enters its running top K
    # and let go when most of those kept dropped out again (slack 0: at every block).
    monkeypatch.setattr(engine, "ENTERED_SLACK", slack)
    c, p = random_pairs(seed=5, skills=50, positions=7)
    config = make_config(top_k_per_position=5, top_k_per_candidate=2)
    whole = score_top_k(c, p, config)
    monkeypatch.setattr(engine, "PAIRS_PER_BLOCK", 7 * 3)  # blocks of 3 candidates
    blocks = score_top_k(c, p, config)
    one_thread = score_top_k(c, p, config, workers=1)
    assert blocks.stats["blocks"] == 14
    assert kept(blocks) == kept(one_thread) == kept(whole) == top_k(score_all(c, p, config)[0], config)
    assert np.array_equal(blocks.components, whole.components, equal_nan=True)
    assert np.array_equal(one_thread.score, whole.score)


def test_a_bar_per_position_keeps_there_only_the_pairs_that_reach_it(monkeypatch):
    # A block of a distributed run is told the K-th best score other blocks found per position:
    # what stays below it can never be among the position's best; a tie may (a lower candidate id).
    c, p = random_pairs(seed=7, skills=30, positions=5)
    config = make_config(top_k_per_position=6, top_k_per_candidate=1)
    whole = score_top_k(c, p, config)
    listed = whole.rank_for_position > 0
    scores_0 = np.unique(whole.score[listed & (whole.position_index == 0)])
    bar = np.full(5, -np.inf)
    bar[0] = scores_0[1]  # the second lowest score listed there reaches it (a tie), the lowest does not
    bar[3] = 101.0  # nothing reaches it

    monkeypatch.setattr(engine, "PAIRS_PER_BLOCK", 5 * 4)  # blocks of 4 candidates: the bar held across them
    barred = score_top_k(c, p, config, position_bar=bar)

    reaches = whole.score >= bar[whole.position_index]
    expected = {
        pair: (rank_p if reach else 0, rank_c)
        for (pair, (rank_p, rank_c)), reach in zip(kept(whole).items(), reaches, strict=True)
        if (rank_p and reach) or rank_c
    }
    assert kept(barred) == expected
    listed_by_position = Counter(j for (_i, j), (rank_p, _c) in kept(barred).items() if rank_p)
    assert 0 < listed_by_position[0] < (listed & (whole.position_index == 0)).sum()
    assert listed_by_position[3] == 0
    assert listed_by_position[1] == (listed & (whole.position_index == 1)).sum()
    at = {pair: n for n, pair in enumerate(kept(whole))}
    rows = [at[pair] for pair in kept(barred)]
    assert np.array_equal(barred.components, whole.components[rows], equal_nan=True)


def test_empty_inputs():
    config = make_config()
    c, p = make_candidates([{}]), make_positions([{}])
    none_c, none_p = make_candidates([]), make_positions([])
    for cands, poss in ((none_c, p), (c, none_p), (none_c, none_p)):
        scores, components, exclusion = score_matrix(cands, poss, config)
        assert scores.shape == exclusion.shape == (len(cands.ids), len(poss.ids))
        assert components.shape == (*scores.shape, len(COMPONENTS))
        result = score_top_k(cands, poss, config)
        assert len(result.candidate_index) == len(result.score) == 0
        assert result.components.shape == (0, len(COMPONENTS))


# --- explanation ----------------------------------------------------------------------------------


def explain(candidate: dict, position: dict, config=None) -> dict:
    c, p = make_candidates([candidate]), make_positions([position])
    return explain_pair(c, p, 0, 0, config or make_config())


def test_explanation_names_the_language_gap_and_the_course_that_closes_it():
    result = explain({"languages": {GERMAN: B1}, "skills": [0]}, {"languages": {GERMAN: B2}, "essential": [0]})
    gap = result["language_gaps"][0]
    assert gap == {"language": GERMAN, "required": B2, "has": B1, "required_flag": True}
    assert language_gap_text(gap, "German") == "German B2 required, candidate has B1"
    hint = result["hint"]
    assert hint["changes"] == [{"kind": "language", "language": GERMAN, "level": B2}]
    assert hint["becomes_eligible"] is False
    # only the language component changes: 1/3 of one of eight equal weights (no optional skills: not counted)
    assert hint["delta"] == pytest.approx(100 * (1 / 3) / 8)


def test_explanation_of_a_pair_excluded_by_language_says_it_becomes_eligible():
    result = explain({"languages": {GERMAN: A2}}, {"languages": {GERMAN: B2}})
    assert result["exclusion"] == EXCL_LANGUAGE
    assert result["score"] == -math.inf
    hint = result["hint"]
    # the smallest change that lifts the exclusion: one step below B2 is allowed (max_language_gap 1)
    assert hint["changes"] == [{"kind": "language", "language": GERMAN, "level": B1}]
    assert hint["becomes_eligible"] is True
    assert hint["delta"] == pytest.approx(score_one({"languages": {GERMAN: B1}}, {"languages": {GERMAN: B2}})[0])


def test_explanation_lists_skills_and_suggests_training_in_the_missing_essential_ones():
    result = explain({"skills": [1, 40]}, {"essential": [1, 2, 3], "optional": [40, 41]})
    assert result["matched_skills"] == [1, 40]
    assert result["missing_essential"] == [2, 3]
    assert result["missing_optional"] == [41]
    assert result["hint"]["changes"] == [{"kind": "skills"}]
    assert result["hint"]["delta"] == pytest.approx(100 * (2 / 3) / 8)  # no language asked for: eight weights


def test_explanation_suggests_relocation_for_a_pair_beyond_the_commute_radius():
    result = explain({"town": ERFURT}, {"town": LEIPZIG})
    assert result["exclusion"] == EXCL_DISTANCE
    hint = result["hint"]
    assert (hint["changes"], hint["becomes_eligible"]) == ([{"kind": "relocation"}], True)
    assert hint["delta"] == pytest.approx(score_one({"town": ERFURT, "relocate": True}, {"town": LEIPZIG})[0])


def test_explanation_without_gaps_has_no_hint():
    result = explain({"skills": [0]}, {"essential": [0]})
    assert result["hint"] == {"changes": [], "delta": 0.0, "becomes_eligible": False}
    assert result["language_gaps"] == []


def test_explanation_of_a_stay_candidate_abroad_has_no_hint():
    # a language gap too, but no course makes someone who stays in Germany eligible for a position abroad
    result = explain({"perspective": STAY, "languages": {ARABIC: A1}}, {"abroad": True, "languages": {ARABIC: C1}})
    assert result["reasons"] == [EXCL_LANGUAGE, EXCL_STAYS]
    assert result["hint"]["changes"] == []


def test_explanation_of_a_pair_without_work_permission_has_no_hint():
    result = explain(
        {"permission": NOT_ALLOWED, "languages": {GERMAN: A1}}, {"requires_permission": True, "languages": {GERMAN: B2}}
    )
    assert result["reasons"] == [EXCL_PERMISSION, EXCL_LANGUAGE]
    assert result["hint"]["changes"] == []


def test_explanation_of_a_pair_excluded_by_language_and_distance_names_both_changes():
    result = explain({"town": ERFURT, "languages": {GERMAN: A1}}, {"town": LEIPZIG, "languages": {GERMAN: B2}})
    assert result["reasons"] == [EXCL_LANGUAGE, EXCL_DISTANCE]
    assert result["hint"]["changes"] == [{"kind": "language", "language": GERMAN, "level": B1}, {"kind": "relocation"}]
    assert result["hint"]["becomes_eligible"] is True


def test_explanation_of_an_irrelevant_pair_has_no_hint():
    # a cook for a welder's position with a language gap: no course makes it relevant
    result = explain(
        {"occupations": [6], "languages": {GERMAN: A1}},
        {"occupation": 0, "essential": [0, 1], "languages": {GERMAN: B2}},
        make_config(relevance_gate=True),
    )
    assert result["reasons"] == [EXCL_LANGUAGE, EXCL_IRRELEVANT]
    assert result["hint"]["changes"] == []
    assert result["lateral"] is False


# --- neutral components ------------------------------------------------------------------------


def test_a_component_with_nothing_to_compare_is_left_out_of_the_score():
    # no essential or optional skills, no language: only occupation, experience, place, perspective,
    # availability and freshness count (six of nine equal weights)
    score, components, _ = score_one({"occupations": [0]}, {"occupation": 0})
    assert math.isnan(components["essential_skills"])
    assert math.isnan(components["optional_skills"])
    assert math.isnan(components["language"])
    counted = [components[name] for name in ("occupation", "experience", "place", "perspective", "availability")]
    assert score == pytest.approx(100 * (sum(counted) + components["freshness"]) / 6)


def test_nothing_to_compare_does_not_inflate_a_weak_pair():
    weak = {"occupations": [6]}  # another line of work; place, perspective, availability and freshness fit
    bare, _, _ = score_one(weak, {"occupation": 0})
    assert bare == pytest.approx(100 * 4 / 6)  # four of the six counted components
    assert bare < 100 * 7 / 9  # empty requirements no longer count as three full marks


def test_a_pair_whose_counted_components_weigh_nothing_scores_zero():
    weights = dict.fromkeys(COMPONENTS, 0.0) | {"optional_skills": 1.0}
    score, _, exclusion = score_one({}, {}, make_config(weights=weights))
    assert (score, exclusion) == (0.0, EXCL_NONE)


# --- relevance ---------------------------------------------------------------------------------

WELDER, WELDER_2, ELECTRICIAN, COOK, HELPER = 0, 1, 2, 6, 7  # occupations of the default taxonomy
ELEMENTARY = Taxonomy(elementary_isco4=(3,), generic_skills=(0, 30))  # occupations 6 and 7 are elementary


def relevance(candidate: dict, position: dict, taxonomy=ELEMENTARY, **config):
    """(score, exclusion, lateral) of a pair with the relevance gate on."""
    c, p = make_candidates([candidate], taxonomy), make_positions([position], taxonomy)
    config = make_config(**{"relevance_gate": True, **config})
    score, _, exclusion = score_one(candidate, position, config, taxonomy)
    result = score_top_k(c, p, config)
    return score, exclusion, bool(result.lateral[0]) if len(result.lateral) else None


@pytest.mark.parametrize(
    "candidate",
    [
        {"occupations": [ELECTRICIAN]},  # the same occupation
        {"occupations": [3]},  # the same ISCO 4-digit group
        {"skills": [11]},  # a specific essential skill of the position
        {"occupations": [COOK]},  # cook 6 shares the specific essential skill 11 with the electrician 2
    ],
)
def test_a_relevant_pair_of_a_skilled_position_is_proposed(candidate):
    taxonomy = Taxonomy(occupation_essential=((0,), (1,), (10, 11), (12,), (20,), (21,), (11, 30), (35,)))
    _, exclusion, lateral = relevance(candidate, {"occupation": ELECTRICIAN, "essential": [10, 11]}, taxonomy)
    assert (exclusion, lateral) == (EXCL_NONE, False)


@pytest.mark.parametrize(
    "candidate",
    [
        {},  # nothing at all
        {"occupations": [2]},  # another group of the same ISCO 2-digit group: no shared skill
        {"skills": [0]},  # a generic essential skill (safety, hygiene …) of the position only
        {"occupations": [COOK]},  # shares only the generic skill 30 with the position's occupation
    ],
)
def test_an_irrelevant_pair_of_a_skilled_position_is_not_proposed(candidate):
    taxonomy = Taxonomy(
        occupation_essential=((0, 30, 1), (1,), (10,), (12,), (20,), (21,), (30, 31), (35,)), generic_skills=(0, 30)
    )
    score, exclusion, lateral = relevance(candidate, {"occupation": WELDER, "essential": [0, 1]}, taxonomy)
    assert (score, exclusion, lateral) == (-math.inf, EXCL_IRRELEVANT, None)


def test_the_gate_can_be_switched_off():
    score, exclusion, _ = relevance({}, {"occupation": WELDER, "essential": [1]}, relevance_gate=False)
    assert exclusion == EXCL_NONE
    assert score > 0


def test_an_elementary_position_lists_lateral_entrants_below_those_with_a_fit():
    position = {"occupation": HELPER, "essential": [35]}
    fit, _, fit_lateral = relevance({"skills": [35]}, position)
    lateral, exclusion, is_lateral = relevance({"occupations": [WELDER]}, position)
    assert (exclusion, is_lateral, fit_lateral) == (EXCL_NONE, True, False)
    unfactored, _, _ = relevance({"occupations": [WELDER]}, position, lateral_entry_factor=1.0)
    assert lateral == pytest.approx(0.6 * unfactored)
    assert lateral < fit


def test_a_lateral_entry_factor_of_zero_lists_no_lateral_entrant():
    _, exclusion, _ = relevance({"occupations": [WELDER]}, {"occupation": HELPER}, lateral_entry_factor=0.0)
    assert exclusion == EXCL_IRRELEVANT


def test_dates_can_be_given_as_dates():
    start = date.fromordinal(TODAY) + timedelta(days=10)
    value = component("availability", {"available_from": start + timedelta(days=45)}, {"start": start})
    assert value == pytest.approx(0.5)
