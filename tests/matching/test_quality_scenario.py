"""The hand-labelled quality scenario (benchmarks/scenario.py): its measures, its relevance rule,
its data, and the targets of issue #10 measured on the real pipeline (PostgreSQL)."""

import math
from types import SimpleNamespace

import pytest
from django.db import transaction

from benchmarks import scenario
from benchmarks.scenario import FIT, IRRELEVANT, JOBS, LATERAL, PEOPLE, RuleTaxonomy, pair_relevance
from candidates.models import Candidate, CandidateLanguage, WorkExperience
from employers.models import Employer, EngagementRegion, LanguageRequirement, Position, PositionSkill
from matching import inputs_cache, loader, services
from matching.models import Match, MatchDecision

# --- the measures on hand-made lists ----------------------------------------------------------


def test_dcg_gains_two_to_the_grade_minus_one_discounted_by_log2_of_the_rank():
    assert scenario.dcg([3, 2, 0, 1], k=10) == pytest.approx(7 / 1 + 3 / math.log2(3) + 0 + 1 / math.log2(5))
    assert scenario.dcg([3, 2, 0, 1], k=1) == pytest.approx(7.0)
    assert scenario.dcg([], k=10) == 0.0


def test_ndcg_is_one_for_the_best_order_and_lower_when_the_best_candidate_comes_late():
    assert scenario.ndcg([3, 2, 1], [1, 2, 3, 0, 0]) == pytest.approx(1.0)
    late = scenario.ndcg([1, 2, 3], [1, 2, 3])
    assert late == pytest.approx(scenario.dcg([1, 2, 3], 10) / scenario.dcg([3, 2, 1], 10))
    assert 0 < late < 1


def test_ndcg_measures_against_the_attainable_grades_so_a_missing_good_candidate_costs():
    # the list is in perfect order, but a good candidate who could have been listed is missing
    assert scenario.ndcg([3, 1], [3, 2, 1]) == pytest.approx(scenario.dcg([3, 1], 10) / scenario.dcg([3, 2, 1], 10))
    assert scenario.ndcg([3, 1], [3, 2, 1]) < 1


def test_ndcg_looks_at_the_first_k_only_and_is_none_without_anything_relevant():
    assert scenario.ndcg([0] * 10 + [3], [3], k=10) == 0.0
    assert scenario.ndcg([0, 0], [0, 0, 0]) is None
    assert scenario.ndcg([], []) is None


def test_precision_at_5_counts_good_and_ideal_among_the_first_five_or_fewer():
    assert scenario.precision([3, 2, 1, 0, 2, 3, 3]) == pytest.approx(3 / 5)
    assert scenario.precision([3, 2, 1]) == pytest.approx(2 / 3)
    assert scenario.precision([1, 1]) == 0.0
    assert scenario.precision([2]) == 1.0
    assert scenario.precision([]) is None


def test_laterals_above_fit_are_the_lateral_entrants_before_the_last_candidate_with_a_fit():
    assert scenario.laterals_above_fit([FIT, FIT, LATERAL, LATERAL]) == []
    assert scenario.laterals_above_fit([LATERAL, FIT, LATERAL, FIT, LATERAL]) == [0, 2]
    assert scenario.laterals_above_fit([LATERAL, LATERAL]) == []
    assert scenario.laterals_above_fit([]) == []


def test_specific_skills_are_neither_transversal_nor_cross_sector_as_words_or_uris():
    assert loader.is_specific("sector-specific")
    assert loader.is_specific("occupation-specific")
    assert loader.is_specific("")
    assert not loader.is_specific("transversal")
    assert not loader.is_specific(" Cross-Sector ")
    assert not loader.is_specific("http://data.europa.eu/esco/skill-reuse-level/cross-sector")


def test_isco_major_group_9_is_elementary_work():
    assert scenario.is_elementary("9333")
    assert not scenario.is_elementary("7212")
    assert not scenario.is_elementary("")


# --- the relevance rule on a few pairs ---------------------------------------------------------

WELDER, SHEET_METAL, COOK, KITCHEN, WAREHOUSE, TRUCK = 1, 2, 3, 4, 5, 6
WELDING, METALWORK, PPE, HACCP, HYGIENE, LOADING, PICKING, TEAMWORK = 10, 11, 12, 13, 14, 15, 16, 17
RULE_TAXONOMY = RuleTaxonomy(
    isco={WELDER: "7212", SHEET_METAL: "7212", COOK: "5120", KITCHEN: "9412", WAREHOUSE: "9333", TRUCK: "8332"},
    essential={
        WELDER: frozenset({WELDING, METALWORK, PPE}),
        SHEET_METAL: frozenset({METALWORK, PPE}),
        COOK: frozenset({HACCP, HYGIENE}),
        KITCHEN: frozenset({HACCP, HYGIENE}),
        WAREHOUSE: frozenset({LOADING, PICKING, PPE}),
        TRUCK: frozenset({LOADING}),
    },
    specific=frozenset({WELDING, METALWORK, HACCP, LOADING, PICKING}),  # PPE, hygiene, teamwork are generic
)


