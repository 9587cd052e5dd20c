"""Which step of the way each candidate reached in a period: the one definition under the
report's figures, the fairness table and the anonymised export."""

import datetime

import pytest
from django.utils import timezone

from candidates.models import Status
from matching.pipeline import Stage
from matching.report_scope import ReportFilters, Where, candidate_steps, shown
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import PositionFactory
from tests.matching.factories import MatchDecisionFactory, introduce

pytestmark = pytest.mark.django_db

YEAR = ReportFilters(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31))


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _steps(filters=YEAR) -> dict[int, dict]:
    fields = ["shortlisted", "introduced", "interview", "offer", "placed", "placed_here", "returned"]
    return {row.pop("pk"): row for row in candidate_steps(filters).values("pk", *fields)}


def _placed(candidate, position, actor, start: datetime.date, moved_at: datetime.date):
    from matching import introductions as svc

    introduction = introduce(candidate=candidate, position=position, actor=actor)
    svc.introduction_move(introduction=introduction, to=Stage.INTERESTED, actor=actor)
    svc.introduction_move(introduction=introduction, to=Stage.OFFER, actor=actor)
    svc.placement_record(
        introduction=introduction,
        actor=actor,
        kind=svc.placement_kind_for(position),
        start_date=start,
        place="Erfurt",
    )
    introduction.events.update(at=_at(moved_at))
    type(introduction).objects.filter(pk=introduction.pk).update(created_at=_at(moved_at))
    return introduction


def test_each_step_counts_inside_the_period_only(case_worker, company_a):
    here = PositionFactory(employer=company_a)
    abroad = PositionFactory(employer=company_a, abroad=True, openings=3)
    placed = CandidateFactory(case_worker=case_worker)
    returned = CandidateFactory(case_worker=case_worker, perspective="return", return_country="SY")
    shortlisted = CandidateFactory(case_worker=case_worker)
    late = CandidateFactory(case_worker=case_worker, perspective="return", return_country="SY")
    inactive = CandidateFactory(case_worker=case_worker, status=Status.INACTIVE)
    _placed(placed, here, case_worker, start=datetime.date(2026, 12, 31), moved_at=datetime.date(2026, 12, 1))
    _placed(returned, abroad, case_worker, start=datetime.date(2026, 6, 1), moved_at=datetime.date(2026, 5, 1))
    MatchDecisionFactory(candidate=shortlisted, position=here)
    # introduced and placed just after the period
    _placed(late, abroad, case_worker, start=datetime.date(2027, 1, 1), moved_at=datetime.date(2027, 1, 1))

    steps = _steps()

    assert inactive.pk not in steps
    assert steps[placed.pk] == {
        "shortlisted": True,
        "introduced": True,
        "interview": True,  # an offer without an interview passed this step too
        "offer": True,
        "placed": True,
        "placed_here": True,
        "returned": False,
    }
    assert steps[returned.pk]["returned"]
    assert not steps[returned.pk]["placed_here"]
    assert steps[shortlisted.pk] == dict.fromkeys(steps[placed.pk], False) | {"shortlisted": True}
    assert not any(steps[late.pk].values())

    abroad_only = _steps(ReportFilters(start=YEAR.start, end=YEAR.end, where=Where.ABROAD))
    assert set(abroad_only) == {returned.pk, late.pk}  # the others' perspective is to stay
    assert abroad_only[returned.pk]["placed"]
    here_only = _steps(ReportFilters(start=YEAR.start, end=YEAR.end, where=Where.GERMANY))
    assert set(here_only) == {placed.pk, shortlisted.pk}


def test_intake_after_the_period_is_not_counted(case_worker):
    candidate = CandidateFactory(case_worker=case_worker)
    type(candidate).objects.filter(pk=candidate.pk).update(created_at=_at(datetime.date(2027, 1, 1), hour=0))
    assert candidate.pk not in _steps()
    assert candidate.pk in _steps(ReportFilters(start=YEAR.start, end=datetime.date(2027, 1, 1)))


def test_filters_by_case_worker_and_origin(case_worker, admin_user):
    mine = CandidateFactory(case_worker=case_worker, country_of_origin="SY")
    other = CandidateFactory(case_worker=admin_user, country_of_origin="AF")
    assert set(_steps(ReportFilters(start=YEAR.start, end=YEAR.end, case_worker_id=case_worker.pk))) == {mine.pk}
    assert set(_steps(ReportFilters(start=YEAR.start, end=YEAR.end, origin_country="AF"))) == {other.pk}


@pytest.mark.parametrize(("count", "text"), [(0, "0"), (1, "< 5"), (4, "< 5"), (5, "5"), (None, "–")])
def test_small_counts_are_not_shown(count, text):
    assert shown(count) == text
