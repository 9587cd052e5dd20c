"""The suggested allocation page: permissions, capacities, one position per candidate, at least
as good as greedy, pinned and dismissed pairs, the audit row and a constant number of queries;
the stored run behind it (queued by the page's button, computed by the task), its pages and filters.
Match rows are written directly with MatchFactory, not by the engine."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridges.models import AuditEvent
from employers.models import Position
from matching import allocation_service, tasks
from matching.models import AllocationPair, AllocationPosition, AllocationRun, MatchDecision, MatchRun
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import EmployerFactory, PositionFactory
from tests.matching.factories import MatchDecisionFactory, MatchFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    # The assertions read the English source strings; German is the default language.
    client.cookies["django_language"] = "en"


@pytest.fixture
def queued(monkeypatch):
    """Runs queued by the page, as ids, instead of the broker (`run_queued` computes them)."""
    ids = []
    monkeypatch.setattr(allocation_service, "_queue", ids.append)
    return ids


@pytest.fixture(autouse=True)
def run_at_once(monkeypatch):
    """The task computes a queued run right away (as eager Celery does after the commit)."""
    monkeypatch.setattr(allocation_service, "_queue", tasks.allocate)


URL = reverse("matching:allocation")
COMPUTE = reverse("matching:allocation_compute")
STATUS = reverse("matching:allocation_status")


def _result(client, user, **params):
    """Press the button for the filter's location, then read the page; the rows and totals."""
    client.force_login(user)
    assert client.post(COMPUTE, {"location": params.get("location", "")}).status_code == 302
    response = client.get(URL, params)
    assert response.status_code == 200
    run = response.context["run"]
    rows = list(response.context["page"].object_list)
    return SimpleNamespace(
        positions=rows,
        suggested_total=run.suggested_total,
        suggested_filled=run.suggested_filled,
        greedy_total=run.greedy_total,
        greedy_filled=run.greedy_filled,
        openings=run.openings,
        pairs=run.pairs,
        ignored_pins=response.context["ignored_pins"] or [],
        response=response,
    )


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
    assert 'data-testid="allocation-none"' in content
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
    result = _result(client, case_worker)
    assert _pairs(result) == {(weak.candidate_id, position.pk)}
    assert [m.candidate_id for row in result.positions for m in row.greedy] == [weak.candidate_id]
    assert "pinned" in result.response.content.decode()


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


def test_constant_number_of_queries(client, case_worker, django_assert_max_num_queries):
    client.force_login(case_worker)
    MatchFactory(score=60)
    client.post(COMPUTE)
    client.get(URL)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    for _ in range(30):  # more than a page of positions, with pins and an ignored pin
        position = PositionFactory(openings=2)
        for score in (80, 70, 60):
            MatchFactory(position=position, score=score)
    candidate = CandidateFactory()
    for position in Position.objects.all()[:2]:
        MatchFactory(candidate=candidate, position=position, score=90)
        MatchDecisionFactory(candidate=candidate, position=position, status=MatchDecision.Status.PINNED)
    client.post(COMPUTE)
    client.get(URL)
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL)
        assert response.status_code == 200
    assert response.context["run"].ignored_pins == 1
    assert len(response.context["page"].object_list) == 25
    assert len(large) == len(small) + 1  # the ignored pins
    with django_assert_max_num_queries(len(large)):
        client.get(URL, {"page": 2})
    with CaptureQueriesContext(connection) as second:
        assert client.get(URL, {"page": 2, "suggested": "on", "title": "a"}).status_code == 200
    assert len(second) <= len(large)


def test_the_page_before_any_run_offers_the_button(client, case_worker, queued):
    MatchFactory(score=60)
    client.force_login(case_worker)
    content = client.get(URL).content.decode()
    assert 'data-testid="allocation-none"' in content
    assert COMPUTE in content
    assert client.post(COMPUTE, {"location": "abroad"}).status_code == 302
    run = AllocationRun.objects.get()
    assert (run.location, run.status, run.requested_by) == ("abroad", AllocationRun.Status.QUEUED, case_worker)
    assert queued == [run.pk]


