"""Read-only queries of the case workers' introduction pages: the open introduction of each
listed pair, the list and the board, a candidate's timeline across all introductions, what is due.

Everything is scoped through `matching.introduction_selectors.introductions_for_user` or
requires a case worker; lists issue the same number of queries for 3 or 300 rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from bridges.models import Role, User
from bridges.permissions import require_case_work
from candidates.measures import euros
from candidates.models import Candidate, Consent, SupportMeasure
from employers.models import Position
from matching import pipeline
from matching.introduction_selectors import introductions_for_user
from matching.models import FollowUp, Interview, Introduction, IntroductionEvent, Placement
from matching.pipeline import Stage

# --- the open introduction of a listed pair -----------------------------------------------------


def _open_of_pair(field: str) -> Subquery:
    rows = Introduction.objects.filter(
        candidate_id=OuterRef("candidate_id"), position_id=OuterRef("position_id"), stage__in=pipeline.OPEN_STAGES
    ).values(field)[:1]
    return Subquery(rows)


def with_open_introduction(queryset: QuerySet) -> QuerySet:
    """Annotate rows that have `candidate_id` and `position_id` (matches) with the pair's open
    introduction: `open_introduction_id` and `open_introduction_stage` (subqueries of the one list query)."""
    return queryset.annotate(open_introduction_id=_open_of_pair("pk"), open_introduction_stage=_open_of_pair("stage"))


def label_open_introductions(rows: Iterable) -> None:
    """The stage label of each row's open introduction (no queries)."""
    for row in rows:
        stage = getattr(row, "open_introduction_stage", None)
        row.open_introduction_label = Stage(stage).label if stage else ""


def open_introductions_by_pair(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Introduction]:
    """The open introductions of the given (candidate id, position id) pairs, in one query."""
    pairs = set(pairs)
    if not pairs:
        return {}
    condition = Q()
    for candidate_id, position_id in pairs:
        condition |= Q(candidate_id=candidate_id, position_id=position_id)
    rows = Introduction.objects.filter(condition, stage__in=pipeline.OPEN_STAGES).only(
        "pk", "candidate_id", "position_id", "stage"
    )
    return {(row.candidate_id, row.position_id): row for row in rows}


def open_introduction_of_pair(*, candidate_id: int, position_id: int) -> Introduction | None:
    return (
        Introduction.objects.filter(candidate_id=candidate_id, position_id=position_id, stage__in=pipeline.OPEN_STAGES)
        .only("pk", "stage")
        .first()
    )


# --- choices for the forms -----------------------------------------------------------------------


def case_workers() -> QuerySet[User]:
    """The people who may be responsible for an introduction."""
    return User.objects.filter(role__in=[Role.CASE_WORKER, Role.ADMIN], is_active=True).order_by(
        "first_name", "last_name", "email"
    )


def open_positions() -> QuerySet[Position]:
    """Positions that can receive introductions, with their organisation."""
    return (
        Position.objects.filter(status=Position.Status.OPEN)
        .select_related("employer", "place", "region")
        .order_by("employer__name", "title", "pk")
    )


def consented_employer_ids(candidate: Candidate) -> set[int]:
    """The organisations the candidate has a standing consent to share the profile with."""
    return set(
        Consent.objects.active()
        .filter(candidate=candidate, purpose=Consent.Purpose.SHARING, employer__isnull=False)
        .values_list("employer_id", flat=True)
    )


# --- the list and the board ----------------------------------------------------------------------


def introduction_list(*, user: User) -> QuerySet[Introduction]:
    """Every introduction a case worker may list, with what a row shows, due first."""
    require_case_work(user)
    return (
        introductions_for_user(user=user)
        .select_related("position__place", "position__region")
        .order_by("next_step_due", "-created_at", "pk")
    )


BOARD_COLUMN_LIMIT = 50


@dataclass
class BoardColumn:
    stage: str
    label: str
    cards: list[Introduction]
    total: int


def board_columns(queryset: QuerySet[Introduction]) -> list[BoardColumn]:
    """The open introductions of `queryset` grouped by stage, in the order of the way to a placement
    (one query; each column shows at most BOARD_COLUMN_LIMIT cards, due first)."""
    rows = queryset.filter(stage__in=pipeline.OPEN_STAGES).order_by("next_step_due", "created_at", "pk")
    columns = {stage: BoardColumn(stage, Stage(stage).label, [], 0) for stage in pipeline.OPEN_STAGES}
    for introduction in rows:
        column = columns[introduction.stage]
        column.total += 1
        if len(column.cards) < BOARD_COLUMN_LIMIT:
            column.cards.append(introduction)
    return list(columns.values())


# --- one introduction ----------------------------------------------------------------------------


def sharing_consent_record(introduction: Introduction) -> Consent | None:
    """The latest consent to share with the position's organisation, standing or withdrawn:
    the page says which one the introduction relies on, or that it was withdrawn."""
    consents = Consent.objects.filter(
        candidate_id=introduction.candidate_id,
        purpose=Consent.Purpose.SHARING,
        employer_id=introduction.position.employer_id,
    ).select_related("recorded_by", "withdrawn_by")
    return (
        consents.filter(withdrawn_at__isnull=True).order_by("-given_at").first()
        or consents.order_by("-given_at").first()
    )


def placement_of(introduction: Introduction) -> Placement | None:
    return (
        Placement.objects.filter(introduction=introduction)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.select_related("recorded_by")))
        .first()
    )


