"""The funder's report figures (`matching.report.report_build`) on one fixed fixture made through
the services, every figure worked out by hand below.

The period is the year 2026; "today" is 30 Nov 2026 (time_machine), so follow-ups due in
December 2026 are in the period but not yet due. Times are Europe/Berlin (settings.TIME_ZONE),
all moves at noon and none across a change of summer time, so that a stay lasts whole days.

Positions (company A, 5 openings each): G1 employment in Germany, G2 apprenticeship in Germany,
A1 return abroad.

Candidates (intake = profile created; case worker = the case_worker fixture unless noted):

- C1 Amina, SY, region Damascus, stay; intake 1 Oct 2025 00:30 (30 Sep in UTC: the intake's
  date is the local one). Placed twice in the period:
  I1 → G1: proposed 10 Jan, interested 20 Jan, interview 9 Feb, offer 19 Feb, placed 1 Mar
  (start 1 Mar 2026); I2 → G2: proposed 1 May, interested 6 May, offer 11 May, placed 1 Jun
  (start 1 Jun 2026). Measures: M1 language course, starts 1 Nov 2025, done at 800.00 (before
  the period); M2 travel for G1, starts 15 Feb 2026, done at 150.00.
- C2 Bilal, AF, return; intake 15 Jun 2025. I3 → A1: proposed 1 Dec 2025, interested 10 Dec,
  offer 20 Dec, placed 28 Dec 2025 with start 1 Jan 2026 (first day: counts). M3 travel, no
  position, starts 10 Jan 2026, done at 333.33.
- C3 Chen, SY, stay; intake 15 Jan 2025. I4 → G1: proposed 1 Nov 2025, interested 15 Nov, offer
  1 Dec, placed 30 Dec 2025 with start 31 Dec 2025 (the day before: not counted). M6 language
  course 1 Mar 2026, 500.00, cancelled.
- C4 Dana, SY, region Aleppo, open, case worker = admin_user; intake 1 Feb 2026. I7 → G2:
  proposed 1 Mar 2026, declined (qualification) 15 Mar. I5 → G1 proposed 31 Dec 2026 23:59
  (counts); I6 → A1 proposed 1 Jan 2027 00:00 (does not). M4 training, no position, 1 May 2026,
  1200.00, approved; M5 language course, no position, 1 Jul 2026, 400.00, planned.
- C5 Emil, AF, open; intake 1 May 2024. I8 → G2: proposed 10 Jan 2025, interested 20 Jan, offer
  1 Feb, placed 1 Mar 2025 (start 1 Mar 2025). I9 → A1: proposed 1 Apr 2026, withdrawn (candidate
  withdrew) 11 Apr. M8 travel 1 Jan 2027, 100.00, planned (after the period).
- C6 Farah, SY, return; intake 1 Sep 2026. I11 → A1: proposed 1 Oct 2026, interested 5 Oct, offer
  10 Oct, placed 20 Oct with start 1 Jan 2027 (after the period). M7 travel for A1, starts
  31 Dec 2026 (last day), done at 260.00.
- C7 Gül, inactive, stay, intake 1 Jan 2025, nothing in the period: not active.
- C8 Hana, stay, intake 31 Dec 2026 23:59: active. C9 Ivo, stay, intake 1 Jan 2027 00:00: not.
- C10 Jon, stay, intake 1 Feb 2026: shortlisted for G1 on 5 May 2026 (a decision), nothing else.

Follow-ups (6 and 12 months after each start; due in 2026 and by 30 Nov):
  P1 (C1, G1, 1 Mar 2026): 6 m due 1 Sep 2026, recorded "still in work"; 12 m 1 Mar 2027.
  P2 (C1, G2, 1 Jun 2026): 6 m due 1 Dec 2026: after today, not counted.
  P3 (C2, A1, 1 Jan 2026): 6 m due 1 Jul 2026, recorded "no longer in work".
  P4 (C3, G1, 31 Dec 2025): 6 m due 30 Jun 2026, recorded "in work elsewhere"; 12 m due 31 Dec
  2026: after today.
  P5 (C5, G2, 1 Mar 2025): 6 m due 1 Sep 2025 (before); 12 m due 1 Mar 2026, not recorded.
"""

