"""Fairness across groups for the funder's report: selection rates at each step by gender,
nationality (top 10 + other), age band and German level, with the ratio to the best-placed group
and a flag below 0.8 (the four-fifths rule). The EU AI Act treats job matching as high-risk; the
programme watches with this table that the ranking disadvantages no group.

Interface (the report page renders these dataclasses); computed in the database over
`matching.report_scope.candidate_steps`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matching.report_scope import ReportFilters

FOUR_FIFTHS = 0.8
# The steps whose selection rates are compared (share of the group's active candidates).
FAIRNESS_STEPS: tuple[str, ...] = ("shortlisted", "introduced", "placed")


@dataclass(frozen=True)
class StepRate:
    step: str  # one of FAIRNESS_STEPS
    count: int
    rate: float | None  # count / group total; None when the group is under SMALL
    ratio: float | None  # rate / best rate of this step among groups with a rate; None likewise
    flagged: bool  # ratio below FOUR_FIFTHS


@dataclass(frozen=True)
class FairnessRow:
    key: str  # stable code: "female", "SY", "other", "25-34", "B1", "none", ...
    label: str  # as a person reads it, translated
    total: int  # active candidates of the group in the period
    steps: list[StepRate] = field(default_factory=list)  # in FAIRNESS_STEPS order

    @property
    def small(self) -> bool:
        from matching.report_scope import SMALL

        return self.total < SMALL


@dataclass(frozen=True)
class FairnessTable:
    dimension: str  # "gender", "nationality", "age_band", "german_level"
    label: str  # translated heading
    rows: list[FairnessRow] = field(default_factory=list)

    @property
    def flagged(self) -> list[FairnessRow]:
        return [row for row in self.rows if any(step.flagged for step in row.steps)]


def fairness_tables(filters: ReportFilters) -> list[FairnessTable]:
    """One table per dimension, in the order gender, nationality, age band, German level."""
    return []
