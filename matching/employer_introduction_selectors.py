"""Read-only queries of the employer's side of introductions, on top of the scoped reads in
`matching.introduction_selectors`: the filtered list, the counts on the dashboard, the anonymous
reference of a candidate whose profile is no longer shared, and the timeline as the employer may
see it. Every query starts from `introductions_for_user`, so it holds only the introductions to
the user's own organisation's positions.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from bridges.models import User
from employers.models import Position
from employers.selectors import employer_for_user
from matching import pipeline, references
from matching.introduction_selectors import employer_may_see_profile, introductions_for_user
from matching.models import Introduction, IntroductionEvent, Match
from matching.pipeline import Stage

# The list's stage filter.
OPEN = "open"
WAITING = "waiting"  # proposed, and the employer may open it: waiting for their answer
ALL = "all"


def own_positions(*, user: User) -> QuerySet[Position]:
    """The positions of the employer user's organisation (for the filter), by title."""
    employer = employer_for_user(user=user)
    if employer is None:
        return Position.objects.none()
    return Position.objects.filter(employer=employer).order_by("title", "pk")


def employer_introductions(
    *, user: User, position: Position | None = None, stage: str = OPEN
) -> QuerySet[Introduction]:
    """The introductions to the organisation's positions, newest first, optionally of one
    position and open only (the default), waiting for the employer's answer, or all."""
    queryset = introductions_for_user(user=user).select_related("position__place", "position__region")
    if position is not None:
        queryset = queryset.filter(position=position)
    if stage == OPEN:
        queryset = queryset.filter(stage__in=pipeline.OPEN_STAGES)
    elif stage == WAITING:
        queryset = queryset.filter(stage=Stage.PROPOSED, consent_stands=True)
    return queryset.order_by("-created_at", "-pk")


def employer_introduction_counts(*, user: User) -> dict[str, int]:
    """How many introductions wait for the employer's answer, and how many are open (one query)."""
    return introductions_for_user(user=user).aggregate(
        waiting=Count("pk", filter=Q(stage=Stage.PROPOSED, consent_stands=True)),
        open=Count("pk", filter=Q(stage__in=pipeline.OPEN_STAGES)),
    )


def label_rows(introductions: Sequence[Introduction]) -> None:
    """Mark each row `shared` (the employer may see the name now) and give the others their
    anonymous `reference` (one query for the page, whatever its length)."""
    hidden = []
    for introduction in introductions:
        introduction.shared = employer_may_see_profile(introduction)
        introduction.reference = ""
        if not introduction.shared:
            hidden.append(introduction)
    refs = _references(hidden)
    for introduction in hidden:
        introduction.reference = refs[introduction.position_id][introduction.candidate_id]


def _references(introductions: Iterable[Introduction]) -> dict[int, dict[int, str]]:
    """The employer's references by position and candidate: unique among the position's stored
    matches, as in the anonymised summaries, so that both show the same number."""
    by_position: dict[int, set[int]] = defaultdict(set)
    for introduction in introductions:
        by_position[introduction.position_id].add(introduction.candidate_id)
    if not by_position:
        return {}
    pairs = Match.objects.filter(position_id__in=list(by_position)).values_list("position_id", "candidate_id")
    for position_id, candidate_id in pairs:
        by_position[position_id].add(candidate_id)
    return {
        position_id: references.employer_references(position_id=position_id, candidate_ids=candidate_ids)
        for position_id, candidate_ids in by_position.items()
    }


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    label: str
    reason: str
    comment: str
    by_employer: bool
    by: str


def employer_timeline(introduction: Introduction) -> list[TimelineEntry]:
    """The introduction's timeline as the employer sees it: stage moves, interview dates proposed
    and confirmed, and changes to what is shared, oldest first. The programme's internal next
    steps are left out, and so are the comments of case workers: an employer reads only the
    comments their own organisation wrote. Uses the prefetched events."""
    entries = []
    for event in introduction.events.all():
        if event.kind == IntroductionEvent.Kind.NEXT_STEP:
            continue
        by_employer = event.actor is not None and event.actor.is_employer
        if event.kind == IntroductionEvent.Kind.STAGE:
            label = str(event.get_to_stage_display())
        else:
            label = str(event.get_kind_display())
        entries.append(
            TimelineEntry(
                at=event.at,
                label=label,
                reason=pipeline.employer_reason_label(event.reason) if event.reason else "",
                comment=event.comment if by_employer else "",
                by_employer=by_employer,
                by=event.actor.get_full_name() if by_employer else "",
            )
        )
    return entries
