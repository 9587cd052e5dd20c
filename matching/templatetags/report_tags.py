"""Number formats of the funder's report, in the reader's locale: counts of candidates by group
("< 5"), shares as per cent, days, ratios and euros; a missing value reads "–"."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from candidates.measures import euros
from matching.report_scope import shown

register = template.Library()
NONE = "–"


@register.filter
def group_count(count: int | None) -> str:
    """A count of candidates in a group: under 5 (but not 0) it reads "< 5"."""
    return shown(count)


@register.filter
def count(value: int | None) -> str:
    return NONE if value is None else number_format(value, force_grouping=True)


@register.filter
def percent(share: float | None, digits: int = 1) -> str:
    """A share in [0, 1] as per cent, with one decimal unless told: 0.125 → "12,5 %"."""
    return NONE if share is None else f"{number_format(share * 100, digits, force_grouping=True)}\u00a0%"


@register.filter
def days(value: float | None) -> str:
    return NONE if value is None else number_format(value, 1, force_grouping=True)


@register.filter
def ratio(value: float | None) -> str:
    return NONE if value is None else number_format(value, 2)


@register.filter
def money(amount: Decimal | None) -> str:
    return NONE if amount is None else euros(amount).replace(" €", "\u00a0€")
