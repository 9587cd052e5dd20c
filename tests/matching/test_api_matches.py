"""Matches through the API: case workers and admins read the ranked pairs with their components,
explanation and decision, filtered by position, candidate and score; employers get a 403."""

import pytest
from django.test import Client

from bridges.api_tokens import api_token_create
from tests.matching.factories import MatchDecisionFactory, MatchFactory

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    _token, text = api_token_create(user=user, name="Auswertung", days=30)
    return Client(HTTP_AUTHORIZATION=f"Bearer {text}")


def test_case_workers_read_matches_best_first_with_explanation_and_decision(case_worker):
    strong = MatchFactory(score=88.5)
    weak = MatchFactory(position=strong.position, score=41.0)
    MatchDecisionFactory(candidate=strong.candidate, position=strong.position, decided_by=case_worker)
    client = api(case_worker)

    every = client.get("/api/v1/matches/", {"position": strong.position_id}).json()["results"]
    good = client.get("/api/v1/matches/", {"min_score": 50}).json()["results"]
    one = client.get(f"/api/v1/matches/{strong.pk}/").json()

    assert [row["id"] for row in every] == [strong.pk, weak.pk]
    assert [row["id"] for row in good] == [strong.pk]
    assert one["score"] == 88.5
    assert one["decision"] is not None
    assert set(one["components"]) >= {"occupation", "essential_skills"}
    assert isinstance(one["explanation"], dict)


def test_employers_get_403_for_matches(employer_a, company_a):
    match = MatchFactory(position__employer=company_a)
    client = api(employer_a)

    for path in ("/api/v1/matches/", f"/api/v1/matches/{match.pk}/"):
        assert client.get(path).status_code == 403


def test_the_match_list_reads_a_constant_number_of_queries(case_worker, django_assert_max_num_queries):
    for _ in range(15):
        MatchFactory()
    client = api(case_worker)
    client.get("/api/v1/matches/")

    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/matches/")

    assert response.json()["count"] == 15
