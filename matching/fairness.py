"""Fairness across groups for the funder's report: selection rates at each step by gender,
nationality (top 10 + other), age band and German level, with the ratio to the best-placed group
and a flag below 0.8 (the four-fifths rule). The EU AI Act treats job matching as high-risk; the
programme watches with this table that the ranking disadvantages no group.

Interface (the report page renders these dataclasses); computed in the database over
`matching.report_scope.candidate_steps`: one aggregate query per dimension
(`values(group).annotate(Count(..., filter=...))`).

Semantics:

- A group's total is its active candidates in the period (the rows of `candidate_steps`); a step's
  rate is the share of them who reached the step in the period.
- Groups under `SMALL` candidates get no rate and no ratio and are never flagged: too few to
  judge (their counts from 1 to 4 are shown as "< 5", a 0 as 0).
- The ratio compares a group's rate with the best rate of that step among the groups with a rate.
  Groups tied for the best all get 1.0. When the best rate is 0 (nobody in a judged group reached
  the step) or no group has a rate, every ratio is None and nothing is flagged: there is no
  selection to compare.
- A group is flagged at a step when its ratio is below 0.8; the comparison is exact (fractions),
  so a group at exactly four fifths of the best is not flagged.
- Gender: female, male, diverse, not stated. Nationality: the 10 most frequent nationalities
  among the scope's active candidates (ties by country code), "other" and "not stated". Age band:
  completed years at the period's last day (a candidate turning 25 on that day counts as 25–34).
  German level: the candidate's German (language code "de") CEFR level, "none" without one.
  Fixed groups (gender, age band, German level) are listed even when empty; nationality lists the
  groups present.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Case, CharField, Count, IntegerField, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_countries import countries

from bridges.models import CEFRLevel
from candidates.models import CandidateLanguage, Gender
from matching.report_scope import SMALL, ReportFilters, candidate_steps

FOUR_FIFTHS = 0.8
_FOUR_FIFTHS_EXACT = Fraction(4, 5)
# The steps whose selection rates are compared (share of the group's active candidates).
FAIRNESS_STEPS: tuple[str, ...] = ("shortlisted", "introduced", "placed")
# How many nationalities get a row of their own; the rest is "other".
TOP_NATIONALITIES = 10

OTHER = "other"
NOT_STATED = "not_stated"
NO_GERMAN = "none"
AGE_BANDS: tuple[tuple[str, int | None], ...] = (
    # key, lowest age in completed years (None: no lower bound)
    ("under-25", None),
    ("25-34", 25),
    ("35-44", 35),
    ("45-54", 45),
    ("55-plus", 55),
)


@dataclass(frozen=True)
class StepRate:
    step: str  # one of FAIRNESS_STEPS
    count: int
    rate: float | None  # count / group total; None when the group is under SMALL
    ratio: float | None  # rate / best rate of this step among groups with a rate; None likewise
    flagged: bool  # ratio below FOUR_FIFTHS

    @property
    def disclosed(self) -> bool:
        """Whether rate and ratio may be shown: with a count under SMALL (but not 0) they would give
        the hidden count away (rate × group total); the flag is shown all the same."""
        return self.rate is not None and not 0 < self.count < SMALL


@dataclass(frozen=True)
class FairnessRow:
    key: str  # stable code: "female", "SY", "other", "25-34", "B1", "none", ...
    label: str  # as a person reads it, translated
    total: int  # active candidates of the group in the period
    steps: list[StepRate] = field(default_factory=list)  # in FAIRNESS_STEPS order

    @property
    def small(self) -> bool:
        return self.total < SMALL


@dataclass(frozen=True)
class FairnessTable:
    dimension: str  # "gender", "nationality", "age_band", "german_level"
    label: str  # translated heading
    rows: list[FairnessRow] = field(default_factory=list)

    @property
    def flagged(self) -> list[FairnessRow]:
        return [row for row in self.rows if any(step.flagged for step in row.steps)]


# --- group expressions, shared with the anonymised rows -------------------------------------------


def _years_before(day: datetime.date, years: int) -> datetime.date:
    """The day `years` years before `day` (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_band_expression(on: datetime.date, prefix: str = "") -> Case:
    """The age band key in completed years on `on`, computed in SQL from `date_of_birth` (of the
    candidate at `prefix`, e.g. "candidate__"): whoever was born on or before the day `n` years
    before `on` is at least `n`."""
    whens = [
        When(**{f"{prefix}date_of_birth__lte": _years_before(on, lowest)}, then=Value(key))
        for key, lowest in reversed(AGE_BANDS)
        if lowest is not None
    ]
    return Case(*whens, default=Value(AGE_BANDS[0][0]), output_field=CharField())


def age_band_labels() -> dict[str, str]:
    return {
        "under-25": _("under 25"),
        "25-34": "25–34",
        "35-44": "35–44",
        "45-54": "45–54",
        "55-plus": _("55 and over"),
    }


def german_level_expression(candidate: str = "pk") -> Coalesce:
    """The best German level (CEFRLevel number) of the candidate whose id is at `candidate`, 0
    without German."""
    best = (
        CandidateLanguage.objects.filter(candidate=OuterRef(candidate), language__code="de")
        .order_by()
        .values("candidate")
        .annotate(best=Max("level"))
        .values("best")
    )
    return Coalesce(Subquery(best, output_field=IntegerField()), Value(0))


def german_level_key(level: int) -> str:
    return NO_GERMAN if not level else ("native" if level == CEFRLevel.NATIVE else CEFRLevel(level).label)


def german_level_labels() -> dict[str, str]:
    labels = {NO_GERMAN: pgettext("German level", "none")}
    for level in CEFRLevel:
        labels[german_level_key(level.value)] = str(level.label)
    return labels


def gender_labels() -> dict[str, str]:
    return {**{value: str(label) for value, label in Gender.choices}, NOT_STATED: _("not stated")}


def country_key(code: str, top: set[str]) -> str:
    """A country code as the report groups it: itself among the top ones, else other or not stated."""
    if not code:
        return NOT_STATED
    return code if code in top else OTHER


def country_label(key: str) -> str:
    if key == OTHER:
        return pgettext("nationality", "other")
    if key == NOT_STATED:
        return _("not stated")
    return str(countries.name(key)) or key


def top_codes(counts: Counter, n: int = TOP_NATIONALITIES) -> list[str]:
    """The `n` most frequent codes (ties by code), without the empty one."""
    ranked = sorted(((code, count) for code, count in counts.items() if code), key=lambda item: (-item[1], item[0]))
    return [code for code, _count in ranked[:n]]


# --- rates ----------------------------------------------------------------------------------------


def _rows(groups: list[tuple[str, str, dict[str, int]]]) -> list[FairnessRow]:
    """Rows from (key, label, {"total": n, step: count, ...}) with rates, ratios and flags."""
    rates: list[dict[str, Fraction | None]] = []
    for _key, _label, counts in groups:
        total = counts.get("total", 0)
        judged = total >= SMALL
        rates.append({step: Fraction(counts.get(step, 0), total) if judged else None for step in FAIRNESS_STEPS})
    best = {}
    for step in FAIRNESS_STEPS:
        judged_rates = [r[step] for r in rates if r[step] is not None]
        best[step] = max(judged_rates) if judged_rates else None
    rows = []
    for (key, label, counts), rate in zip(groups, rates, strict=True):
        steps = []
        for step in FAIRNESS_STEPS:
            ratio = None
            if rate[step] is not None and best[step]:  # best 0 or None: nothing to compare
                ratio = rate[step] / best[step]
            steps.append(
                StepRate(
                    step=step,
                    count=counts.get(step, 0),
                    rate=None if rate[step] is None else float(rate[step]),
                    ratio=None if ratio is None else float(ratio),
                    flagged=ratio is not None and ratio < _FOUR_FIFTHS_EXACT,
                )
            )
        rows.append(FairnessRow(key=key, label=label, total=counts.get("total", 0), steps=steps))
    return rows


def _counts(filters: ReportFilters, **group) -> list[dict]:
    """One aggregate query: per value of the `group` expression(s), the total and each step's count."""
    return list(
        candidate_steps(filters)
        .annotate(**group)
        .order_by()
        .values(*group)
        .annotate(
            total=Count("pk"),
            **{step: Count("pk", filter=Q(**{step: True})) for step in FAIRNESS_STEPS},
        )
    )


def _merge(rows: list[dict], key_of) -> dict[str, dict[str, int]]:
    merged: dict[str, Counter] = {}
    for row in rows:
        counts = merged.setdefault(key_of(row), Counter())
        counts.update({name: row[name] for name in ("total", *FAIRNESS_STEPS)})
    return merged


def _table(dimension: str, label: str, keys: list[str], labels: dict[str, str], merged: dict) -> FairnessTable:
    groups = [(key, labels.get(key, key), dict(merged.get(key, {}))) for key in keys]
    return FairnessTable(dimension=dimension, label=label, rows=_rows(groups))


def fairness_tables(filters: ReportFilters) -> list[FairnessTable]:
    """One table per dimension, in the order gender, nationality, age band, German level (one
    aggregate query each)."""
    gender = _merge(
        _counts(filters, group_gender=Coalesce("gender", Value(""))), lambda r: r["group_gender"] or NOT_STATED
    )
    by_country = _counts(filters, group_nationality=Coalesce("nationality", Value("")))
    top = top_codes(Counter({row["group_nationality"]: row["total"] for row in by_country}))
    nationality = _merge(by_country, lambda r: country_key(r["group_nationality"], set(top)))
    age = _merge(_counts(filters, group_age=age_band_expression(filters.end)), lambda r: r["group_age"])
    german = _merge(
        _counts(filters, group_german=german_level_expression()), lambda r: german_level_key(r["group_german"])
    )

    country_keys = [*top, *(key for key in (OTHER, NOT_STATED) if nationality.get(key, {}).get("total"))]
    return [
        _table("gender", _("Gender"), [*Gender.values, NOT_STATED], gender_labels(), gender),
        _table("nationality", _("Nationality"), country_keys, {k: country_label(k) for k in country_keys}, nationality),
        _table(
            "age_band", _("Age band at the end of the period"), [k for k, _low in AGE_BANDS], age_band_labels(), age
        ),
        _table("german_level", _("German level"), list(german_level_labels()), german_level_labels(), german),
    ]
