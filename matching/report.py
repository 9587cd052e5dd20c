"""The funder's report: outcomes, time, retention, why introductions closed, costs and cost per
placement for a period and filters (`matching.report_scope.ReportFilters`). The fairness table is
`matching.fairness`, the anonymised rows `matching.report_rows`.

Every figure is an aggregate computed in the database over the scope's querysets; nothing loads
every row into Python. Interface: the report page, its CSV/XLSX export and the benchmark read the
dataclasses below; `report_build` fills them in a fixed number of queries (`QUERIES`, whatever
the data).

What each figure counts (a period is two dates, both inclusive, in the portal's time zone):

- funnel: the candidates who reached each step in the period (`report_scope.candidate_steps`);
  "in Germany" / "abroad" is where the position was on which they reached it (a candidate may
  count in both); for "active" it is the perspective (stay or open / return or open).
- placements: placements starting in the period (a candidate placed twice counts twice; in the
  funnel once); in Germany or abroad by the position's location; by kind and by month of the
  start (every month of the period, zeros included).
- time to placement: days from the candidate's intake (the profile's creation, as a local date)
  to the placement's start, over the placements of the period; quartiles as PostgreSQL's
  `percentile_cont` (interpolated; Python's `statistics.quantiles(method="inclusive")`).
- days per stage: how long introductions in scope stayed in each open stage, from entering it
  (the introduction's creation for "proposed", else the move into it) to the next move (on,
  to a closing stage or placed); only stays that ended in the period; median and mean in days.
- retention: the 6- and 12-month follow-ups of placements in scope that fell due in the period
  and not after today; recorded = with an outcome; in work = still in work or in work
  elsewhere; share = in work / due (a follow-up due but not recorded counts as not known to be
  in work).
- close reasons: introductions in scope that were declined, withdrawn or closed in the period,
  by reason (every reason listed).
- costs: support measures of candidates in scope starting in the period and not cancelled, by
  kind (every kind listed): committed = planned or approved, at the planned cost; spent = done,
  at the actual cost. Total spent = the sum of spent. Spent on the placed = the actual cost of
  every done measure, whatever its date, of the candidates with a placement in the period. Cost
  per placement = each of those two sums / placements in the period (none without placements),
  rounded to cents.
- the place filter ("in Germany" / "abroad") reaches measures through the position a measure
  serves; a measure for no position counts where the candidate's perspective points (stay or
  open: in Germany; return or open: abroad; so an open perspective counts in both).
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    DecimalField,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Count as CountOf
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from candidates.models import MeasureKind, SupportMeasure
from employers.models import Position
from matching import pipeline
from matching.models import FollowUp, IntroductionEvent, Placement
from matching.report_scope import (
    PLACES,
    STEPS,
    ReportFilters,
    Step,
    Where,
    candidate_steps,
    candidates_in_scope,
    introductions_in_scope,
    located_step_expressions,
    measures_in_scope,
    placements_in_period,
    step_expressions,
)

# The queries `report_build` makes, whatever the data (the tests hold it to this).
QUERIES = 9

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class FunnelStep:
    step: str  # matching.report_scope.Step value
    label: str
    total: int  # distinct candidates who reached the step in the period
    here: int  # of them, on a position in Germany (for "active": perspective stay or open)
    abroad: int  # of them, on a position abroad (for "active": perspective return or open)


@dataclass(frozen=True)
class Count:
    key: str  # stable code (placement kind, close reason, ...)
    label: str  # translated
    count: int


@dataclass(frozen=True)
class MonthCount:
    month: datetime.date  # first day of the month
    here: int  # placements starting that month in Germany
    abroad: int  # returns starting that month


@dataclass(frozen=True)
class Quartiles:
    n: int
    q1: float | None  # days; None when n == 0
    median: float | None
    q3: float | None


@dataclass(frozen=True)
class StageDays:
    stage: str  # pipeline.Stage value (open stages only)
    label: str
    n: int  # stays in the stage that ended in the period
    median: float | None  # days
    mean: float | None


@dataclass(frozen=True)
class Retention:
    months: int  # 6 or 12
    due: int  # follow-ups due in the period (due date ≤ period end and ≤ today)
    recorded: int  # of them with an outcome
    in_work: int  # outcome still in work or in work elsewhere
    share: float | None  # in_work / due; None when due == 0


@dataclass(frozen=True)
class CostRow:
    kind: str  # candidates.MeasureKind value
    label: str
    measures: int  # not cancelled, started in the period
    committed: Decimal  # planned + approved, at planned cost
    spent: Decimal  # done, at actual cost


@dataclass(frozen=True)
class Report:
    filters: ReportFilters
    funnel: list[FunnelStep] = field(default_factory=list)
    placements: int = 0  # placements starting in the period (a candidate placed twice counts twice)
    placements_here: int = 0
    returns: int = 0
    placements_by_kind: list[Count] = field(default_factory=list)
    placements_by_month: list[MonthCount] = field(default_factory=list)  # every month of the period
    time_to_placement: Quartiles = field(default_factory=lambda: Quartiles(0, None, None, None))
    days_per_stage: list[StageDays] = field(default_factory=list)
    retention: list[Retention] = field(default_factory=list)
    close_reasons: list[Count] = field(default_factory=list)  # introductions closed in the period
    costs: list[CostRow] = field(default_factory=list)
    spent_total: Decimal = Decimal("0.00")  # measures started in the period and done, at actual cost
    spent_on_placed: Decimal = Decimal("0.00")  # all done measures (any date) of candidates placed in the period
    cost_per_placement_placed: Decimal | None = None  # spent_on_placed / placements
    cost_per_placement_all: Decimal | None = None  # spent_total / placements


# --- database helpers -----------------------------------------------------------------------------


class Percentile(Aggregate):
    """PostgreSQL's `percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`: the interpolated
    quantile (`fraction` 0.5 is the median)."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must lie between 0 and 1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


