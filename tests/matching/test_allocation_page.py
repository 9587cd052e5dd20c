"""The suggested allocation page: permissions, capacities, one position per candidate, at least
as good as greedy, pinned and dismissed pairs, the audit row and a constant number of queries.
Match rows are written directly with MatchFactory, not by the engine."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridges.models import AuditEvent
from employers.models import Position
from matching.models import MatchDecision
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import PositionFactory
from tests.matching.factories import MatchDecisionFactory, MatchFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    # The assertions read the English source strings; German is the default language.
    client.cookies["django_language"] = "en"


URL = reverse("matching:allocation")


def _result(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.context["result"]


def _pairs(result) -> set[tuple[int, int]]:
    return {(match.candidate_id, match.position_id) for row in result.positions for match in row.suggested}


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_employer_gets_403(client, employer_a):
    client.force_login(employer_a)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_case_worker_and_admin_see_the_page(client, personas, persona):
    MatchFactory(score=60)
    client.force_login(personas[persona])
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Shortlisting people for jobs is high-risk under the EU AI Act: a person decides." in content


def test_overview_links_to_the_allocation(client, case_worker):
    client.force_login(case_worker)
    assert URL in client.get(reverse("matching:overview")).content.decode()


def test_capacity_is_respected(client, case_worker):
    position = PositionFactory(openings=1)
    strong = [MatchFactory(position=position, score=score) for score in (95, 90)]
    result = _result(client, case_worker)
    assert len(_pairs(result)) == 1
    assert _pairs(result) == {(strong[0].candidate_id, position.pk)}
    assert result.suggested_filled == result.greedy_filled == 1


def test_two_openings_take_two(client, case_worker):
    position = PositionFactory(openings=2)
    for score in (95, 90, 85):
        MatchFactory(position=position, score=score)
    result = _result(client, case_worker)
    assert result.suggested_filled == 2
    assert result.openings == 2
    assert result.suggested_total == pytest.approx(185)


def test_a_candidate_gets_at_most_one_position(client, case_worker):
    candidate = CandidateFactory()
    first, second = PositionFactory(openings=1), PositionFactory(openings=1)
    MatchFactory(candidate=candidate, position=first, score=95)
    MatchFactory(candidate=candidate, position=second, score=94)
    result = _result(client, case_worker)
    candidates = [match.candidate_id for row in result.positions for match in row.suggested]
    assert candidates == [candidate.pk]
    assert result.suggested_filled == 1


def test_suggestion_beats_greedy_where_greedy_is_suboptimal(client, case_worker):
    # A is best for both positions, B only fits position 1: greedy gives A position 1 and B nothing.
    a, b = CandidateFactory(), CandidateFactory()
    one, two = PositionFactory(openings=1), PositionFactory(openings=1)
    MatchFactory(candidate=a, position=one, score=90)
    MatchFactory(candidate=a, position=two, score=80)
    MatchFactory(candidate=b, position=one, score=70)
    result = _result(client, case_worker)
    assert result.greedy_total == pytest.approx(90)
    assert result.greedy_filled == 1
    assert result.suggested_total == pytest.approx(150)
    assert result.suggested_filled == 2
    assert result.suggested_total >= result.greedy_total
    assert _pairs(result) == {(a.pk, two.pk), (b.pk, one.pk)}


def test_pinned_pair_appears(client, case_worker):
    position = PositionFactory(openings=1)
    MatchFactory(position=position, score=95)
    weak = MatchFactory(position=position, score=30)
    MatchDecisionFactory(candidate=weak.candidate, position=position, status=MatchDecision.Status.PINNED)
    client.force_login(case_worker)
    response = client.get(URL)
    result = response.context["result"]
    assert _pairs(result) == {(weak.candidate_id, position.pk)}
    assert [m.candidate_id for row in result.positions for m in row.greedy] == [weak.candidate_id]
    assert "pinned" in response.content.decode()


def test_conflicting_pins_keep_the_best_and_still_compute(client, case_worker):
    candidate = CandidateFactory()
    first, second = PositionFactory(openings=1), PositionFactory(openings=1)
    MatchFactory(candidate=candidate, position=first, score=60)
    MatchFactory(candidate=candidate, position=second, score=50)
    for position in (first, second):
        MatchDecisionFactory(candidate=candidate, position=position, status=MatchDecision.Status.PINNED)
    result = _result(client, case_worker)
    assert _pairs(result) == {(candidate.pk, first.pk)}
    assert [(m.candidate_id, m.position_id) for m in result.ignored_pins] == [(candidate.pk, second.pk)]


def test_dismissed_pair_never_appears(client, case_worker):
    position = PositionFactory(openings=1)
    best = MatchFactory(position=position, score=95)
    other = MatchFactory(position=position, score=40)
    MatchDecisionFactory(
        candidate=best.candidate,
        position=position,
        status=MatchDecision.Status.DISMISSED,
        reason=MatchDecision.Reason.SKILLS,
    )
    result = _result(client, case_worker)
    assert _pairs(result) == {(other.candidate_id, position.pk)}
    greedy = {(m.candidate_id, m.position_id) for row in result.positions for m in row.greedy}
    assert (best.candidate_id, position.pk) not in greedy


def test_only_open_public_positions_and_location_filter(client, case_worker):
    germany = MatchFactory(score=70)
    abroad = MatchFactory(position=PositionFactory(location=Position.Location.ABROAD, country="SY"), score=60)
    MatchFactory(position=PositionFactory(status=Position.Status.DRAFT), score=99)
    assert _pairs(_result(client, case_worker)) == {
        (germany.candidate_id, germany.position_id),
        (abroad.candidate_id, abroad.position_id),
    }
    assert _pairs(_result(client, case_worker, location="abroad")) == {(abroad.candidate_id, abroad.position_id)}
    assert _pairs(_result(client, case_worker, location="germany")) == {(germany.candidate_id, germany.position_id)}


def test_the_page_writes_one_audit_row(client, case_worker):
    MatchFactory(score=60)
    before = AuditEvent.objects.filter(target_type="matching.allocation").count()
    _result(client, case_worker)
    events = AuditEvent.objects.filter(target_type="matching.allocation")
    assert events.count() == before + 1
    event = events.latest("pk")
    assert event.action == AuditEvent.Action.VIEW
    assert event.actor == case_worker


def test_constant_number_of_queries(client, case_worker):
    client.force_login(case_worker)
    MatchFactory(score=60)
    client.get(URL)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    for _ in range(3):
        position = PositionFactory(openings=2)
        for score in (80, 70, 60):
            MatchFactory(position=position, score=score)
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL).status_code == 200
    assert len(large) == len(small)