import datetime
import statistics
from contextlib import contextmanager
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from bridges.models import Region
from candidates import measures as measure_svc
from candidates.models import Budget, MeasureKind, Perspective, Status
from matching import introductions as svc
from matching.models import FollowUp, Placement
from matching.pipeline import OPEN_STAGES, Reason, Stage
from matching.report import (
    QUERIES,
    CostRow,
    Count,
    FunnelStep,
    MonthCount,
    Quartiles,
    Retention,
    StageDays,
    days_to_placement,
    quantiles,
    report_build,
    stage_stays,
)
from matching.report_scope import ReportFilters, Where
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import PositionFactory
from tests.matching.factories import MatchDecisionFactory, introduce

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
YEAR = ReportFilters(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31))
D = datetime.date


def at(y: int, m: int, d: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(y, m, d, hour, minute, tzinfo=BERLIN)


@contextmanager
def on(moment: datetime.datetime):
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture(autouse=True)
def _german():
    """German whatever an earlier test left active: the report resolves its labels to str."""
    with translation.override("de"):
        yield


def report(filters: ReportFilters = YEAR):
    with on(at(2026, 11, 30)):
        return report_build(filters)


def candidate(intake: datetime.datetime, **fields):
    with on(intake):
        return CandidateFactory(**fields)


def way(cand, position, actor, moves: list[tuple[str, datetime.datetime]], *, created, reason=""):
    """An introduction made at `created` and moved along `moves` (stage, when) through the services."""
    with on(created):
        introduction = introduce(candidate=cand, position=position, actor=actor)
    for stage, moment in moves:
        with on(moment):
            svc.introduction_move(
                introduction=introduction, to=stage, actor=actor, reason=reason if stage in CLOSE else ""
            )
    return introduction


CLOSE = (Stage.DECLINED, Stage.WITHDRAWN, Stage.CLOSED)


def place(introduction, actor, *, recorded, start):
    with on(recorded):
        return svc.placement_record(
            introduction=introduction,
            actor=actor,
            kind=svc.placement_kind_for(introduction.position),
            start_date=start,
            place="Erfurt",
        )


def measure(cand, planner, approver, *, kind, start, cost, status, actual=None, position=None):
    with on(at(start.year, start.month, start.day)):
        m = measure_svc.measure_plan(
            candidate=cand,
            actor=planner,
            kind=kind,
            title="Maßnahme",
            start_date=start,
            planned_cost=Decimal(cost),
            position=position,
        )
        if status in ("approved", "done"):
            m = measure_svc.measure_approve(measure=m, actor=approver)
        if status == "done":
            m = measure_svc.measure_complete(measure=m, actor=planner, actual_cost=Decimal(actual))
        if status == "cancelled":
            m = measure_svc.measure_cancel(measure=m, actor=planner)
    return m


def record(placement, months, outcome, actor):
    follow_up = FollowUp.objects.get(placement=placement, months=months)
    with on(at(2026, 11, 1)):
        svc.follow_up_record(follow_up=follow_up, actor=actor, outcome=outcome)


def build(cw, admin, company) -> dict:
    for year in (2025, 2026, 2027):
        for kind in MeasureKind.values:
            Budget.objects.create(year=year, kind=kind, amount=Decimal("100000.00"))
    damascus = Region.objects.create(code="SY-DI", country="SY", name_en="Damascus", name_de="Damaskus")
    aleppo = Region.objects.create(code="SY-HL", country="SY", name_en="Aleppo", name_de="Aleppo")
    g1 = PositionFactory(employer=company, openings=5)
    g2 = PositionFactory(employer=company, openings=5, position_type="apprenticeship")
    a1 = PositionFactory(employer=company, openings=5, abroad=True)

    def person(intake, country, perspective=Perspective.STAY, **fields):
        if perspective == Perspective.RETURN:
            fields.setdefault("return_country", country)
        fields.setdefault("case_worker", cw)
        return candidate(intake, nationality=country, country_of_origin=country, perspective=perspective, **fields)

    c1 = person(at(2025, 10, 1, 0, 30), "SY", region_of_origin=damascus)
    c2 = person(at(2025, 6, 15), "AF", Perspective.RETURN)
    c3 = person(at(2025, 1, 15), "SY")
    c4 = person(at(2026, 2, 1), "SY", Perspective.OPEN, region_of_origin=aleppo, case_worker=admin)
    c5 = person(at(2024, 5, 1), "AF", Perspective.OPEN)
    c6 = person(at(2026, 9, 1), "SY", Perspective.RETURN)
    person(at(2025, 1, 1), "SY", status=Status.INACTIVE)  # C7
    c8 = person(at(2026, 12, 31, 23, 59), "SY")
    person(at(2027, 1, 1, 0, 0), "SY")  # C9
    c10 = person(at(2026, 2, 1), "SY")

    i1 = way(
        c1,
        g1,
        cw,
        [(Stage.INTERESTED, at(2026, 1, 20)), (Stage.INTERVIEW, at(2026, 2, 9)), (Stage.OFFER, at(2026, 2, 19))],
        created=at(2026, 1, 10),
    )
    p1 = place(i1, cw, recorded=at(2026, 3, 1), start=D(2026, 3, 1))
    i2 = way(c1, g2, cw, [(Stage.INTERESTED, at(2026, 5, 6)), (Stage.OFFER, at(2026, 5, 11))], created=at(2026, 5, 1))
    place(i2, cw, recorded=at(2026, 6, 1), start=D(2026, 6, 1))
    i3 = way(
        c2, a1, cw, [(Stage.INTERESTED, at(2025, 12, 10)), (Stage.OFFER, at(2025, 12, 20))], created=at(2025, 12, 1)
    )
    p3 = place(i3, cw, recorded=at(2025, 12, 28), start=D(2026, 1, 1))
    i4 = way(
        c3, g1, cw, [(Stage.INTERESTED, at(2025, 11, 15)), (Stage.OFFER, at(2025, 12, 1))], created=at(2025, 11, 1)
    )
    p4 = place(i4, cw, recorded=at(2025, 12, 30), start=D(2025, 12, 31))
    way(c4, g2, cw, [(Stage.DECLINED, at(2026, 3, 15))], created=at(2026, 3, 1), reason=Reason.QUALIFICATION)  # I7
    way(c4, g1, cw, [], created=at(2026, 12, 31, 23, 59))  # I5
    way(c4, a1, cw, [], created=at(2027, 1, 1, 0, 0))  # I6
    i8 = way(c5, g2, cw, [(Stage.INTERESTED, at(2025, 1, 20)), (Stage.OFFER, at(2025, 2, 1))], created=at(2025, 1, 10))
    p5 = place(i8, cw, recorded=at(2025, 3, 1), start=D(2025, 3, 1))
    way(c5, a1, cw, [(Stage.WITHDRAWN, at(2026, 4, 11))], created=at(2026, 4, 1), reason=Reason.CANDIDATE_WITHDREW)
    i11 = way(
        c6, a1, cw, [(Stage.INTERESTED, at(2026, 10, 5)), (Stage.OFFER, at(2026, 10, 10))], created=at(2026, 10, 1)
    )
    place(i11, cw, recorded=at(2026, 10, 20), start=D(2027, 1, 1))
    with on(at(2026, 5, 5)):
        MatchDecisionFactory(candidate=c10, position=g1)

    record(p1, 6, FollowUp.Outcome.IN_WORK, cw)
    record(p3, 6, FollowUp.Outcome.NOT_IN_WORK, cw)
    record(p4, 6, FollowUp.Outcome.OTHER_WORK, cw)

    lang, travel, training = MeasureKind.LANGUAGE_COURSE, MeasureKind.TRAVEL, MeasureKind.TRAINING
    measure(c1, cw, admin, kind=lang, start=D(2025, 11, 1), cost="900", status="done", actual="800.00")  # M1
    measure(c1, cw, admin, kind=travel, start=D(2026, 2, 15), cost="200", status="done", actual="150.00", position=g1)
    measure(c2, cw, admin, kind=travel, start=D(2026, 1, 10), cost="300", status="done", actual="333.33")  # M3
    measure(c4, cw, admin, kind=training, start=D(2026, 5, 1), cost="1200", status="approved")  # M4
    measure(c4, cw, admin, kind=lang, start=D(2026, 7, 1), cost="400", status="planned")  # M5
    measure(c3, cw, admin, kind=lang, start=D(2026, 3, 1), cost="500", status="cancelled")  # M6
    measure(c6, cw, admin, kind=travel, start=D(2026, 12, 31), cost="250", status="done", actual="260.00", position=a1)
    measure(c5, cw, admin, kind=travel, start=D(2027, 1, 1), cost="100", status="planned")  # M8
    assert p5.start_date == D(2025, 3, 1)
    return {"damascus": damascus, "aleppo": aleppo, "c8": c8, "g1": g1, "a1": a1}


@pytest.fixture
def world(case_worker, admin_user, company_a):
    return build(case_worker, admin_user, company_a)


def _kinds(**counts) -> list[Count]:
    return [Count(kind, str(label), counts.get(kind, 0)) for kind, label in Placement.Kind.choices]


def _reasons(**counts) -> list[Count]:
    return [Count(reason, str(label), counts.get(reason, 0)) for reason, label in Reason.choices]


def _costs(**rows) -> list[CostRow]:
    zero = Decimal("0.00")
    return [CostRow(kind, str(label), *rows.get(kind, (0, zero, zero))) for kind, label in MeasureKind.choices]


def _stages(**rows) -> list[StageDays]:
    return [StageDays(stage, str(Stage(stage).label), *rows.get(stage, (0, None, None))) for stage in OPEN_STAGES]


def test_every_figure_of_the_year(world):
    r = report()

    # Active: C1, C2, C3, C4, C5, C6, C8 (intake 31 Dec 23:59), C10 = 8; not C7 (inactive, no
    # step) nor C9 (intake 1 Jan 2027 00:00). Stay or open: C1 C3 C4 C5 C8 C10 = 6; return or
    # open: C2 C4 C5 C6 = 4.
    # Shortlisted: C1, C4 (introduced, Germany), C10 (decision, Germany), C5, C6 (introduced,
    # abroad) = 5 (3 here, 2 abroad). Introduced: C1, C4 (I7, I5 at 23:59) here; C5 (I9), C6
    # (I11) abroad = 4. Interview: C1 (I1) here, C6 (offer, passing the interview step) abroad.
    # Offer: the same. Placed: C1 (twice, once here) and C2 (1 Jan, abroad); not C3 (31 Dec
    # 2025) nor C6 (1 Jan 2027).
    assert r.funnel == [
        FunnelStep("active", "aktiv", 8, 6, 4),
        FunnelStep("shortlisted", r.funnel[1].label, 5, 3, 2),
        FunnelStep("introduced", "vorgeschlagen", 4, 2, 2),
        FunnelStep("interview", r.funnel[3].label, 2, 1, 1),
        FunnelStep("offer", r.funnel[4].label, 2, 1, 1),
        FunnelStep("placed", r.funnel[5].label, 2, 1, 1),
    ]
    assert all(type(step.label) is str for step in r.funnel)

    # Placements: P1 (1 Mar, G1 employment), P2 (1 Jun, G2 apprenticeship), P3 (1 Jan, A1 return).
    assert (r.placements, r.placements_here, r.returns) == (3, 2, 1)
    assert r.placements_by_kind == _kinds(employment=1, apprenticeship=1, qualification=0, **{"return": 1})
    months = {m.month: (m.here, m.abroad) for m in r.placements_by_month}
    assert [m.month for m in r.placements_by_month] == [D(2026, month, 1) for month in range(1, 13)]
    assert months[D(2026, 1, 1)] == (0, 1)
    assert months[D(2026, 3, 1)] == (1, 0)
    assert months[D(2026, 6, 1)] == (1, 0)
    assert sum(here + abroad for here, abroad in months.values()) == 3
    assert all(isinstance(m, MonthCount) for m in r.placements_by_month)

    # Time to placement, from the local intake date: C1 1 Oct 2025 → 1 Mar 2026 = 31+30+31+31+28
    # = 151 days, → 1 Jun 2026 = 151+31+30+31 = 243; C2 15 Jun 2025 → 1 Jan 2026 = 16 (to 1 Jul)
    # +31+31+30+31+30+31 = 200. Sorted 151, 200, 243: q1 = 151 + (200−151)/2 = 175.5, median
    # 200, q3 = 200 + (243−200)/2 = 221.5.
    assert r.time_to_placement == Quartiles(3, 175.5, 200.0, 221.5)

    # Stays that ended in 2026 (days): proposed I1 10, I2 5, I7 14, I9 10, I11 4 → 4 5 10 10 14:
    # median 10, mean 43/5 = 8.6; interested I1 20, I2 5, I11 5 → median 5, mean 10; interview I1
    # 10; trial none; offer I1 10, I2 21 (11 May → 1 Jun), I11 10 → median 10, mean 41/3. The
    # stays of I3, I4, I8 ended in 2025; I5 and I6 are still proposed.
    assert (
        r.days_per_stage[:3]
        == _stages(proposed=(5, 10.0, 8.6), interested=(3, 5.0, 10.0), interview=(1, 10.0, 10.0))[:3]
    )
    assert r.days_per_stage[3] == StageDays("trial", str(Stage.TRIAL.label), 0, None, None)
    offer = r.days_per_stage[4]
    assert (offer.stage, offer.n, offer.median) == ("offer", 3, 10.0)
    assert offer.mean == pytest.approx(41 / 3)

    # Retention: 6 months due P1 (in work), P3 (no longer), P4 (elsewhere) = 3, recorded 3, in work
    # 2, share 2/3 (P2's is due 1 Dec, after today); 12 months: P5 (1 Mar 2026, not recorded) = 1
    # (P4's is due 31 Dec, after today).
    assert r.retention[0] == Retention(6, 3, 3, 2, pytest.approx(2 / 3))
    assert r.retention[1] == Retention(12, 1, 0, 0, 0.0)

    # Closed in 2026: I7 declined (qualification), I9 withdrawn; placements are not closes.
    assert r.close_reasons == _reasons(qualification=1, candidate_withdrew=1)

    # Costs (measures starting in 2026, not cancelled): language M5 planned 400 (M1 is from 2025,
    # M6 cancelled); training M4 approved 1200; travel M2 150 + M3 333.33 + M7 260 (31 Dec) =
    # 743.33 spent (M8 starts 2027).
    assert r.costs == _costs(
        language_course=(1, Decimal("400.00"), Decimal("0.00")),
        training=(1, Decimal("1200.00"), Decimal("0.00")),
        travel=(3, Decimal("0.00"), Decimal("743.33")),
    )
    assert r.spent_total == Decimal("743.33")
    # Placed in 2026: C1 (M1 800 from 2025 + M2 150) and C2 (M3 333.33) = 1283.33; 3 placements:
    # 1283.33 / 3 = 427.776… → 427.78; 743.33 / 3 = 247.776… → 247.78.
    assert r.spent_on_placed == Decimal("1283.33")
    assert r.cost_per_placement_placed == Decimal("427.78")
    assert r.cost_per_placement_all == Decimal("247.78")


def test_in_germany_only(world):
    r = report(ReportFilters(start=YEAR.start, end=YEAR.end, where=Where.GERMANY))
    # Active: stay or open = C1 C3 C4 C5 C8 C10; nobody counts abroad under this filter.
    # Shortlisted on a German position: C1, C4, C10 (C5 only abroad). Introduced C1, C4.
    assert [(s.step, s.total, s.here, s.abroad) for s in r.funnel] == [
        ("active", 6, 6, 0),
        ("shortlisted", 3, 3, 0),
        ("introduced", 2, 2, 0),
        ("interview", 1, 1, 0),
        ("offer", 1, 1, 0),
        ("placed", 1, 1, 0),
    ]
    # P1 and P2, both C1's: the candidate counts once above, the placements twice.
    assert (r.placements, r.placements_here, r.returns) == (2, 2, 0)
    # 151, 243: q1 = 151 + 92/4 = 174, median 197, q3 = 220.
    assert r.time_to_placement == Quartiles(2, 174.0, 197.0, 220.0)
    # Proposed I1 10, I2 5, I7 14 → median 10, mean 29/3.
    proposed = r.days_per_stage[0]
    assert (proposed.n, proposed.median, proposed.mean) == (3, 10.0, pytest.approx(29 / 3))
    # 6 months: P1 in work, P4 elsewhere; 12 months: P5 (G2) not recorded.
    assert r.retention == [Retention(6, 2, 2, 2, 1.0), Retention(12, 1, 0, 0, 0.0)]
    assert r.close_reasons == _reasons(qualification=1)
    # Measures in Germany: M2 (G1); M4, M5 (no position, C4 open); not M3 (no position, C2
    # return) nor M7 (A1). On the placed (C1): M1 (no position, stay) 800 + M2 150 = 950, over
    # 2 placements = 475.00; spent 150 / 2 = 75.00.
    assert r.costs == _costs(
        language_course=(1, Decimal("400.00"), Decimal("0.00")),
        training=(1, Decimal("1200.00"), Decimal("0.00")),
        travel=(1, Decimal("0.00"), Decimal("150.00")),
    )
    assert (r.spent_total, r.spent_on_placed) == (Decimal("150.00"), Decimal("950.00"))
    assert (r.cost_per_placement_placed, r.cost_per_placement_all) == (Decimal("475.00"), Decimal("75.00"))


def test_abroad_only(world):
    r = report(ReportFilters(start=YEAR.start, end=YEAR.end, where=Where.ABROAD))
    # Active: return or open = C2, C4, C5, C6. Shortlisted and introduced abroad: C5 (I9), C6
    # (I11); I6 of C4 is from 2027. Interview and offer: C6. Placed: C2.
    assert [(s.step, s.total, s.here, s.abroad) for s in r.funnel] == [
        ("active", 4, 0, 4),
        ("shortlisted", 2, 0, 2),
        ("introduced", 2, 0, 2),
        ("interview", 1, 0, 1),
        ("offer", 1, 0, 1),
        ("placed", 1, 0, 1),
    ]
    assert (r.placements, r.placements_here, r.returns) == (1, 0, 1)
    assert r.time_to_placement == Quartiles(1, 200.0, 200.0, 200.0)
    # P3: 6 months, no longer in work.
    assert r.retention == [Retention(6, 1, 1, 0, 0.0), Retention(12, 0, 0, 0, None)]
    # I9 (C5 → A1) withdrawn.
    assert r.close_reasons == _reasons(candidate_withdrew=1)
    # Abroad: M3 (C2 return, no position) 333.33, M7 (A1) 260; M4, M5 (C4 open) committed.
    assert r.costs == _costs(
        language_course=(1, Decimal("400.00"), Decimal("0.00")),
        training=(1, Decimal("1200.00"), Decimal("0.00")),
        travel=(2, Decimal("0.00"), Decimal("593.33")),
    )
    # On the placed (C2): M3 333.33 / 1 placement.
    assert (r.spent_on_placed, r.cost_per_placement_placed) == (Decimal("333.33"), Decimal("333.33"))
    assert r.cost_per_placement_all == Decimal("593.33")


def test_by_case_worker(world, admin_user):
    r = report(ReportFilters(start=YEAR.start, end=YEAR.end, case_worker_id=admin_user.pk))
    # Only C4 (open): active in both places, shortlisted and introduced in Germany (I7, I5).
    assert [(s.step, s.total, s.here, s.abroad) for s in r.funnel] == [
        ("active", 1, 1, 1),
        ("shortlisted", 1, 1, 0),
        ("introduced", 1, 1, 0),
        ("interview", 0, 0, 0),
        ("offer", 0, 0, 0),
        ("placed", 0, 0, 0),
    ]
    assert r.placements == 0
    assert r.time_to_placement == Quartiles(0, None, None, None)
    assert r.close_reasons == _reasons(qualification=1)
    assert r.spent_total == Decimal("0.00")
    assert (r.cost_per_placement_placed, r.cost_per_placement_all) == (None, None)
    assert sum(row.committed for row in r.costs) == Decimal("1600.00")
    assert r.retention == [Retention(6, 0, 0, 0, None), Retention(12, 0, 0, 0, None)]


def test_by_origin_country(world):
    r = report(ReportFilters(start=YEAR.start, end=YEAR.end, origin_country="AF"))
    # C2 and C5: C2 placed (1 Jan, abroad), C5 introduced abroad and withdrawn.
    assert r.funnel[0].total == 2
    assert [s.total for s in r.funnel[1:]] == [1, 1, 0, 0, 1]
    assert (r.placements, r.returns) == (1, 1)
    assert r.close_reasons == _reasons(candidate_withdrew=1)
    # 6 months: P3 (no longer in work); 12 months: P5 (not recorded).
    assert r.retention == [Retention(6, 1, 1, 0, 0.0), Retention(12, 1, 0, 0, 0.0)]
    # Spent: M3 333.33 (M8 is from 2027).
    assert r.spent_total == r.spent_on_placed == Decimal("333.33")


def test_by_region_of_origin_divides_by_the_placements(world):
    r = report(ReportFilters(start=YEAR.start, end=YEAR.end, origin_region_id=world["damascus"].pk))
    # Only C1: placed once in the funnel, twice in the placements.
    assert r.funnel[-1].total == 1
    assert r.placements == 2
    # Done measures: M1 800 (2025) + M2 150 = 950 / 2 = 475.00; in 2026: M2 150 / 2 = 75.00.
    assert (r.spent_on_placed, r.spent_total) == (Decimal("950.00"), Decimal("150.00"))
    assert (r.cost_per_placement_placed, r.cost_per_placement_all) == (Decimal("475.00"), Decimal("75.00"))
    assert r.retention == [Retention(6, 1, 1, 1, 1.0), Retention(12, 0, 0, 0, None)]
    other = report(ReportFilters(start=YEAR.start, end=YEAR.end, origin_region_id=world["aleppo"].pk))
    assert (other.funnel[0].total, other.placements, other.close_reasons) == (1, 0, _reasons(qualification=1))


def test_the_period_boundaries(world):
    # The next year: C9 (intake 1 Jan 2027 00:00) and I6 (1 Jan 2027 00:00) count; C6's placement
    # (1 Jan 2027) counts; the introduction at 31 Dec 2026 23:59 does not.
    r = report(ReportFilters(start=D(2027, 1, 1), end=D(2027, 1, 31)))
    introduced = r.funnel[2]
    assert (introduced.total, introduced.here, introduced.abroad) == (1, 0, 1)  # C4 → A1 (I6)
    assert (r.placements, r.returns) == (1, 1)
    # Nothing is due in a period after today.
    assert [row.due for row in r.retention] == [0, 0]
    # The last day of 2025: C3's placement (31 Dec) counts there, not in 2026.
    assert report(ReportFilters(start=D(2025, 12, 31), end=D(2025, 12, 31))).placements == 1


def test_the_python_quartiles_agree_with_percentile_cont(world):
    r = report()
    days = sorted(days_to_placement(YEAR).values_list("days", flat=True))
    assert days == [151, 200, 243]
    assert quantiles(days) == (r.time_to_placement.q1, r.time_to_placement.median, r.time_to_placement.q3)
    with on(at(2026, 11, 30)):
        stays = list(stage_stays(YEAR).values_list("from_stage", "days"))
    for row in r.days_per_stage:
        values = [days for stage, days in stays if stage == row.stage]
        assert len(values) == row.n
        if values:
            assert quantiles(values)[1] == pytest.approx(row.median)
            assert statistics.fmean(values) == pytest.approx(row.mean)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], (None, None, None)),
        ([7], (7.0, 7.0, 7.0)),
        ([4, 1, 3, 2], (1.75, 2.5, 3.25)),  # percentile_cont interpolates between ranks
        ([151, 199, 243], (175.0, 199.0, 221.0)),
        ([10, 21], (12.75, 15.5, 18.25)),
    ],
)
def test_python_quartiles(values, expected):
    assert quantiles(values) == expected


