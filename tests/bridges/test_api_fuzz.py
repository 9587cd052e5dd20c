"""schemathesis against the API's own live schema, as each role: every operation gets requests made
from its OpenAPI description (valid and invalid), through the WSGI application, with a fixed seed.
Not one may answer with a server error, a status code the schema does not name, a content type
it does not declare, or a body that violates the schema. The counts are printed (`-s`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from bridges.api.throttling import TokenRateThrottle
from bridges.api_tokens import api_token_create
from bridges.wsgi import application
from candidates import measures
from candidates.models import Budget, Education, MeasureKind, WorkExperience
from matching import introductions
from matching.models import SharedSection
from matching.pipeline import Stage
from tests.candidates.factories import CandidateLanguageFactory
from tests.employers.factories import EmployerFactory, MembershipFactory, PositionFactory
from tests.factories import AdminFactory, CandidateUserFactory, CaseWorkerFactory, UserFactory
from tests.matching.factories import MatchFactory, introduce

pytestmark = pytest.mark.django_db

EXAMPLES = 30  # per operation and role: 22 operations × 6 roles × 30 = 3,960 requests
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ["anonymous", "employer_a", "employer_b", "case_worker", "admin", "candidate"]
COUNTS: dict[str, int] = {}


@pytest.fixture
def world(monkeypatch, keep_the_test_connection):
    """Two companies with open and draft positions, a candidate matched to each open one (one of
    them placed, with a support measure), an open introduction to company A sharing a full
    profile, and a token for each role (the candidate, the shared candidate's own login, has none:
    their session)."""
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api": "100000/minute"})
    users = {
        "employer_a": UserFactory(email="a@fuzz.example"),
        "employer_b": UserFactory(email="b@fuzz.example"),
        "case_worker": CaseWorkerFactory(email="berater@fuzz.example"),
        "admin": AdminFactory(email="admin@fuzz.example"),
        "candidate": CandidateUserFactory(email="person@fuzz.example"),
    }
    companies = {}
    for key in ("employer_a", "employer_b"):
        company = companies[key] = EmployerFactory()
        MembershipFactory(user=users[key], employer=company)
        match = MatchFactory(position=PositionFactory(employer=company))  # with its candidate
        PositionFactory(employer=company, status="draft")
    # An open introduction to company A that shares every section of a full profile.
    shared = MatchFactory(position=PositionFactory(employer=companies["employer_a"]))
    candidate = shared.candidate
    candidate.user = users["candidate"]
    candidate.save(update_fields=["user"])
    CandidateLanguageFactory(candidate=candidate)
    Education.objects.create(candidate=candidate, degree_level="vocational", field="Pflege", country="SY")
    WorkExperience.objects.create(candidate=candidate, job_title="Pfleger", country="SY", start_date=date(2015, 1, 1))
    introduce(
        candidate=candidate,
        position=shared.position,
        actor=users["case_worker"],
        sections=list(SharedSection.values),
        message="Bitte melden Sie sich.",
    )
    # A placement and a support measure, as the case worker records them.
    introduction = introduce(candidate=match.candidate, position=match.position, actor=users["case_worker"])
    for stage in (Stage.INTERESTED, Stage.OFFER):
        introduction = introductions.introduction_move(introduction=introduction, to=stage, actor=users["case_worker"])
    today = date.today()
    introductions.placement_record(
        introduction=introduction, actor=users["case_worker"], kind="employment", start_date=today, place="Erfurt"
    )
    Budget.objects.create(year=today.year, kind=MeasureKind.LANGUAGE_COURSE, amount=5000)
    measures.measure_plan(
        candidate=match.candidate,
        actor=users["case_worker"],
        kind=MeasureKind.LANGUAGE_COURSE,
        title="Deutschkurs B2",
        start_date=today,
        planned_cost=Decimal("450.00"),
    )
    headers = {"anonymous": {}}
    for role, user in users.items():
        if role == "candidate":
            # No API token for a candidate: their browser's session of the portal, as a script would send it.
            browser = Client()
            browser.force_login(user)
            cookie = django_settings.SESSION_COOKIE_NAME
            headers[role] = {"Cookie": f"{cookie}={browser.cookies[cookie].value}"}
            continue
        _token, text = api_token_create(user=user, name="fuzz", days=30)
        headers[role] = {"Authorization": f"Bearer {text}"}
    return headers


@pytest.mark.parametrize("role", ROLES)
def test_the_api_survives_fuzzing(world, role, capsys):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    headers = world[role]
    calls = 0
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case):
            nonlocal calls
            response = case.call(headers=headers)
            calls += 1
            case.validate_response(response, checks=CHECKS, headers=headers)

        call()
    COUNTS[role] = calls
    with capsys.disabled():
        print(f"\n  schemathesis as {role}: {calls} requests over {operations} operations, 0 failures")
    assert operations >= 7
    assert calls >= EXAMPLES * operations // 2
