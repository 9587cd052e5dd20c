"""A year of demo history for `make run`, so that the funder's report is not empty: budgets for
last, this and next year; introductions made over the past eleven months through the same services
a person uses, of which some led to placements in Germany and returns (with their follow-ups
recorded), some closed with a reason and some are still open; shortlists; and the support measures
the programme paid for (language courses, travel, accommodation, recognition fees, tools), planned
by the case worker and approved by an admin — one of them still waits for an admin's approval.

The services stamp everything "now"; afterwards the timestamps are moved back to the day each step
happened. Deterministic (the same pairs and days on every machine for the same data) and
idempotent: once support measures exist, nothing is added.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from bridges.models import User
from candidates import measures as measure_svc
from candidates.models import Budget, Candidate, Consent, MeasureKind, SupportMeasure
from employers.models import Position
from matching import introductions as svc
from matching.demo import demo_sharing_consent
from matching.models import FollowUp, Introduction, Match, MatchDecision, Placement
from matching.pipeline import Reason, Stage
from matching.review import match_decide, match_decision_check

BUDGETS = {
    MeasureKind.LANGUAGE_COURSE: Decimal("24000"),
    MeasureKind.TRAINING: Decimal("30000"),
    MeasureKind.RECOGNITION: Decimal("6000"),
    MeasureKind.TRAVEL: Decimal("9000"),
    MeasureKind.ACCOMMODATION: Decimal("12000"),
    MeasureKind.CHILDCARE: Decimal("6000"),
    MeasureKind.EQUIPMENT: Decimal("3000"),
    MeasureKind.OTHER: Decimal("2000"),
}


@dataclass(frozen=True)
class Story:
    """What happened to one pair: introduced `days_ago`, then moved through `stages` a week apart,
    closed with `reason`, or placed; and the measures paid for the candidate."""

    days_ago: int
    stages: tuple[str, ...]
    reason: str = ""
    measures: tuple[tuple[str, str, str, str], ...] = ()  # (kind, title, planned, actual or "" or "cancel")
    follow_up: str = FollowUp.Outcome.IN_WORK


STORIES = [
    Story(
        330,
        (Stage.INTERESTED, Stage.INTERVIEW, Stage.OFFER, Stage.PLACED),
        measures=(
            (MeasureKind.LANGUAGE_COURSE, "Deutschkurs B1 → B2 (VHS)", "890.00", "860.00"),
            (MeasureKind.EQUIPMENT, "Arbeitskleidung und Sicherheitsschuhe", "180.00", "164.90"),
        ),
    ),
    Story(
        290,
        (Stage.INTERESTED, Stage.INTERVIEW, Stage.OFFER, Stage.PLACED),
        measures=((MeasureKind.RECOGNITION, "Anerkennungsverfahren Berufsabschluss", "600.00", "600.00"),),
        follow_up=FollowUp.Outcome.OTHER_WORK,
    ),
    Story(270, (Stage.INTERESTED, Stage.CLOSED), reason=Reason.NO_PERMISSION),
    Story(
        240,
        (Stage.INTERESTED, Stage.INTERVIEW, Stage.OFFER, Stage.PLACED),
        measures=(
            (MeasureKind.TRAVEL, "Fahrtkosten Vorstellungsgespräch", "95.00", "88.40"),
            (MeasureKind.ACCOMMODATION, "Unterkunft erste zwei Monate", "1200.00", "1150.00"),
        ),
        follow_up=FollowUp.Outcome.NOT_IN_WORK,
    ),
    Story(210, (Stage.DECLINED,), reason=Reason.LANGUAGE),
    Story(
        180,
        (Stage.INTERESTED, Stage.INTERVIEW, Stage.OFFER, Stage.PLACED),
        measures=(
            (MeasureKind.LANGUAGE_COURSE, "Berufssprachkurs B2", "1400.00", "1400.00"),
            (MeasureKind.CHILDCARE, "Kinderbetreuung während des Kurses", "450.00", "cancel"),
        ),
    ),
    Story(150, (Stage.INTERESTED, Stage.WITHDRAWN), reason=Reason.CANDIDATE_WITHDREW),
    Story(
        120,
        (Stage.INTERESTED, Stage.INTERVIEW, Stage.OFFER, Stage.PLACED),
        measures=((MeasureKind.TRAVEL, "Reise und Umzug", "320.00", "298.00"),),
    ),
    Story(90, (Stage.INTERESTED, Stage.INTERVIEW, Stage.DECLINED), reason=Reason.QUALIFICATION),
    Story(
        60,
        (Stage.INTERESTED, Stage.INTERVIEW, Stage.OFFER, Stage.PLACED),
        measures=((MeasureKind.TRAINING, "Staplerschein", "350.00", "350.00"),),
    ),
    Story(
        40,
        (Stage.INTERESTED, Stage.INTERVIEW),
        measures=((MeasureKind.TRAINING, "Schweißkurs (Vorbereitung)", "900.00", ""),),  # waits for an admin
    ),
    Story(25, (Stage.INTERESTED,)),
]
SHORTLISTS = 3  # further pairs only shortlisted
ABROAD_STORIES = (3, 7, 2, 8)  # the stories told with a position abroad, where there is one
LEFT_FOR_PEOPLE = 4  # candidates with matches left for a person to introduce


def _at(days_ago: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _allowed(match: Match) -> bool:
    try:
        match_decision_check(
            candidate_id=match.candidate_id, position_id=match.position_id, status=MatchDecision.Status.SHORTLISTED
        )
    except ValidationError:
        return False
    return True


def _pairs(employer_user: User) -> list[Match]:
    """One stored match of an open position per candidate without any introduction, best first, a
    position abroad where the candidate has one (so that the history has returns); the demo
    employer's candidates and a few others are left for people to introduce."""
    introduced = Introduction.objects.values("candidate_id")
    demo_employers = Match.objects.filter(position__employer__members__user=employer_user).values("candidate_id")
    matches = (
        Match.objects.filter(position__status=Position.Status.OPEN)
        .exclude(candidate_id__in=introduced)
        .exclude(candidate_id__in=demo_employers)
        .select_related("candidate", "position")
        .order_by("-score", "candidate_id", "position_id")
    )
    best: dict[int, Match] = {}
    for match in matches.iterator():
        current = best.get(match.candidate_id)
        better = current is None or (match.position.is_abroad and not current.position.is_abroad)
        if better and _allowed(match):
            best[match.candidate_id] = match
    chosen = sorted(best.values(), key=lambda match: (-match.score, match.candidate_id))
    return chosen[: max(0, len(chosen) - LEFT_FOR_PEOPLE)]