class DaysBetween(Func):
    """Whole days from one date to a later one (`end - start`), as an integer."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


class DaysElapsed(Func):
    """Days, with their fraction, from one moment to a later one (`end - start`)."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template=f"(EXTRACT(EPOCH FROM (%(expressions)s)) / {SECONDS_PER_DAY})",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="(julianday(%(expressions)s))", arg_joiner=") - julianday(", **extra
        )


def has_percentile() -> bool:
    """Whether the database computes quantiles itself (PostgreSQL); SQLite does not."""
    return connection.vendor == "postgresql"


def quantiles(values: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    """First quartile, median and third quartile of `values` as `percentile_cont` computes them
    (linear interpolation between the closest ranks); None for no values."""
    values = sorted(values)
    if not values:
        return None, None, None
    if len(values) == 1:
        return float(values[0]), float(values[0]), float(values[0])
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return float(q1), float(median), float(q3)


def _money(expression) -> Coalesce:
    return Coalesce(Sum(expression), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2))


def _cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    month = start.replace(day=1)
    months = []
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


# --- the figures ---------------------------------------------------------------------------------


def _funnel(filters: ReportFilters) -> list[FunnelStep]:
    """One row per step from one aggregate over the period's candidates."""
    steps = step_expressions(filters)
    located = located_step_expressions(filters)
    figures = {"active_total": CountOf("pk")}
    for where, suffix, perspectives in PLACES:
        # A place the filter excludes counts nobody, as for the later steps.
        counted = Q(perspective__in=perspectives) if filters.where in (Where.ANY, where) else Value(False)
        figures[f"active_{suffix}"] = CountOf("pk", filter=counted)
    for step in STEPS[1:]:
        figures[f"{step}_total"] = CountOf("pk", filter=steps[step])
        for _where, suffix, _perspectives in PLACES:
            figures[f"{step}_{suffix}"] = CountOf("pk", filter=located[f"{step}_{suffix}"])
    row = candidate_steps(filters).aggregate(**figures)
    return [
        FunnelStep(
            step=step,
            label=str(Step(step).label),
            total=row[f"{step}_total"],
            here=row[f"{step}_in_germany"],
            abroad=row[f"{step}_abroad"],
        )
        for step in STEPS
    ]


