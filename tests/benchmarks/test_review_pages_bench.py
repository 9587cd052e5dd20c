"""The review pages' benchmark at a tiny size, so that it cannot rot: the SQL population satisfies
every constraint, and every page it times answers."""

import pytest
from django.db.models import Exists, OuterRef

from benchmarks.report import Sizes, seed
from benchmarks.review_pages import measure, seed_matches
from matching.models import Match, MatchDecision

pytestmark = pytest.mark.django_db

TINY = Sizes(candidates=120, employers=6, positions=20, introductions=30, placements=6, measures=10, shortlists=20)


def test_seed_and_measure_the_review_pages_at_a_tiny_size():
    seed(TINY, seed=7)
    counts = seed_matches(per_position=15, seed=7, skills=300, occupations=20, decisions=40)

    # 15 draws of a candidate for each position: a candidate drawn twice counts once
    assert 10 * 20 < counts["matches"] == Match.objects.count() <= 15 * 20
    # decisions on stored pairs, besides the report's decisions on random pairs
    on_matches = Match.objects.filter(candidate_id=OuterRef("candidate_id"), position_id=OuterRef("position_id"))
    assert 0 < MatchDecision.objects.filter(Exists(on_matches)).count() <= 40 + TINY.shortlists

    results = measure(repeats=1)

    for page in ("dashboard", "overview", "overview_search", "explanation", "position_matches", "job_board"):
        assert results[f"{page}_best_ms"] <= results[f"{page}_slowest_ms"]
        assert results[f"{page}_queries"] > 0
