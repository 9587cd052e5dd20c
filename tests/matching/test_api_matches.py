"""Matches through the API: case workers and admins read the ranked pairs with their components,
explanation and decision, filtered by position, candidate and score; employers get a 403."""

import pytest

from tests.login import token_client
from tests.matching.factories import MatchDecisionFactory, MatchFactory

pytestmark = pytest.mark.django_db


def test_case_workers_read_matches_best_first_with_explanation_and_decision(case_worker):
    strong = MatchFactory(score=88.5)
    weak = MatchFactory(position=strong.position, score=41.0)
    MatchDecisionFactory(candidate=strong.candidate, position=strong.position, decided_by=case_worker)
    client = token_client(case_worker)

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
    client = token_client(employer_a)

    for path in ("/api/v1/matches/", f"/api/v1/matches/{match.pk}/"):
        assert client.get(path).status_code == 403


def test_the_match_list_reads_a_constant_number_of_queries(case_worker, django_assert_max_num_queries):
    for _ in range(15):
        MatchFactory()
    client = token_client(case_worker)
    client.get("/api/v1/matches/")

    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/matches/")

    assert response.json()["count"] == 15


def test_the_report_figures_are_the_report_pages(case_worker):
    import datetime

    from matching.forms_report import ReportFilterForm
    from matching.report import report_build

    period = {"start": "2026-01-01", "end": "2026-12-31"}
    client = token_client(case_worker)

    response = client.get("/api/v1/report/", period)
    wrong = client.get("/api/v1/report/", {"start": "2026-12-31", "end": "2026-01-01"})

    assert response.status_code == 200
    body = response.json()
    form = ReportFilterForm(period)
    assert form.is_valid()
    report = report_build(form.filters())
    assert body["start"] == "2026-01-01"
    assert body["placements"] == report.placements
    assert [step["step"] for step in body["funnel"]] == [step.step for step in report.funnel]
    assert len(body["placements_by_month"]) == 12
    assert body["placements_by_month"][0]["month"] == datetime.date(2026, 1, 1).isoformat()
    assert wrong.status_code == 400
    assert "end" in wrong.json()["errors"]


def test_employers_get_403_for_the_report(employer_a, company_a):
    assert (
        token_client(employer_a).get("/api/v1/report/", {"start": "2026-01-01", "end": "2026-12-31"}).status_code == 403
    )


def test_placements_and_measures_are_for_case_workers(case_worker, employer_a, company_a):
    from tests.candidates.factories import CandidateFactory

    staff, employer = token_client(case_worker), token_client(employer_a)
    CandidateFactory()

    for path in ("/api/v1/placements/", "/api/v1/measures/"):
        assert staff.get(path).status_code == 200
        assert staff.get(path).json()["count"] == 0
        assert employer.get(path).status_code == 403
