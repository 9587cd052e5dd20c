"""Server-rendered SVG charts of the funder's report: pure functions from the report's figures to
an SVG string, no JavaScript and nothing loaded from elsewhere.

Every chart is an image with a title and a description (`role="img"`, `aria-labelledby`); its
numbers also stand in the table beside it, which is what a screen reader reads. Every text is
escaped (`format_html`); the SVG scales with its container (a `viewBox`, width 100 %), so it never
scrolls sideways on a phone. Colours reach 4.5:1 on white, and the second series is hatched as
well, so that no chart relies on colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from candidates.measures import euros
from matching.report import CostRow, FunnelStep, MonthCount
from matching.report_scope import SMALL, shown

# Colours on white: 6.4:1, 4.7:1 and 8.2:1; text #212529 (15:1).
BLUE = "#0a58ca"
ORANGE = "#b35c00"
GREY = "#495057"
TEXT = "#212529"
GRID = "#adb5bd"

# The drawing's width (viewBox units): the columns need room, bars read on a phone with less.
WIDTH = 560
BAR_WIDTH = 420
FONT = 13
SMALL_FONT = 11
# The steps at which month labels are written: each divides a year.
MONTH_STEPS = (1, 2, 3, 4, 6, 12)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]  # what the bar's length shows
    texts: Sequence[str]  # how each value reads ("1.234", "< 5", "12,50 €")
    colour: str
    hatched: bool = False


def _n(value: float) -> str:
    """A coordinate: one decimal, always with a point (attributes are not localised)."""
    return f"{value:.1f}"


def _fill(chart_id: str, series: Series) -> str:
    return f"url(#{chart_id}-hatch-{series.colour.lstrip('#')})" if series.hatched else series.colour


def _defs(chart_id: str, series: Sequence[Series]) -> list[SafeString]:
    parts = []
    for one in series:
        if one.hatched:
            parts.append(
                format_html(
                    '<pattern id="{}-hatch-{}" width="6" height="6" patternUnits="userSpaceOnUse" '
                    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
                    '<rect width="3.5" height="6" fill="{}"/></pattern>',
                    chart_id,
                    one.colour.lstrip("#"),
                    one.colour,
                )
            )
    return [format_html("<defs>{}</defs>", mark_safe("".join(parts)))] if parts else []


def _legend(chart_id: str, series: Sequence[Series], y: float, width: float) -> tuple[list[SafeString], float]:
    """The legend's swatches and labels, wrapped onto lines that fit; returns them and the next free y."""
    parts, x = [], 0.0
    for one in series:
        item = 22 + len(one.label) * FONT * 0.55 + 16
        if x and x + item > width:
            x, y = 0.0, y + FONT + 8
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="14" height="14" fill="{}" stroke="{}"/>'
                '<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>',
                _n(x),
                _n(y - 11),
                _fill(chart_id, one),
                one.colour,
                _n(x + 20),
                _n(y),
                FONT,
                TEXT,
                one.label,
            )
        )
        x += item
    return parts, y + FONT + 8


def _svg(chart_id: str, title: str, desc: str, width: float, height: float, body: list[SafeString]) -> SafeString:
    """The chart as an image of about its drawn size (so that its text stays the size of the
    page's); a narrower column shrinks it (`.report-chart` in bridges.css: the CSP allows no style
    attribute). It is drawn left to right in every language: an SVG text inherits the page's
    direction, and under `dir="rtl"` each text would end at its x instead of starting there (the
    labels at x=0 left the drawing, the values covered their bars, the legend its swatches)."""
    return format_html(
        '<svg class="report-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" '
        'role="img" aria-labelledby="{}-title {}-desc" direction="ltr" '
        'font-family="system-ui, sans-serif" id="{}">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        _n(width),
        _n(height),
        round(width * 1.15),
        chart_id,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        desc,
        mark_safe("".join(body)),  # every part is built with format_html
    )


def hbar_chart(
    *, chart_id: str, title: str, desc: str, categories: Sequence[str], series: Sequence[Series]
) -> SafeString:
    """Horizontal bars: for each category its label on a line, then one bar per series with the
    value at its end. Long labels need no margin, so the chart reads at 390 px."""
    largest = max((value for one in series for value in one.values), default=0) or 1
    text_room = 110
    bar, gap = 16, 4
    body = _defs(chart_id, series)
    legend, y = _legend(chart_id, series, FONT + 2, BAR_WIDTH) if len(series) > 1 else ([], 4.0)
    body += legend
    for index, category in enumerate(categories):
        y += FONT + 4
        body.append(format_html('<text x="0" y="{}" font-size="{}" fill="{}">{}</text>', _n(y), FONT, TEXT, category))
        y += 6
        for one in series:
            length = (BAR_WIDTH - text_room) * one.values[index] / largest
            body.append(
                format_html(
                    '<rect x="0" y="{}" width="{}" height="{}" fill="{}" stroke="{}"><title>{}: {}</title></rect>'
                    '<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>',
                    _n(y),
                    _n(max(length, 1)),
                    bar,
                    _fill(chart_id, one),
                    one.colour,
                    one.label,
                    one.texts[index],
                    _n(max(length, 1) + 6),
                    _n(y + bar - 4),
                    FONT,
                    TEXT,
                    one.texts[index],
                )
            )
            y += bar + gap
        y += 6
    return _svg(chart_id, title, desc, BAR_WIDTH, y + 4, body)


def _nice_top(largest: float) -> tuple[float, float]:
    """A round top for the value axis and its step (1, 2 or 5 times a power of ten)."""
    if largest <= 0:
        return 1, 1
    raw = largest / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(factor * power for factor in (1, 2, 5, 10) if factor * power >= raw)
    step = max(step, 1)
    return step * math.ceil(largest / step), step


