"""Introductions through the API: case workers introduce and move them through the same form and
services as the pages; an employer reads their own organisation's introductions, the shared
profile only while the introduction is open and the consent stands (audited), answers as the
pipeline's table allows, and never sees internal fields or another organisation's record."""

import datetime

import pytest

from bridges.models import AuditEvent
from candidates.models import Consent
from candidates.services import consent_withdraw
from matching.models import Introduction, IntroductionEvent
from matching.pipeline import Stage
from tests.candidates.factories import CandidateFactory, ConsentFactory
from tests.employers.factories import PositionFactory
from tests.login import token_client
from tests.matching.factories import MatchFactory, introduce

pytestmark = pytest.mark.django_db


@pytest.fixture
def introduction(case_worker, company_b):
    """Company B's open introduction of a candidate who shares contact details and languages."""
    candidate = CandidateFactory(first_name="Amina", last_name="Al-Hassan", email="amina@example.org")
    position = PositionFactory(employer=company_b, title="Pflegefachkraft")
    return introduce(
        candidate=candidate,
        position=position,
        actor=case_worker,
        sections=["contact", "languages"],
        next_step="Call the employer",
    )


def test_a_case_worker_introduces_through_the_api_as_on_the_page(case_worker, company_b):
    match = MatchFactory(position__employer=company_b, score=77.0)
    ConsentFactory(candidate=match.candidate, employer=company_b)
    match.candidate.desired_occupations.add(match.position.occupation_id)
    client = token_client(case_worker)
    due = datetime.date.today() + datetime.timedelta(days=3)

    response = client.post(
        "/api/v1/introductions/",
        {
            "candidate": match.candidate_id,
            "position": match.position_id,
            "shared_sections": ["languages", "skills"],
            "message": "Sehr motiviert.",
            "next_step": "Nachfassen",
            "next_step_due": due.isoformat(),
        },
        content_type="application/json",
    )
    again = client.post(
        "/api/v1/introductions/",
        {"candidate": match.candidate_id, "position": match.position_id},
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    introduction = Introduction.objects.get(pk=body["id"])
    assert introduction.shared_sections == ["languages", "skills"]
    assert introduction.score == 77.0
    assert body["stage"] == "proposed"
    assert body["next_step"] == "Nachfassen"
    assert body["next_step_due"] == due.isoformat()
    assert body["name"] == match.candidate.full_name
    assert set(body["moves"]) == {"interested", "interview", "declined", "withdrawn", "closed"}
    assert IntroductionEvent.objects.filter(introduction=introduction, to_stage="proposed").count() == 1
    assert AuditEvent.objects.filter(
        target_type="candidates.candidate", target_id=str(match.candidate_id), action="update"
    ).exists()
    assert again.status_code == 400
    assert "bereits einen offenen Vermittlungsvorschlag" in str(again.json()["errors"])


def test_an_introduction_without_consent_or_with_bad_input_is_refused_and_nothing_is_written(case_worker, company_b):
    candidate = CandidateFactory()
    position = PositionFactory(employer=company_b)
    client = token_client(case_worker)

    def post(**body):
        return client.post(
            "/api/v1/introductions/",
            {"candidate": candidate.pk, "position": position.pk, **body},
            content_type="application/json",
        )

    no_consent = post()
    unknown = client.post(
        "/api/v1/introductions/", {"candidate": 999999, "position": 999999}, content_type="application/json"
    )
    ConsentFactory(candidate=candidate, employer=company_b)
    foreign_document = post(shared_documents=[123456])
    bad_section = post(shared_sections=["diary"])

    assert no_consent.status_code == 400
    assert "nicht zugestimmt" in str(no_consent.json()["errors"])
    assert no_consent["Content-Type"] == "application/problem+json"
    assert unknown.status_code == 400
    assert set(unknown.json()["errors"]) == {"candidate", "position"}
    assert foreign_document.status_code == 400
    assert "shared_documents" in foreign_document.json()["errors"]
    assert bad_section.status_code == 400
    assert "shared_sections" in bad_section.json()["errors"]
    assert not Introduction.objects.exists()


def test_employers_may_not_introduce(employer_b, company_b, introduction):
    response = token_client(employer_b).post(
        "/api/v1/introductions/",
        {"candidate": introduction.candidate_id, "position": introduction.position_id},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert Introduction.objects.count() == 1


def test_the_employer_reads_the_shared_sections_only_and_the_read_is_audited(employer_b, introduction):
    client = token_client(employer_b)

    rows = client.get("/api/v1/introductions/").json()["results"]
    one = client.get(f"/api/v1/introductions/{introduction.pk}/").json()

    assert [row["id"] for row in rows] == [introduction.pk]
    assert rows[0]["name"] == "Amina Al-Hassan"
    assert rows[0]["profile"] is None  # the list never carries profiles
    profile = one["profile"]
    assert profile["name"] == "Amina Al-Hassan"
    assert profile["email"] == "amina@example.org"
    assert set(profile) == {"name", "email", "phone", "street", "postal_code", "town", "languages", "documents"}
    for internal in ("candidate", "case_worker", "next_step", "next_step_due", "score", "rank_for_position"):
        assert one[internal] is None
    assert "Call the employer" not in str(one)
    assert set(one["moves"]) == {"interested", "declined"}
    seen = AuditEvent.objects.filter(
        target_type="candidates.candidate", target_id=str(introduction.candidate_id), actor=employer_b, action="view"
    ).count()
    assert seen == 1


def test_another_organisations_introduction_is_a_404(employer_a, company_a, introduction):
    client = token_client(employer_a)

    assert client.get(f"/api/v1/introductions/{introduction.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/introductions/{introduction.pk}/move/", {"to": "interested"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get("/api/v1/introductions/").json()["count"] == 0
    assert Introduction.objects.get().stage == Stage.PROPOSED


def test_after_the_consent_is_withdrawn_the_employer_sees_a_reference_and_may_not_answer(
    case_worker, employer_b, introduction
):
    consent = Consent.objects.get(candidate=introduction.candidate)
    consent_withdraw(consent=consent, actor=case_worker)
    client = token_client(employer_b)

    one = client.get(f"/api/v1/introductions/{introduction.pk}/").json()
    answer = client.post(
        f"/api/v1/introductions/{introduction.pk}/move/", {"to": "interested"}, content_type="application/json"
    )
    by_candidate = client.get("/api/v1/introductions/", {"candidate": introduction.candidate_id})

    assert one["name"] is None
    assert one["profile"] is None
    assert one["reference"]
    assert one["moves"] == []
    assert "Amina" not in str(one)
    assert "amina@example.org" not in str(one)
    assert answer.status_code == 403
    assert by_candidate.status_code == 403  # would tell who is behind the reference
    assert Introduction.objects.get().stage == Stage.PROPOSED


def test_the_employer_answers_along_the_table_and_the_case_worker_closes_with_a_reason(
    case_worker, employer_b, introduction
):
    employer = token_client(employer_b)
    staff = token_client(case_worker)

    def move(client, **body):
        return client.post(f"/api/v1/introductions/{introduction.pk}/move/", body, content_type="application/json")

    interested = move(employer, to="interested", comment="Gern ein Gespräch")
    not_theirs = move(employer, to="interview")
    placed = move(staff, to="placed")
    without_reason = move(staff, to="closed")
    closed = move(staff, to="closed", reason="position_filled")
    after = move(employer, to="offer")

    assert interested.status_code == 200
    assert interested.json()["stage"] == "interested"
    assert not_theirs.status_code == 400  # the table lets only staff set an interview stage
    assert placed.status_code == 400
    assert without_reason.status_code == 400
    assert "reason" in without_reason.json()["errors"]
    assert closed.status_code == 200
    assert closed.json()["close_reason"] == "position_filled"
    assert after.status_code == 403  # closed: nothing more to answer
    events = list(IntroductionEvent.objects.filter(introduction=introduction).order_by("pk"))
    assert [event.to_stage for event in events] == ["proposed", "interested", "closed"]
    assert events[1].actor == employer_b
    assert events[1].comment == "Gern ein Gespräch"


def test_filters_and_the_list_reads_a_constant_number_of_queries(
    case_worker, employer_b, company_b, introduction, django_assert_max_num_queries
):
    for _ in range(6):
        introduce(candidate=CandidateFactory(), position=PositionFactory(employer=company_b), actor=case_worker)
    staff = token_client(case_worker)
    employer = token_client(employer_b)
    staff.get("/api/v1/introductions/")
    employer.get("/api/v1/introductions/")

    with django_assert_max_num_queries(8):
        every = staff.get("/api/v1/introductions/").json()
    with django_assert_max_num_queries(9):
        theirs = employer.get("/api/v1/introductions/").json()
    one_position = staff.get("/api/v1/introductions/", {"position": introduction.position_id}).json()
    closed = staff.get("/api/v1/introductions/", {"stage": "closed"}).json()
    of_candidate = staff.get("/api/v1/introductions/", {"candidate": introduction.candidate_id}).json()
    declined = staff.post(
        f"/api/v1/introductions/{introduction.pk}/move/",
        {"to": "declined", "reason": "timing"},
        content_type="application/json",
    )
    ended = staff.get("/api/v1/introductions/", {"stage": "ended"}).json()
    closed_after = staff.get("/api/v1/introductions/", {"stage": "closed"}).json()
    open_after = staff.get("/api/v1/introductions/", {"stage": "open"}).json()

    assert every["count"] == theirs["count"] == 7
    assert [row["id"] for row in one_position["results"]] == [introduction.pk]
    assert closed["count"] == 0
    assert declined.status_code == 200, declined.content
    # "ended": every ended stage; "closed" is the one stage of that name, not a group.
    assert [row["id"] for row in ended["results"]] == [introduction.pk]
    assert closed_after["count"] == 0
    assert open_after["count"] == 6
    assert [row["id"] for row in of_candidate["results"]] == [introduction.pk]


def test_a_fully_shared_profile_conforms_to_the_schema(case_worker, employer_b, company_b, keep_the_test_connection):
    import schemathesis
    from schemathesis.checks import response_schema_conformance

    from bridges.api_tokens import api_token_create
    from bridges.wsgi import application
    from candidates.models import Education, WorkExperience
    from matching.models import SharedSection
    from tests.candidates.factories import CandidateLanguageFactory

    candidate = CandidateFactory(email="", place=None)
    CandidateLanguageFactory(candidate=candidate)
    Education.objects.create(candidate=candidate, degree_level="vocational", country="SY")
    WorkExperience.objects.create(candidate=candidate, job_title="Pfleger", start_date=datetime.date(2015, 1, 1))
    shared = introduce(
        candidate=candidate,
        position=PositionFactory(employer=company_b),
        actor=case_worker,
        sections=list(SharedSection.values),
    )
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    operation = schema["/api/v1/introductions/{id}/"]["GET"]
    _token, text = api_token_create(user=employer_b, name="schema", days=30)

    case = operation.Case(path_parameters={"id": shared.pk})
    response = case.call(headers={"Authorization": f"Bearer {text}"})

    assert response.status_code == 200
    case.validate_response(response, checks=[response_schema_conformance])
    assert set(response.json()["profile"]) >= {"email", "education", "experience", "languages", "perspective"}
