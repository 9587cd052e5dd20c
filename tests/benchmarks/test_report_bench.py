"""The report benchmark's seeding and timing at a tiny size, so that it cannot rot: the synthetic
programme satisfies every constraint, and the measured functions see it."""

import pytest

from benchmarks.report import Sizes, measure, period, seed
from candidates.models import Candidate
from matching.models import FollowUp, Introduction, IntroductionEvent, Placement
from matching.report_scope import candidate_steps

pytestmark = pytest.mark.django_db

TINY = Sizes(candidates=200, employers=10, positions=40, introductions=60, placements=12, measures=40, shortlists=80)


def test_seed_and_measure_at_a_tiny_size():
    counts = seed(TINY, seed=7)

    assert counts["candidates"] == Candidate.objects.count() == 200
    assert counts["introductions"] == Introduction.objects.count() == 60
    assert counts["placements"] == Placement.objects.count() == 12
    assert FollowUp.objects.count() == 24
    # every introduction has its stage moves, the first from nothing to proposed
    assert IntroductionEvent.objects.filter(from_stage="", to_stage="proposed").count() == 60
    filters = period()
    assert candidate_steps(filters).filter(introduced=True).exists()

    results = measure(filters, repeats=1)

    in_period = Introduction.objects.filter(created_at__gte=filters.since, created_at__lt=filters.until).count()
    assert results["anonymised_rows"] == in_period > 0
    for key in ("report_build", "fairness_tables", "anonymised_rows"):
        assert results[f"{key}_best_s"] <= results[f"{key}_median_s"]
    assert "report_page" in results or results["report_page_status"] == 200
