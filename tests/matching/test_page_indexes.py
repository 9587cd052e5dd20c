"""A case worker's dashboard and the introductions list read the indexes made for them (migrations
candidates 0013, matching 0008): what they show costs the same with 10,000 or 100,000 candidates
and however many introductions were ever made, not a read of all of them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.models import Status
from matching.introduction_queries import introduction_list
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import PositionFactory
from tests.factories import CaseWorkerFactory
from tests.matching.factories import introduce
from tests.query_plans import plan_of_last_query, query_plans

# The plans are made with fresh statistics, which only the tables' owner may gather.
pytestmark = [pytest.mark.django_db, pytest.mark.owner_role]


def test_the_dashboard_counts_and_lists_the_case_workers_own_candidates_through_their_indexes(client, case_worker):
    # As in the programme: a case worker's few active and flagged candidates among their others,
    # and many more active ones of other case workers.
    CandidateFactory.create_batch(2, case_worker=case_worker, status=Status.ACTIVE)
    CandidateFactory(case_worker=case_worker, retention_flagged_at=timezone.now())
    CandidateFactory.create_batch(15, case_worker=case_worker, status=Status.PLACED)
    CandidateFactory.create_batch(30, case_worker=CaseWorkerFactory(), status=Status.ACTIVE)
    client.force_login(case_worker)

    dashboard = lambda: client.get(reverse("matching:dashboard"))  # noqa: E731
    plans = "\n".join(query_plans(dashboard, analyze=["candidates_candidate"]))

    assert "candidate_case_worker_status" in plans, plans  # "my active candidates", index only
    assert "candidate_retention_flagged" in plans, plans  # the few the retention sweep flagged


def test_the_introductions_list_walks_its_order_index_not_a_sort(case_worker, company_a):
    for _ in range(3):
        introduce(candidate=CandidateFactory(), position=PositionFactory(employer=company_a), actor=case_worker)

    plan = plan_of_last_query(lambda: list(introduction_list(user=case_worker)[:25]), sort=False)

    assert "introduction_list_order" in plan, plan
    assert "Sort" not in plan.split("introduction_list_order")[0], plan