def relevance(position_occupation, candidate_occupations=(), candidate_skills=()):
    return pair_relevance(
        RULE_TAXONOMY,
        position_occupation=position_occupation,
        position_essential=RULE_TAXONOMY.essential[position_occupation],
        candidate_occupations=candidate_occupations,
        candidate_skills=candidate_skills,
    )


def test_a_cook_is_irrelevant_for_a_welder_position_even_with_the_protective_gear_skill():
    assert relevance(WELDER, [COOK], [HACCP, HYGIENE, PPE]) == IRRELEVANT


def test_the_same_occupation_or_the_same_isco_group_is_a_fit_without_any_skill():
    assert relevance(WELDER, [WELDER]) == FIT
    assert relevance(WELDER, [SHEET_METAL]) == FIT


def test_an_occupation_sharing_a_specific_essential_skill_is_related_one_sharing_only_generic_ones_not():
    assert relevance(COOK, [KITCHEN]) == FIT  # HACCP
    assert relevance(WAREHOUSE, [TRUCK]) == FIT  # loading
    assert relevance(WELDER, [WAREHOUSE]) == IRRELEVANT  # only protective gear in common


def test_a_specific_essential_skill_of_the_position_is_a_fit_a_generic_one_is_not():
    assert relevance(WELDER, [], [METALWORK]) == FIT
    assert relevance(WELDER, [COOK], [PPE]) == IRRELEVANT
    assert relevance(COOK, [], [HYGIENE]) == IRRELEVANT


def test_without_a_fit_an_elementary_position_sees_a_lateral_entrant():
    assert relevance(WAREHOUSE, [], [TEAMWORK]) == LATERAL
    assert relevance(WAREHOUSE, [COOK], [HYGIENE]) == LATERAL
    assert relevance(WAREHOUSE, [], [PICKING]) == FIT


# --- the scenario's data -----------------------------------------------------------------------


def test_every_label_names_a_person_of_the_scenario_once_per_position():
    keys = [person.key for person in PEOPLE]
    assert len(keys) == len(set(keys))
    assert 40 <= len(keys) <= 60
    assert 12 <= len(JOBS) <= 16
    assert len({job.key for job in JOBS}) == len(JOBS)
    for job in JOBS:
        labelled = [*job.ideal, *job.good, *job.possible]
        assert len(labelled) == len(set(labelled)), job.key
        assert set(labelled) <= set(keys), job.key
        assert job.ideal, f"{job.key} has no ideal candidate"


def test_the_scenario_has_skilled_positions_abroad_and_elementary_ones():
    occupations = {job.occupation for job in JOBS}
    abroad = [job for job in JOBS if job.region]
    assert 2 <= len(abroad) <= 3
    assert {job.region[:2] for job in abroad} <= {"SY", "IQ", "AF"}
    assert {"warehouse", "construction", "kitchen", "farm"} <= occupations
    assert {"welder", "cook"} <= occupations


# --- on PostgreSQL: loaded and measured once for the tests below --------------------------------