def _cast(pairs: list[Match]) -> tuple[list[Match | None], list[Match]]:
    """The pairs for the stories (returns abroad in two placed and two closed stories) and the
    rest, for shortlists."""
    abroad = [match for match in pairs if match.position.is_abroad]
    here = [match for match in pairs if not match.position.is_abroad]
    cast: list[Match | None] = [None] * len(STORIES)
    for index, match in zip(ABROAD_STORIES, abroad, strict=False):
        cast[index] = match
    rest = iter(here + abroad[len(ABROAD_STORIES) :])
    cast = [match or next(rest, None) for match in cast]
    return cast, list(rest)


def _budgets() -> int:
    year = timezone.localdate().year
    made = 0
    for budget_year in (year - 1, year, year + 1):
        for kind, amount in BUDGETS.items():
            _budget, created = Budget.objects.get_or_create(
                year=budget_year, kind=kind, funding_source="", defaults={"amount": amount}
            )
            made += created
    return made


def _story(match: Match, story: Story, case_worker: User, admin: User) -> Introduction | None:
    candidate, position = match.candidate, Position.objects.select_related("employer").get(pk=match.position_id)
    if position.status != Position.Status.OPEN:
        return None
    demo_sharing_consent(candidate, position, case_worker)
    # The consent was given the day before the introduction, like the rest of the story.
    given = _at(story.days_ago + 1, hour=14)
    Consent.objects.filter(candidate=candidate, employer=position.employer, given_at__gt=given).update(given_at=given)
    introduction = svc.introduction_create(
        candidate=candidate,
        position=position,
        actor=case_worker,
        sections=["languages", "education", "experience", "skills"],
        message=f"Wir schlagen Ihnen {candidate.first_name} für die Stelle „{position.title}“ vor.",
    )
    for stage in story.stages:
        if stage == Stage.PLACED:
            svc.placement_record(
                introduction=introduction,
                actor=case_worker,
                kind=svc.placement_kind_for(position),
                start_date=timezone.localdate() - datetime.timedelta(days=story.days_ago - 45),
                place=position.where,
            )
        else:
            introduction = svc.introduction_move(
                introduction=introduction,
                to=stage,
                actor=case_worker,
                reason=story.reason if stage in (Stage.DECLINED, Stage.WITHDRAWN, Stage.CLOSED) else "",
            )
    # Back to the days it happened: introduced `days_ago` (the first event), each move a week later.
    Introduction.objects.filter(pk=introduction.pk).update(created_at=_at(story.days_ago))
    for step, event in enumerate(introduction.events.order_by("at", "pk")):
        type(event).objects.filter(pk=event.pk).update(at=_at(story.days_ago - 7 * step, hour=11))
    Introduction.objects.filter(pk=introduction.pk, closed_at__isnull=False).update(
        closed_at=_at(story.days_ago - 7 * len(story.stages), hour=11)
    )
    Placement.objects.filter(introduction=introduction).update(created_at=_at(story.days_ago - 7 * len(story.stages)))
    for follow_up in FollowUp.objects.filter(placement__introduction=introduction, due_on__lt=timezone.localdate()):
        svc.follow_up_record(follow_up=follow_up, actor=case_worker, outcome=story.follow_up)
        FollowUp.objects.filter(pk=follow_up.pk).update(
            recorded_at=timezone.make_aware(datetime.datetime.combine(follow_up.due_on, datetime.time(15)))
        )
    _measures(introduction, story, case_worker, admin)
    return introduction