# --- a candidate's introductions and their one timeline ------------------------------------------


@dataclass
class TimelineEntry:
    at: datetime.datetime
    kind: str
    introduction: Introduction | None
    text: str
    actor: User | None = None
    reason: str = ""
    comment: str = ""
    measure: SupportMeasure | None = None


def candidate_introductions(*, user: User, candidate: Candidate) -> list[Introduction]:
    """A candidate's introductions, newest first, with events, interviews, placement and follow-ups
    loaded in a fixed number of queries."""
    require_case_work(user)
    return list(
        introductions_for_user(user=user)
        .filter(candidate=candidate)
        .prefetch_related(
            Prefetch("events", queryset=IntroductionEvent.objects.select_related("actor")),
            Prefetch("interviews", queryset=Interview.objects.select_related("proposed_by", "confirmed_by")),
            Prefetch(
                "placement__follow_ups", queryset=FollowUp.objects.select_related("recorded_by").order_by("due_on")
            ),
        )
        .select_related("placement__recorded_by")
        .order_by("-created_at", "-pk")
    )


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def candidate_measures(candidate: Candidate) -> list[SupportMeasure]:
    """A candidate's support measures for the timeline, with the people who acted on them."""
    return list(candidate.measures.select_related("planned_by", "approved_by", "closed_by", "introduction"))


def _measure_entries(measure: SupportMeasure) -> list[TimelineEntry]:
    """Planned, approved, done or cancelled: one entry per step the measure took."""

    def entry(at: datetime.datetime, text: str, actor: User | None, comment: str = "") -> TimelineEntry:
        return TimelineEntry(
            at=at,
            kind="measure",
            introduction=measure.introduction,
            measure=measure,
            text=text % {"title": measure.title},
            actor=actor,
            comment=comment,
        )

    entries = [
        entry(
            measure.created_at,
            gettext("Support measure planned: %(title)s"),
            measure.planned_by,
            f"{measure.get_kind_display()}, {euros(measure.planned_cost)}",
        )
    ]
    if measure.approved_at:
        entries.append(entry(measure.approved_at, gettext("Support measure approved: %(title)s"), measure.approved_by))
    if measure.closed_at and measure.status == SupportMeasure.Status.DONE:
        actual = gettext("actual: %(cost)s") % {"cost": euros(measure.actual_cost)}
        entries.append(entry(measure.closed_at, gettext("Support measure done: %(title)s"), measure.closed_by, actual))
    elif measure.closed_at:
        entries.append(entry(measure.closed_at, gettext("Support measure cancelled: %(title)s"), measure.closed_by))
    return entries


def candidate_timeline(
    introductions: Iterable[Introduction], measures: Iterable[SupportMeasure] = ()
) -> list[TimelineEntry]:
    """Every event, interview, placement and follow-up of the introductions and every step of the
    support measures, oldest first (no queries: everything came with `candidate_introductions` and
    `candidate_measures`)."""
    entries: list[TimelineEntry] = [entry for measure in measures for entry in _measure_entries(measure)]
    for introduction in introductions:
        for event in introduction.events.all():
            entries.append(
                TimelineEntry(
                    at=event.at,
                    kind=event.kind,
                    introduction=introduction,
                    text=str(event),  # "from → to" for a move, else what happened
                    actor=event.actor,
                    reason=event.get_reason_display() if event.reason else "",
                    comment=event.comment,
                )
            )
        for interview in introduction.interviews.all():
            entries.append(
                TimelineEntry(
                    at=interview.starts_at,
                    kind="interview",
                    introduction=introduction,
                    text=str(interview.get_status_display()),
                    actor=interview.confirmed_by or interview.proposed_by,
                    comment=interview.place or interview.online_link,
                )
            )
        placement = getattr(introduction, "placement", None) if _has_placement(introduction) else None
        if placement is not None:
            entries.append(
                TimelineEntry(
                    at=_start_of(placement.start_date),
                    kind="placement",
                    introduction=introduction,
                    text=str(placement.get_kind_display()),
                    actor=placement.recorded_by,
                    comment=placement.place,
                )
            )
            for follow_up in placement.follow_ups.all():
                entries.append(
                    TimelineEntry(
                        at=follow_up.recorded_at or _start_of(follow_up.due_on),
                        kind="follow_up",
                        introduction=introduction,
                        text=str(follow_up.get_outcome_display()) if follow_up.outcome else "",
                        actor=follow_up.recorded_by,
                        comment=follow_up.note,
                        reason=str(follow_up.months),
                    )
                )
    return sorted(entries, key=lambda entry: entry.at)


def _has_placement(introduction: Introduction) -> bool:
    try:
        return introduction.placement is not None
    except Placement.DoesNotExist:
        return False


# --- the start page ------------------------------------------------------------------------------


def interviews_upcoming(*, user: User, days: int = 7) -> QuerySet[Interview]:
    """Confirmed interviews of the next days, of the user's introductions or candidates."""
    require_case_work(user)
    now = timezone.now()
    return (
        Interview.objects.filter(
            status=Interview.Status.CONFIRMED,
            starts_at__gte=now,
            starts_at__lt=now + datetime.timedelta(days=days),
            introduction__stage__in=pipeline.OPEN_STAGES,
        )
        .filter(Q(introduction__case_worker=user) | Q(introduction__candidate__case_worker=user))
        .select_related("introduction__candidate", "introduction__position__employer")
        .order_by("starts_at", "pk")
    )