def test_an_empty_period_lists_every_row_with_zeros(db):
    r = report()
    assert [s.total for s in r.funnel] == [0] * 6
    assert len(r.placements_by_month) == 12
    assert [c.count for c in r.placements_by_kind] == [0] * len(Placement.Kind.values)
    assert [c.key for c in r.close_reasons] == list(Reason.values)
    assert [row.kind for row in r.costs] == list(MeasureKind.values)
    assert [row.months for row in r.retention] == [6, 12]
    assert [row.stage for row in r.days_per_stage] == list(OPEN_STAGES)
    assert r.cost_per_placement_all is None


def _more(cw, company, n: int) -> None:
    """n more candidates, each introduced, placed in the period and with a done measure."""
    position = PositionFactory(employer=company, openings=max(n, 1))
    for k in range(n):
        c = candidate(at(2025, 6, 1), perspective=Perspective.STAY, case_worker=cw)
        i = way(
            c, position, cw, [(Stage.INTERESTED, at(2026, 2, 1)), (Stage.OFFER, at(2026, 2, 2))], created=at(2026, 1, 5)
        )
        place(i, cw, recorded=at(2026, 3, 1), start=D(2026, 3, 1 + k))


@pytest.mark.parametrize("extra", [0, 6])
def test_a_fixed_number_of_queries(world, case_worker, company_a, extra, django_assert_max_num_queries):
    _more(case_worker, company_a, extra)
    with on(at(2026, 11, 30)), django_assert_max_num_queries(QUERIES):
        r = report_build(YEAR)
    assert r.placements == 3 + extra
    assert QUERIES == 9