def _measures(introduction: Introduction, story: Story, case_worker: User, admin: User) -> None:
    start = timezone.localdate() - datetime.timedelta(days=story.days_ago - 10)
    for kind, title, planned, actual in story.measures:
        measure = measure_svc.measure_plan(
            candidate=introduction.candidate,
            actor=case_worker,
            kind=kind,
            title=title,
            provider="Volkshochschule Erfurt" if kind == MeasureKind.LANGUAGE_COURSE else "",
            start_date=start,
            end_date=start + datetime.timedelta(days=28),
            planned_cost=Decimal(planned),
            introduction=introduction,
        )
        stamps = {"created_at": _at(story.days_ago - 8)}
        if actual == "cancel":
            measure_svc.measure_cancel(measure=measure, actor=case_worker)
            stamps["closed_at"] = _at(story.days_ago - 12)
        elif actual:
            measure_svc.measure_approve(measure=measure, actor=admin)
            measure_svc.measure_complete(measure=measure, actor=case_worker, actual_cost=Decimal(actual))
            stamps |= {"approved_at": _at(story.days_ago - 9), "closed_at": _at(max(story.days_ago - 40, 1))}
        SupportMeasure.objects.filter(pk=measure.pk).update(**stamps, updated_at=F("created_at"))


def _intakes() -> None:
    """The demo candidates came to the programme over the past 13 months (their profiles were all
    made today): each intake before their first introduction and placement, the others spread
    evenly. The same dates on every run."""
    today = timezone.localdate()
    first = {}
    for candidate_id, created in Introduction.objects.values_list("candidate_id", "created_at"):
        first[candidate_id] = min(first.get(candidate_id, created), created)
    for candidate_id, start in Placement.objects.values_list("candidate_id", "start_date"):
        started = timezone.make_aware(datetime.datetime.combine(start, datetime.time(9)))
        first[candidate_id] = min(first.get(candidate_id, started), started)
    for candidate_id in Candidate.objects.order_by("pk").values_list("pk", flat=True):
        spread = _at(30 + (candidate_id * 37) % 360, hour=9)
        intake = min(spread, first[candidate_id] - datetime.timedelta(days=45)) if candidate_id in first else spread
        if intake.date() < today:
            Candidate.objects.filter(pk=candidate_id, created_at__gt=intake).update(created_at=intake)


def demo_history_load(*, case_worker: User, admin: User, employer_user: User) -> dict[str, int]:
    """Budgets, a year of introductions, placements, follow-ups, shortlists and support measures."""
    budgets = _budgets()
    if SupportMeasure.objects.exists():
        _intakes()
        return {"budgets": budgets, "introductions": 0}
    cast, rest = _cast(_pairs(employer_user))
    made = [
        introduction
        for match, story in zip(cast, STORIES, strict=True)
        if match is not None and (introduction := _story(match, story, case_worker, admin)) is not None
    ]
    shortlisted = 0
    for match in rest[:SHORTLISTS]:
        match_decide(
            candidate_id=match.candidate_id,
            position_id=match.position_id,
            status=MatchDecision.Status.SHORTLISTED,
            actor=case_worker,
        )
        shortlisted += 1
    _intakes()
    return {
        "budgets": budgets,
        "introductions": len(made),
        "placements": Placement.objects.filter(introduction__in=made).count(),
        "shortlisted": shortlisted,
        "measures": SupportMeasure.objects.count(),
    }