def column_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    labels: Sequence[str],
    years: Sequence[str],
    series: Sequence[Series],
) -> SafeString:
    """Stacked columns, one per category (a month), with a value axis. Under a column stand its
    label and its year where given (empty: none); the category names each column's tooltip."""
    count = len(categories)
    left, top = 40.0, 0.0
    legend, top = _legend(chart_id, series, FONT + 2, WIDTH)
    plot_top, plot_height = top + 4, 180.0
    base = plot_top + plot_height
    totals = [sum(one.values[index] for one in series) for index in range(count)]
    axis_top, step = _nice_top(max(totals, default=0))
    body = _defs(chart_id, series) + legend
    tick = 0.0
    while tick <= axis_top + 1e-9:
        y = base - plot_height * tick / axis_top
        body.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="0.5"/>'
                '<text x="{}" y="{}" font-size="{}" fill="{}" text-anchor="end">{}</text>',
                _n(left),
                WIDTH,
                _n(y),
                _n(y),
                GRID,
                _n(left - 6),
                _n(y + 4),
                SMALL_FONT,
                TEXT,
                number_format(tick, 0, force_grouping=True),
            )
        )
        tick += step
    slot = (WIDTH - left) / max(count, 1)
    width = max(slot * 0.7, 1.0)
    for index, category in enumerate(categories):
        x = left + slot * index + (slot - width) / 2
        y = base
        for one in series:
            height = plot_height * one.values[index] / axis_top
            if height > 0:
                y -= height
                body.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="0.5">'
                        "<title>{} – {}: {}</title></rect>",
                        _n(x),
                        _n(y),
                        _n(width),
                        _n(height),
                        _fill(chart_id, one),
                        one.colour,
                        category,
                        one.label,
                        one.texts[index],
                    )
                )
        centre = x + width / 2
        for text, y in ((labels[index], base + 14), (years[index], base + 28)):
            if text:
                body.append(
                    format_html(
                        '<text x="{}" y="{}" font-size="{}" fill="{}" text-anchor="middle">{}</text>',
                        _n(centre),
                        _n(y),
                        SMALL_FONT,
                        TEXT,
                        text,
                    )
                )
    body.append(
        format_html('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>', _n(left), WIDTH, _n(base), _n(base), TEXT)
    )
    return _svg(chart_id, title, desc, WIDTH, base + 34, body)


# --- the report's three charts -------------------------------------------------------------------


def _masked(count: int) -> float:
    """A count drawn as a person may read it: every count under SMALL draws the same short bar."""
    return (SMALL - 1) / 2 if 0 < count < SMALL else count


def funnel_chart(funnel: Sequence[FunnelStep]) -> SafeString:
    """Candidates per step, in Germany and abroad (counts under 5 read "< 5" and draw alike)."""
    here = Series(_("in Germany"), [_masked(s.here) for s in funnel], [shown(s.here) for s in funnel], BLUE)
    abroad = Series(
        _("abroad"), [_masked(s.abroad) for s in funnel], [shown(s.abroad) for s in funnel], ORANGE, hatched=True
    )
    return hbar_chart(
        chart_id="chart-funnel",
        title=_("Candidates per step of the way to work"),
        desc=_("Horizontal bars per step, in Germany and abroad; the numbers are in the table below."),
        categories=[f"{step.label}: {shown(step.total)}" for step in funnel],
        series=[here, abroad],
    )


def placements_chart(months: Sequence[MonthCount]) -> SafeString:
    """Placements per month, in Germany and abroad (returns to the home region), stacked. At most 12 months are named,
    at calendar steps (every month, 2nd, 3rd, 4th, 6th or January); the year stands under the first
    named month and wherever it changes."""
    every = next((step for step in MONTH_STEPS if math.ceil(len(months) / step) <= 12), 12)
    marked = [(m.month.month - 1) % every == 0 for m in months]
    years, last = [], None
    for month, named in zip(months, marked, strict=True):
        years.append(str(month.month.year) if named and month.month.year != last else "")
        if named:
            last = month.month.year
    here = Series(
        _("in Germany"), [m.here for m in months], [number_format(m.here, force_grouping=True) for m in months], BLUE
    )
    abroad = Series(
        _("abroad"),  # the words of the table beside the chart
        [m.abroad for m in months],
        [number_format(m.abroad, force_grouping=True) for m in months],
        ORANGE,
        hatched=True,
    )
    return column_chart(
        chart_id="chart-months",
        title=_("Placements per month"),
        desc=_(
            "Columns per month, placements in Germany below and abroad (returns to the home region) "
            "on top; the numbers are in the table below."
        ),
        categories=[date_format(m.month, "YEAR_MONTH_FORMAT") for m in months],
        labels=[date_format(m.month, "M") if named else "" for m, named in zip(months, marked, strict=True)],
        years=years,
        series=[here, abroad],
    )


def costs_chart(costs: Sequence[CostRow]) -> SafeString:
    """Committed and spent support per kind of measure; kinds without any are left out of the
    chart (the table lists them all)."""
    costs = [c for c in costs if c.committed or c.spent]
    committed = Series(
        _("committed"), [float(c.committed) for c in costs], [euros(c.committed) for c in costs], GREY, hatched=True
    )
    spent = Series(_("spent"), [float(c.spent) for c in costs], [euros(c.spent) for c in costs], BLUE)
    return hbar_chart(
        chart_id="chart-costs",
        title=_("Support costs by kind of measure"),
        desc=_(
            "Horizontal bars per kind of measure, committed and spent in euros; the numbers are in the table below."
        ),
        categories=[c.label for c in costs],
        series=[committed, spent],
    )