def test_a_pending_run_shows_computing_polls_and_is_not_queued_twice(client, case_worker, queued):
    MatchFactory(score=60)
    client.force_login(case_worker)
    client.post(COMPUTE)
    client.post(COMPUTE)
    assert AllocationRun.objects.count() == 1
    assert len(queued) == 1
    content = client.get(URL).content.decode()
    assert 'data-testid="allocation-computing"' in content
    assert f'hx-get="{STATUS}?location="' in content
    status = client.get(STATUS, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in status.content.decode()
    assert "HX-Refresh" not in status
    tasks.allocate(queued[0])
    done = client.get(STATUS, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    assert "every 2s" not in done.content.decode()


def test_a_lost_run_may_be_asked_for_again(client, case_worker, queued):
    client.force_login(case_worker)
    client.post(COMPUTE)
    AllocationRun.objects.update(created_at=timezone.now() - allocation_service.LOST_AFTER * 2)
    assert 'data-testid="allocation-lost"' in client.get(URL).content.decode()
    client.post(COMPUTE)
    assert AllocationRun.objects.count() == 2
    assert len(queued) == 2


def test_a_failed_run_is_shown_and_keeps_the_previous_suggestion(client, case_worker, monkeypatch):
    match = MatchFactory(score=60)
    _result(client, case_worker)
    ids = []
    monkeypatch.setattr(allocation_service, "_queue", ids.append)
    client.post(COMPUTE)

    def broken(inputs):
        raise RuntimeError("no solution")

    monkeypatch.setattr(allocation_service, "compute", broken)
    with pytest.raises(RuntimeError):
        tasks.allocate(ids[0])
    failed = AllocationRun.objects.latest("pk")
    assert failed.status == AllocationRun.Status.FAILED
    assert "no solution" in failed.error
    response = client.get(URL)
    assert 'data-testid="allocation-failed"' in response.content.decode()
    assert _pairs(SimpleNamespace(positions=response.context["page"].object_list)) == {
        (match.candidate_id, match.position_id)
    }


def test_a_new_run_replaces_the_older_one_of_its_filter_only(client, case_worker):
    MatchFactory(score=60)
    MatchFactory(position=PositionFactory(location=Position.Location.ABROAD, country="SY"), score=50)
    _result(client, case_worker)
    _result(client, case_worker, location="abroad")
    first_everywhere = AllocationRun.objects.get(location="")
    _result(client, case_worker)
    runs = AllocationRun.objects.order_by("pk")
    assert [(run.location, run.status) for run in runs] == [
        ("abroad", AllocationRun.Status.SUCCEEDED),
        ("", AllocationRun.Status.SUCCEEDED),
    ]
    assert first_everywhere.pk not in {run.pk for run in runs}
    assert AllocationPosition.objects.filter(run=first_everywhere).count() == 0
    assert AllocationPair.objects.filter(run_id=first_everywhere.pk).count() == 0


def test_pages_and_filters(client, case_worker):
    mine = EmployerFactory(name="Bäckerei Sonnenschein")
    for number in range(30):
        position = PositionFactory(title=f"Koch {number:02}", openings=1)
        MatchFactory(position=position, score=50 + number)
    baker = PositionFactory(title="Bäcker", employer=mine, openings=1)
    MatchFactory(position=baker, score=70)
    empty = PositionFactory(title="Dachdecker", openings=1)
    dismissed = MatchFactory(position=empty, score=40)
    MatchDecisionFactory(
        candidate=dismissed.candidate, position=empty, status=MatchDecision.Status.DISMISSED, reason="skills"
    )
    result = _result(client, case_worker)
    assert [row.position_id for row in result.positions][:2] == [baker.pk, empty.pk]  # by title
    assert len(result.positions) == 25
    second = client.get(URL, {"page": 2}).context["page"]
    assert [row.position.title for row in second.object_list] == [f"Koch {n:02}" for n in range(23, 30)]
    by_title = client.get(URL, {"title": "KOCH 1"}).context["page"]
    assert [row.position.title for row in by_title.object_list] == [f"Koch {n:02}" for n in range(10, 20)]
    by_employer = client.get(URL, {"employer": "sonnenschein"}).context["page"]
    assert [row.position_id for row in by_employer.object_list] == [baker.pk]
    suggested = client.get(URL, {"suggested": "on"}).context["page"]
    assert empty.pk not in {row.position_id for row in suggested.object_list}
    assert suggested.paginator.count == 31
    content = client.get(URL).content.decode()
    assert "nobody suggested" in content
    assert "Koch 00" in content
    assert "?page=2" in content


def test_scores_are_shown_with_one_decimal(client, case_worker):
    MatchFactory(score=61.23456789)
    content = _result(client, case_worker).response.content.decode()
    assert "61.2" in content
    assert "61.23" not in content


def test_the_page_says_how_old_the_suggestion_is_and_when_matches_changed(client, case_worker):
    match = MatchFactory(score=60)
    content = _result(client, case_worker).response.content.decode()
    assert 'data-testid="allocation-age"' in content
    assert 'data-testid="allocation-stale"' not in content
    MatchRun.objects.create(
        trigger=MatchRun.Trigger.CANDIDATE, status=MatchRun.Status.SUCCEEDED, finished_at=timezone.now()
    )
    assert 'data-testid="allocation-stale"' in client.get(URL).content.decode()
    _result(client, case_worker)
    assert 'data-testid="allocation-stale"' not in client.get(URL).content.decode()
    MatchDecisionFactory(candidate=match.candidate, position=match.position, status=MatchDecision.Status.PINNED)
    assert 'data-testid="allocation-stale"' in client.get(URL).content.decode()


def test_a_full_rescore_task_refreshes_the_stored_suggestions(client, case_worker, queued):
    MatchFactory(score=60)
    client.force_login(case_worker)
    client.post(COMPUTE, {"location": "abroad"})
    tasks.allocate(queued[0])
    tasks.rescore_all()
    runs = AllocationRun.objects.filter(status=AllocationRun.Status.QUEUED)
    assert [run.location for run in runs] == ["abroad"]
    assert queued[-1] == runs.get().pk


def test_the_rows_go_with_an_erased_candidate(client, case_worker):
    match = MatchFactory(score=60)
    _result(client, case_worker)
    assert AllocationPair.objects.filter(candidate=match.candidate).exists()
    match.candidate.delete()
    assert not AllocationPair.objects.filter(candidate_id=match.candidate_id).exists()