def _placements(filters: ReportFilters) -> dict:
    figures = {
        "total": CountOf("pk"),
        "here": CountOf("pk", filter=Q(position__location=Position.Location.GERMANY)),
        "abroad": CountOf("pk", filter=Q(position__location=Position.Location.ABROAD)),
    }
    for kind in Placement.Kind.values:
        figures[f"kind_{kind}"] = CountOf("pk", filter=Q(kind=kind))
    row = placements_in_period(filters).aggregate(**figures)
    return {
        "placements": row["total"],
        "placements_here": row["here"],
        "returns": row["abroad"],
        "placements_by_kind": [
            Count(key=kind, label=str(label), count=row[f"kind_{kind}"]) for kind, label in Placement.Kind.choices
        ],
    }


def _placements_by_month(filters: ReportFilters) -> list[MonthCount]:
    rows = (
        placements_in_period(filters)
        .annotate(month=TruncMonth("start_date"))
        .values("month")
        .annotate(
            here=CountOf("pk", filter=Q(position__location=Position.Location.GERMANY)),
            abroad=CountOf("pk", filter=Q(position__location=Position.Location.ABROAD)),
        )
        .order_by("month")
    )
    counts = {row["month"]: (row["here"], row["abroad"]) for row in rows}
    return [MonthCount(month, *counts.get(month, (0, 0))) for month in _months(filters.start, filters.end)]


def days_to_placement(filters: ReportFilters) -> QuerySet[Placement]:
    """The period's placements, each annotated with `days`: from the candidate's intake (its local
    date) to the start."""
    intake = TruncDate("candidate__created_at", tzinfo=timezone.get_current_timezone())
    return placements_in_period(filters).annotate(days=DaysBetween("start_date", intake))


def _time_to_placement(filters: ReportFilters) -> Quartiles:
    placements = days_to_placement(filters)
    if has_percentile():
        row = placements.aggregate(
            n=CountOf("pk"),
            q1=Percentile("days", 0.25),
            median=Percentile("days", 0.5),
            q3=Percentile("days", 0.75),
        )
        return Quartiles(n=row["n"], q1=row["q1"], median=row["median"], q3=row["q3"])
    days = list(placements.values_list("days", flat=True))
    return Quartiles(len(days), *quantiles(days))


def stage_stays(filters: ReportFilters) -> QuerySet[IntroductionEvent]:
    """The stays in an open stage that ended in the period, one per move out of it (an
    introduction enters each stage at most once: its stay in `from_stage` ends with this move),
    of introductions in scope; each annotated with `days` in the stage."""
    entered = IntroductionEvent.objects.filter(
        introduction=OuterRef("introduction"), kind=IntroductionEvent.Kind.STAGE, to_stage=OuterRef("from_stage")
    ).order_by("-at", "-pk")
    since = Case(
        When(from_stage=pipeline.Stage.PROPOSED, then=F("introduction__created_at")),
        default=Subquery(entered.values("at")[:1]),
    )
    return IntroductionEvent.objects.filter(
        introduction__in=introductions_in_scope(filters),
        kind=IntroductionEvent.Kind.STAGE,
        from_stage__in=pipeline.OPEN_STAGES,
        at__gte=filters.since,
        at__lt=filters.until,
    ).annotate(days=DaysElapsed("at", since))


def _days_per_stage(filters: ReportFilters) -> list[StageDays]:
    stays = stage_stays(filters).filter(days__isnull=False)
    figures: dict[str, tuple[int, float | None, float | None]] = {}
    if has_percentile():
        rows = (
            stays.values("from_stage")
            .annotate(n=CountOf("pk"), median=Percentile("days", 0.5), mean=Avg("days"))
            .order_by()
        )
        figures = {row["from_stage"]: (row["n"], row["median"], row["mean"]) for row in rows}
    else:
        days: dict[str, list[float]] = {}
        for stage, value in stays.values_list("from_stage", "days"):
            days.setdefault(stage, []).append(value)
        figures = {
            stage: (len(values), quantiles(values)[1], statistics.fmean(values)) for stage, values in days.items()
        }
    return [
        StageDays(stage, str(pipeline.Stage(stage).label), *figures.get(stage, (0, None, None)))
        for stage in pipeline.OPEN_STAGES
    ]


