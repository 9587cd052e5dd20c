"""Who the funder's report counts, and which step of the way to work each candidate reached in
the period: the one definition the report's figures, the fairness table and the anonymised
export share.

A period is two dates, both inclusive, in the portal's time zone. A step counts when it happened
within the period:

- active: intake (the profile's creation) on or before the end, and not inactive (or inactive
  but with a step in the period);
- shortlisted: a person shortlisted or pinned the pair in the period, or introduced it;
- introduced: an introduction was made in the period;
- interview: an introduction moved to interview or any later stage in the period (an offer
  without an interview passed this step too);
- offer: an introduction moved to offer or placed in the period;
- placed: a placement starts in the period.

Filters narrow the candidates (case worker, country and region of origin) and the pairs
(positions in Germany or abroad: a return to the home region is a placement with a position
abroad). Everything is computed in the database: `candidate_steps` is one query with one
`id IN (SELECT …)` per step; `located_step_expressions` tells, per step after `active`, whether the
candidate reached it on a position in Germany (`<step>_in_germany`) and abroad
(`<step>_abroad`): a candidate may reach a step in both places.

Support measures (`measures_in_scope`) belong to a place through the position they serve; a
measure for no position belongs to where the candidate's perspective points (stay or open: in
Germany; return or open: abroad).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from candidates.models import Candidate, Perspective, SupportMeasure
from candidates.models import Status as CandidateStatus
from employers.models import Position
from matching import pipeline
from matching.models import Introduction, IntroductionEvent, MatchDecision, Placement

# Counts from 1 to this minus one are shown as "< 5" (a 0 stays 0) and groups this small get no rate.
SMALL = 5


class Where(models.TextChoices):
    ANY = "", _("in Germany and abroad")
    GERMANY = "germany", _("in Germany")
    ABROAD = "abroad", _("abroad (return to the home region)")


class Step(models.TextChoices):
    # A context of their own: the bare "introduced" is the introduction's date ("vorgeschlagen am").
    ACTIVE = "active", pgettext_lazy("report step", "active")
    SHORTLISTED = "shortlisted", pgettext_lazy("report step", "shortlisted")
    INTRODUCED = "introduced", pgettext_lazy("report step", "introduced")
    INTERVIEW = "interview", pgettext_lazy("report step", "interview")
    OFFER = "offer", pgettext_lazy("report step", "offer")
    PLACED = "placed", pgettext_lazy("report step", "placed")


STEPS: tuple[str, ...] = tuple(Step.values)

INTERVIEW_OR_LATER = (pipeline.Stage.INTERVIEW, pipeline.Stage.TRIAL, pipeline.Stage.OFFER, pipeline.Stage.PLACED)
OFFER_OR_LATER = (pipeline.Stage.OFFER, pipeline.Stage.PLACED)


@dataclass(frozen=True)
class ReportFilters:
    start: datetime.date
    end: datetime.date  # inclusive
    case_worker_id: int | None = None
    origin_country: str = ""  # ISO 3166-1 alpha-2
    origin_region_id: int | None = None
    where: str = Where.ANY

    @property
    def since(self) -> datetime.datetime:
        """The period's first moment, aware."""
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def until(self) -> datetime.datetime:
        """The first moment after the period, aware (exclusive bound)."""
        return timezone.make_aware(datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min))

    def position_q(self, prefix: str = "position__") -> Q:
        """Pairs whose position lies where the filter asks (nothing when it asks for both)."""
        if self.where == Where.GERMANY:
            return Q(**{f"{prefix}location": Position.Location.GERMANY})
        if self.where == Where.ABROAD:
            return Q(**{f"{prefix}location": Position.Location.ABROAD})
        return Q()


def candidates_in_scope(filters: ReportFilters) -> QuerySet[Candidate]:
    """The candidates the filters name (case worker, origin), whatever their steps."""
    candidates = Candidate.objects.all()
    if filters.case_worker_id:
        candidates = candidates.filter(case_worker_id=filters.case_worker_id)
    if filters.origin_country:
        candidates = candidates.filter(country_of_origin=filters.origin_country)
    if filters.origin_region_id:
        candidates = candidates.filter(region_of_origin_id=filters.origin_region_id)
    return candidates


def introductions_in_scope(filters: ReportFilters) -> QuerySet[Introduction]:
    """Introductions of candidates in scope with a position where the filter asks (any date)."""
    return Introduction.objects.filter(filters.position_q(), candidate__in=candidates_in_scope(filters))


def placements_in_period(filters: ReportFilters) -> QuerySet[Placement]:
    """Placements of candidates in scope that start in the period, where the filter asks. A candidate
    placed twice in the period counts twice here, once among the placed candidates."""
    return Placement.objects.filter(
        filters.position_q(),
        candidate__in=candidates_in_scope(filters),
        start_date__gte=filters.start,
        start_date__lte=filters.end,
    )


def _candidates_with(rows: QuerySet, field: str = "candidate_id") -> Q:
    """Candidates with at least one of `rows`: `id IN (SELECT candidate_id …)`, which PostgreSQL
    answers with one hashed set per step rather than one correlated EXISTS per candidate and step
    (a third of a second at 10,000 candidates; benchmarks/report.py)."""
    return Q(pk__in=rows.order_by().values(field))