def table_sizes() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Candidate,
            CandidateLanguage,
            WorkExperience,
            Employer,
            EngagementRegion,
            Position,
            PositionSkill,
            LanguageRequirement,
        )
    }


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """The scenario loaded twice, rescored and measured, in one transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        first = scenario.scenario_load()
        sizes = table_sizes()
        second = scenario.scenario_load(reference_data=False)
        sizes_again = table_sizes()
        quality = scenario.scenario_quality()
        candidate_ids, position_ids = scenario.scenario_ids()
        taxonomy = scenario.rule_taxonomy()
        profiles = scenario.candidate_profiles(candidate_ids.values())
        positions = Position.objects.in_bulk(position_ids.values())
        essential = {
            key: set(
                PositionSkill.objects.filter(position_id=pk, relation_type="essential").values_list(
                    "skill_id", flat=True
                )
            )
            for key, pk in position_ids.items()
        }

        def kind(job_key: str, person_key: str) -> str:
            candidate_id = candidate_ids[person_key]
            return pair_relevance(
                taxonomy,
                position_occupation=positions[position_ids[job_key]].occupation_id,
                position_essential=essential[job_key],
                candidate_occupations=profiles[candidate_id][0],
                candidate_skills=profiles[candidate_id][1],
            )

        kinds = {(job.key, person.key): kind(job.key, person.key) for job in JOBS for person in PEOPLE}
        exclusions = {
            pair: services.pair_explain(candidate_id=candidate_ids[pair[1]], position_id=position_ids[pair[0]])[
                "exclusion"
            ]
            for pair in [("welder_erbil", "karim"), ("welder_erfurt", "wahid"), ("warehouse_erfurt", "yonas")]
        }
        elementary = {
            job.key: scenario.is_elementary(taxonomy.isco[positions[position_ids[job.key]].occupation_id])
            for job in JOBS
        }
        matches = Match.objects.filter(position_id__in=position_ids.values()).count()
        decisions = MatchDecision.objects.count()
        transaction.set_rollback(True)
    inputs_cache.clear()
    # plain data only: the rows are gone with the transaction
    return SimpleNamespace(
        first=first,
        second=second,
        sizes=sizes,
        sizes_again=sizes_again,
        quality=quality,
        kinds=kinds,
        exclusions=exclusions,
        elementary=elementary,
        matches=matches,
        decisions=decisions,
    )


@pytest.mark.django_db  # the module fixture needs the test database
def test_loading_the_scenario_twice_creates_everything_once(measured):
    assert measured.first["candidates_created"] == len(PEOPLE)
    assert measured.first["positions_created"] == len(JOBS)
    assert measured.second["candidates_created"] == measured.second["positions_created"] == 0
    assert measured.second["employers_created"] == 0
    assert measured.sizes == measured.sizes_again
    assert measured.sizes["Candidate"] == len(PEOPLE)
    assert measured.sizes["Position"] == len(JOBS)


@pytest.mark.django_db  # the module fixture needs the test database
def test_the_scenario_holds_elementary_and_skilled_positions_by_their_isco_group(measured):
    assert {key for key, elementary in measured.elementary.items() if elementary} == {
        "warehouse_erfurt",
        "construction_gera",
        "kitchen_jena",
        "farm_soemmerda",
    }


@pytest.mark.django_db  # the module fixture needs the test database
def test_the_hard_rules_exclude_the_stayer_abroad_and_those_without_a_work_permission(measured):
    assert measured.exclusions == {
        ("welder_erbil", "karim"): 3,
        ("welder_erfurt", "wahid"): 1,
        ("warehouse_erfurt", "yonas"): 1,
    }


@pytest.mark.django_db  # the module fixture needs the test database
def test_the_rule_marks_cooks_it_and_care_irrelevant_for_the_welder_and_finds_lateral_entrants(measured):
    kinds = measured.kinds
    assert kinds[("welder_erfurt", "rami")] == IRRELEVANT  # cook
    assert kinds[("welder_erfurt", "bashar")] == IRRELEVANT  # IT support
    assert kinds[("welder_erfurt", "layla")] == IRRELEVANT  # care assistant
    assert kinds[("welder_erfurt", "mehdi")] == FIT  # works metal
    assert kinds[("cook_weimar", "hodan")] == FIT  # kitchen helper: food hygiene, kitchen cleaning
    assert kinds[("warehouse_erfurt", "sara")] == LATERAL
    assert kinds[("warehouse_erfurt", "hussein")] == FIT  # truck driver: loading


@pytest.mark.django_db  # the module fixture needs the test database
def test_every_candidate_a_case_worker_grades_good_is_relevant_by_the_rule(measured):
    """The labels and the rule agree where it matters: nobody graded good or ideal is irrelevant,
    and on a skilled position nobody graded possible either."""
    for job in JOBS:
        for person_key, grade in job.grades.items():
            if grade >= 2 or not measured.elementary[job.key]:
                assert measured.kinds[(job.key, person_key)] == FIT, (job.key, person_key)


@pytest.mark.django_db  # the module fixture needs the test database
def test_the_quality_figures_are_measured_on_the_stored_lists(measured):
    quality = measured.quality
    figures = quality.figures()
    assert figures["positions"] == len(JOBS)
    assert figures["candidates"] == len(PEOPLE)
    assert figures["pairs"] == len(JOBS) * len(PEOPLE)
    assert figures["listed"] == measured.matches > 0
    assert sum(row["listed"] for row in quality.per_position.values()) == measured.matches
    assert set(quality.per_position) == {job.key for job in JOBS}
    assert 0 <= figures["precision_at_5"] <= 1
    assert 0 < figures["ndcg_at_10"] <= 1
    assert 0 < figures["excluded"] < figures["pairs"]
    assert 0 <= figures["irrelevant_share"] <= 1
    assert measured.decisions == 0  # every shortlisting tried was rolled back
    lines = scenario.scenario_report(quality, details=3)
    assert "precision@5" in lines[1]
    assert "nDCG@10" in lines[1]
    assert len(lines) <= 3 + 4
    assert lines[0].startswith(f"scenario: {len(JOBS)} positions × {len(PEOPLE)} candidates")


@pytest.mark.django_db  # the module fixture needs the test database
def test_the_lists_meet_the_targets_of_issue_10(measured):
    """0 irrelevant pairs listed for skilled positions, no lateral entrant above a fit, no futile support
    measure, no excluded pair shortlistable, and lists a case worker can read from the top."""
    quality = measured.quality
    report = "\n".join(scenario.scenario_report(quality, details=20))
    figures = quality.figures()
    zero = ("irrelevant_listed", "lateral_above_fit", "futile_measures", "excluded_shortlistable")
    assert {name: figures[name] for name in zero} == dict.fromkeys(zero, 0), report
    # The relevance rule applied to the lists of the engine before issue #10 gives 0.75 and 0.99; with
    # these labels even a perfect order of those lists stays below 0.77 (few good candidates for the
    # truck, mechatronics and abroad positions; lateral entrants on the building site and the farm).
    assert quality.precision_at_5 >= 0.75, report
    assert quality.ndcg_at_10 >= 0.95, report
