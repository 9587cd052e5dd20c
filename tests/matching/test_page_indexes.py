"""A case worker's dashboard and the introductions list read the indexes made for them (migrations
candidates 0013, matching 0008): the dashboard's card of flagged candidates reads those few, not
every candidate of the case worker, and the list's first page the first rows of its order, not
every introduction ever made."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from matching.introduction_queries import introduction_list
from tests.candidates.factories import CandidateFactory, PlaceFactory
from tests.employers.factories import PositionFactory
from tests.factories import CaseWorkerFactory
from tests.matching.factories import introduce
from tests.query_plans import plan_of_last_query, query_plans

# The plans are made with fresh statistics, which only the tables' owner may gather.
pytestmark = [pytest.mark.django_db, pytest.mark.owner_role]


def _many_candidates(count: int, **fields) -> None:
    place = PlaceFactory()
    Candidate.objects.bulk_create([CandidateFactory.build(place=place, **fields) for _ in range(count)])


def test_the_dashboard_finds_the_candidates_the_retention_sweep_flagged_through_their_index(client, case_worker):
    # As in the programme: ten case workers with hundreds of candidates each, one of them flagged
    # by the retention sweep (enough rows that an index that fits less closely costs more,
    # however the test tables grew before this test).
    for worker in [case_worker, *CaseWorkerFactory.create_batch(9)]:
        _many_candidates(200, case_worker=worker)
    CandidateFactory(case_worker=case_worker, retention_flagged_at=timezone.now())
    client.force_login(case_worker)

    dashboard = lambda: client.get(reverse("matching:dashboard"))  # noqa: E731
    plans = "\n".join(query_plans(dashboard, analyze=["candidates_candidate"]))

    assert "candidate_retention_flagged" in plans, plans


def test_the_introductions_list_walks_its_order_index_not_a_sort(case_worker, company_a):
    for _ in range(3):
        introduce(candidate=CandidateFactory(), position=PositionFactory(employer=company_a), actor=case_worker)

    plan = plan_of_last_query(lambda: list(introduction_list(user=case_worker)[:25]), sort=False)

    assert "introduction_list_order" in plan, plan
    assert "Sort" not in plan.split("introduction_list_order")[0], plan