def _retention(filters: ReportFilters) -> list[Retention]:
    last = min(filters.end, timezone.localdate())
    in_work = [FollowUp.Outcome.IN_WORK, FollowUp.Outcome.OTHER_WORK]
    rows = (
        FollowUp.objects.filter(
            filters.position_q("placement__position__"),
            placement__candidate__in=candidates_in_scope(filters),
            due_on__gte=filters.start,
            due_on__lte=last,
        )
        .values("months")
        .annotate(
            due=CountOf("pk"),
            recorded=CountOf("pk", filter=~Q(outcome="")),
            in_work=CountOf("pk", filter=Q(outcome__in=in_work)),
        )
        .order_by()
    )
    figures = {row["months"]: row for row in rows}
    result = []
    for months in FollowUp.MONTHS:
        row = figures.get(months, {"due": 0, "recorded": 0, "in_work": 0})
        share = row["in_work"] / row["due"] if row["due"] else None
        result.append(Retention(months, row["due"], row["recorded"], row["in_work"], share))
    return result


def _close_reasons(filters: ReportFilters) -> list[Count]:
    figures = {reason: CountOf("pk", filter=Q(close_reason=reason)) for reason in pipeline.Reason.values}
    row = (
        introductions_in_scope(filters)
        .filter(stage__in=pipeline.CLOSING_STAGES, closed_at__gte=filters.since, closed_at__lt=filters.until)
        .aggregate(**figures)
    )
    return [Count(key=reason, label=str(label), count=row[reason]) for reason, label in pipeline.Reason.choices]


def _costs(filters: ReportFilters) -> dict:
    Status = SupportMeasure.Status
    rows = (
        measures_in_scope(filters)
        .filter(start_date__gte=filters.start, start_date__lte=filters.end)
        .exclude(status=Status.CANCELLED)
        .values("kind")
        .annotate(
            measures=CountOf("pk"),
            committed=_money(Case(When(status__in=[Status.PLANNED, Status.APPROVED], then=F("planned_cost")))),
            spent=_money(Case(When(status=Status.DONE, then=F("actual_cost")))),
        )
        .order_by()
    )
    figures = {row["kind"]: row for row in rows}
    costs = []
    for kind, label in MeasureKind.choices:
        row = figures.get(kind, {"measures": 0, "committed": ZERO, "spent": ZERO})
        costs.append(CostRow(kind, str(label), row["measures"], _cents(row["committed"]), _cents(row["spent"])))
    spent_on_placed = (
        measures_in_scope(filters)
        .filter(status=Status.DONE, candidate__in=placements_in_period(filters).values("candidate"))
        .aggregate(spent=_money("actual_cost"))["spent"]
    )
    return {
        "costs": costs,
        "spent_total": _cents(sum((row.spent for row in costs), ZERO)),
        "spent_on_placed": _cents(spent_on_placed),
    }


def report_build(filters: ReportFilters) -> Report:
    """All figures of the report for `filters`, in `QUERIES` queries whatever the data."""
    placements = _placements(filters)
    costs = _costs(filters)
    count = placements["placements"]
    return Report(
        filters=filters,
        funnel=_funnel(filters),
        **placements,
        placements_by_month=_placements_by_month(filters),
        time_to_placement=_time_to_placement(filters),
        days_per_stage=_days_per_stage(filters),
        retention=_retention(filters),
        close_reasons=_close_reasons(filters),
        **costs,
        cost_per_placement_placed=_cents(costs["spent_on_placed"] / count) if count else None,
        cost_per_placement_all=_cents(costs["spent_total"] / count) if count else None,
    )
