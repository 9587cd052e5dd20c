"""The funder's report: outcomes, time, retention, why introductions closed, costs and cost per
placement for a period and filters (`matching.report_scope.ReportFilters`). The fairness table is
`matching.fairness`, the anonymised rows `matching.report_rows`.

Every figure is an aggregate computed in the database over the scope's querysets; nothing loads
every row into Python. Interface: the report page, its CSV/XLSX export and the benchmark read the
dataclasses below; `report_build` fills them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from matching.report_scope import ReportFilters


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
    spent_total: Decimal = Decimal("0.00")  # all measures done in the period, at actual cost
    spent_on_placed: Decimal = Decimal("0.00")  # all done measures (any date) of candidates placed in the period
    cost_per_placement_placed: Decimal | None = None  # spent_on_placed / placements
    cost_per_placement_all: Decimal | None = None  # spent_total / placements


def report_build(filters: ReportFilters) -> Report:
    """All figures of the report for `filters`, in a constant number of queries."""
    return Report(filters=filters)
