"""Positions through the API: the public board for anyone; an employer's own positions read and
written with the position form's checks and the service's audit and re-scoring mark; another
organisation's position is a 404; errors are problem details and leave nothing behind."""

import pytest
from django.test import Client

from bridges.models import AuditEvent
from employers.models import Position
from tests.candidates.factories import LanguageFactory, PlaceFactory
from tests.employers.factories import EmployerFactory, MembershipFactory, PositionFactory
from tests.factories import OccupationFactory, SkillFactory
from tests.login import token_client

pytestmark = pytest.mark.django_db

JSON = "application/json"


def payload(**overrides) -> dict:
    data = {
        "title": "Lagerist/in (m/w/d)",
        "description": "Kommissionieren und Verpacken.",
        "occupation": OccupationFactory().pk,
        "position_type": "employment",
        "location": "germany",
        "postal_code": "99084",
        "place": PlaceFactory().pk,
        "working_time": "full",
        "openings": 2,
    }
    data.update(overrides)
    return data


@pytest.fixture
def company_b(employer_b):
    company = EmployerFactory(name="Firma B GmbH")
    MembershipFactory(user=employer_b, employer=company)
    return company


def test_an_employer_makes_a_position_as_a_draft_through_the_form_and_service(employer_a, company_a):
    skill = SkillFactory()
    german = LanguageFactory(code="de")

    response = token_client(employer_a).post(
        "/api/v1/positions/",
        payload(essential_skills=[skill.pk], languages=[{"language": "de", "min_level": 3, "required": True}]),
        content_type=JSON,
    )

    assert response.status_code == 201, response.content
    body = response.json()
    position = Position.objects.get(pk=body["id"])
    assert position.employer == company_a
    assert position.status == Position.Status.DRAFT
    assert position.created_by == employer_a
    assert body["essential_skills"] == [skill.pk]
    assert body["languages"] == [{"language": "de", "min_level": 3, "required": True}]
    assert position.language_requirements.get().language == german
    assert position.rescore_requested_at is not None
    assert AuditEvent.objects.filter(target_type="employers.position", target_id=str(position.pk)).exists()


def test_invalid_input_gets_the_forms_messages_as_problem_details_and_writes_nothing(employer_a, company_a):
    before = Position.objects.count()

    response = token_client(employer_a).post(
        "/api/v1/positions/",
        payload(postal_code="123", salary_min=3000, salary_max=2000),
        content_type=JSON,
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400
    assert set(body["errors"]) >= {"postal_code", "salary_max"}
    assert Position.objects.count() == before


def test_a_malformed_body_is_a_400_not_a_500(employer_a, company_a):
    client = token_client(employer_a)

    assert client.post("/api/v1/positions/", "{not json", content_type=JSON).status_code == 400
    assert client.post("/api/v1/positions/", {"title": ["x"]}, content_type=JSON).status_code == 400
    assert client.post("/api/v1/positions/", payload(occupation=0), content_type=JSON).status_code == 400


def test_an_employer_changes_only_what_it_sends(employer_a, company_a):
    position = PositionFactory(employer=company_a, title="Alt", salary_min=2000)
    client = token_client(employer_a)

    response = client.patch(f"/api/v1/positions/{position.pk}/", {"title": "Neu"}, content_type=JSON)

    assert response.status_code == 200, response.content
    position.refresh_from_db()
    assert position.title == "Neu"
    assert position.salary_min == 2000


def test_another_organisations_position_is_a_404_to_read_and_to_change(employer_a, company_a, company_b):
    theirs = PositionFactory(employer=company_b, title="Fremd")
    client = token_client(employer_a)

    assert client.get(f"/api/v1/positions/{theirs.pk}/").status_code == 404
    assert client.patch(f"/api/v1/positions/{theirs.pk}/", {"title": "x"}, content_type=JSON).status_code == 404
    status = client.post(f"/api/v1/positions/{theirs.pk}/status/", {"status": "closed"}, content_type=JSON)
    assert status.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.title, theirs.status) == ("Fremd", Position.Status.OPEN)
    assert [row["id"] for row in client.get("/api/v1/positions/").json()["results"]] == []


def test_case_workers_read_every_position_but_make_none(case_worker, company_a, company_b):
    PositionFactory(employer=company_a)
    PositionFactory(employer=company_b)
    client = token_client(case_worker)

    assert client.get("/api/v1/positions/").json()["count"] == 2
    refused = client.post("/api/v1/positions/", payload(), content_type=JSON)
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"


def test_status_changes_follow_the_positions_rules(employer_a, company_a):
    position = PositionFactory(employer=company_a, status=Position.Status.DRAFT)
    client = token_client(employer_a)

    opened = client.post(f"/api/v1/positions/{position.pk}/status/", {"status": "open"}, content_type=JSON)
    refused = client.post(f"/api/v1/positions/{position.pk}/status/", {"status": "draft"}, content_type=JSON)

    assert opened.status_code == 200
    assert opened.json()["status"] == "open"
    assert refused.status_code == 400
    assert refused.json()["errors"]


def test_the_public_board_lists_open_positions_for_anyone_and_filters_them(company_a):
    open_ = PositionFactory(employer=company_a, title="Offen")
    PositionFactory(employer=company_a, title="Entwurf", status=Position.Status.DRAFT)
    abroad = PositionFactory(
        employer=company_a, title="Erbil", location=Position.Location.ABROAD, country="IQ", postal_code="", place=None
    )

    everyone = Client().get("/api/v1/jobs/").json()
    only_abroad = Client().get("/api/v1/jobs/", {"location": "abroad"}).json()

    assert {row["title"] for row in everyone["results"]} == {"Offen", "Erbil"}
    assert [row["id"] for row in only_abroad["results"]] == [abroad.pk]
    assert "status" not in everyone["results"][0]  # the board's fields, not the organisation's
    assert Client().get(f"/api/v1/jobs/{open_.pk}/").status_code == 200
    by_title = Client().get("/api/v1/jobs/", {"ordering": "-title"}).json()["results"]
    assert [row["title"] for row in by_title] == ["Offen", "Erbil"]  # ?ordering= on every list (settings)


def test_lists_read_a_constant_number_of_queries(employer_a, company_a, django_assert_max_num_queries):
    for _ in range(12):
        PositionFactory(employer=company_a)
    client = token_client(employer_a)
    client.get("/api/v1/positions/")  # the token's first use writes when it was used

    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/positions/")
    with django_assert_max_num_queries(8):
        jobs = Client().get("/api/v1/jobs/")

    assert response.json()["count"] == 12
    assert jobs.json()["count"] == 12