def _reached(filters: ReportFilters, stages: tuple[str, ...]) -> Q:
    return _candidates_with(
        IntroductionEvent.objects.filter(
            filters.position_q("introduction__position__"),
            kind=IntroductionEvent.Kind.STAGE,
            to_stage__in=stages,
            at__gte=filters.since,
            at__lt=filters.until,
        ),
        "introduction__candidate_id",
    )


def step_expressions(filters: ReportFilters) -> dict[str, Q]:
    """One condition over candidates per step (and `placed_here` / `returned`): for `filter=` of
    an aggregate, or (wrapped) for `annotate`."""
    introduced = _candidates_with(
        Introduction.objects.filter(filters.position_q(), created_at__gte=filters.since, created_at__lt=filters.until)
    )
    decided = _candidates_with(
        MatchDecision.objects.filter(
            filters.position_q(),
            status__in=[MatchDecision.Status.SHORTLISTED, MatchDecision.Status.PINNED],
            decided_at__gte=filters.since,
            decided_at__lt=filters.until,
        )
    )
    placements = Placement.objects.filter(
        filters.position_q(), start_date__gte=filters.start, start_date__lte=filters.end
    )
    return {
        "shortlisted": decided | introduced,
        "introduced": introduced,
        "interview": _reached(filters, INTERVIEW_OR_LATER),
        "offer": _reached(filters, OFFER_OR_LATER),
        "placed": _candidates_with(placements),
        "placed_here": _candidates_with(placements.filter(position__location=Position.Location.GERMANY)),
        "returned": _candidates_with(placements.filter(position__location=Position.Location.ABROAD)),
    }


def candidate_steps(filters: ReportFilters) -> QuerySet[Candidate]:
    """The period's active candidates in scope, each annotated with one boolean per step after
    `active` (`shortlisted`, `introduced`, `interview`, `offer`, `placed`) and `placed_here` /
    `returned`. Aggregate over it (`Count("pk", filter=Q(placed=True))`, `values(group)`) rather
    than loading it."""
    steps = step_expressions(filters)
    candidates = candidates_in_scope(filters).filter(created_at__lt=filters.until)
    if filters.where == Where.GERMANY:
        candidates = candidates.filter(perspective__in=[Perspective.STAY, Perspective.OPEN])
    elif filters.where == Where.ABROAD:
        candidates = candidates.filter(perspective__in=[Perspective.RETURN, Perspective.OPEN])
    candidates = candidates.annotate(
        **{name: ExpressionWrapper(condition, output_field=BooleanField()) for name, condition in steps.items()}
    )
    return candidates.filter(~Q(status=CandidateStatus.INACTIVE) | steps["shortlisted"] | steps["placed"])


# Per place: the filter's value, the suffix of the expressions, the perspectives that point there.
PLACES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (Where.GERMANY, "in_germany", (Perspective.STAY, Perspective.OPEN)),
    (Where.ABROAD, "abroad", (Perspective.RETURN, Perspective.OPEN)),
)


def located_step_expressions(filters: ReportFilters) -> dict[str, Q | Value]:
    """Per step after `active`, one boolean expression per place, over candidates: `<step>_in_germany`
    (reached on a position in Germany) and `<step>_abroad` (on a position abroad). A place the
    `where` filter excludes is never reached. Use them as `filter=` of an aggregate over
    `candidate_steps`."""
    expressions: dict[str, Q | Value] = {}
    for where, suffix, _perspectives in PLACES:
        if filters.where not in (Where.ANY, where):
            located = dict.fromkeys(STEPS[1:], Value(False, output_field=BooleanField()))
        else:
            located = step_expressions(replace(filters, where=where))
        for step in STEPS[1:]:
            expressions[f"{step}_{suffix}"] = located[step]
    return expressions


def perspective_points_to(where: str) -> tuple[str, ...]:
    """The perspectives that count a candidate in Germany or abroad (open counts in both)."""
    return next(perspectives for place, _suffix, perspectives in PLACES if place == where)


def measures_in_scope(filters: ReportFilters) -> QuerySet[SupportMeasure]:
    """Support measures of candidates in scope (any date and status) where the filter asks: by the
    location of the position a measure serves; a measure for no position by the candidate's
    perspective (stay or open: in Germany; return or open: abroad)."""
    measures = SupportMeasure.objects.filter(candidate__in=candidates_in_scope(filters))
    if filters.where in (Where.GERMANY, Where.ABROAD):
        location = Position.Location.GERMANY if filters.where == Where.GERMANY else Position.Location.ABROAD
        measures = measures.filter(
            Q(position__location=location)
            | Q(position__isnull=True, candidate__perspective__in=perspective_points_to(filters.where))
        )
    return measures


def shown(count: int | None) -> str:
    """A count as a person may read it: under `SMALL` (but not 0) it reads "< 5"."""
    if count is None:
        return "–"
    if 0 < count < SMALL:
        return f"< {SMALL}"
    return number_format(count, force_grouping=True)
