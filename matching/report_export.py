"""Exports of the funder's report: its figures (section, item, value) as CSV or XLSX, and the
anonymised rows under it (`matching.report_rows`) as streamed CSV or write-only XLSX. Each export
writes one audit row.

Counts of candidates by group (the funnel, the fairness tables) from 1 to 4 are written as "< 5"
(a 0 stays 0), as on the page. Values are plain numbers (a point as decimal mark in CSV, number cells in XLSX);
the item says the unit.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from bridges.models import AuditEvent, User
from bridges.services import audit_log
from candidates.resources import FORMULA_START
from matching.fairness import FairnessTable
from matching.report import Report
from matching.report_rows import anonymised_header, anonymised_rows
from matching.report_scope import SMALL, ReportFilters, Step

COUNT, DAYS, PERCENT, RATIO, EURO, TEXT, DATE = "count", "days", "percent", "ratio", "euro", "text", "date"
NUMBER_FORMATS = {
    COUNT: "#,##0",
    DAYS: "#,##0.0",
    PERCENT: "0.0",
    RATIO: "0.00",
    EURO: "#,##0.00",
    DATE: "yyyy-mm-dd",
}
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Figure:
    section: str
    item: str
    value: int | float | Decimal | str | datetime.date | None
    kind: str = COUNT


def _group_count(count: int) -> int | str:
    """A count of candidates in a group: under SMALL (but not 0) it reads "< 5"."""
    return f"< {SMALL}" if 0 < count < SMALL else count


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def report_figures(*, report: Report, fairness: list[FairnessTable], described: list[tuple[str, str]]) -> list[Figure]:
    """Every figure of the report page, in its sections and in the page's order."""
    filters = report.filters
    figures: list[Figure] = []

    def add(section: str, item: str, value, kind: str = COUNT) -> None:
        figures.append(Figure(str(section), str(item), value, kind))

    section = _("Filters")
    add(section, _("Period from"), filters.start, DATE)
    add(section, _("Period to (inclusive)"), filters.end, DATE)
    for label, value in described:
        add(section, label, value or _("all"), TEXT)

    section = _("Candidates per step")
    for step in report.funnel:
        add(section, _("%(step)s: total") % {"step": step.label}, _group_count(step.total))
        add(section, _("%(step)s: in Germany") % {"step": step.label}, _group_count(step.here))
        add(section, _("%(step)s: abroad") % {"step": step.label}, _group_count(step.abroad))

    section = _("Placements")
    add(section, _("Placements"), report.placements)
    add(section, _("in Germany"), report.placements_here)
    add(section, _("Returns to the home region"), report.returns)
    for row in report.placements_by_kind:
        add(section, _("Kind: %(kind)s") % {"kind": row.label}, row.count)

    section = _("Placements per month")
    for month in report.placements_by_month:
        add(section, _("%(month)s: in Germany") % {"month": f"{month.month:%Y-%m}"}, month.here)
        add(section, _("%(month)s: abroad") % {"month": f"{month.month:%Y-%m}"}, month.abroad)

    section = _("Time from intake to placement")
    quartiles = report.time_to_placement
    add(section, _("Placements measured"), quartiles.n)
    add(section, _("First quartile (days)"), _round(quartiles.q1), DAYS)
    add(section, _("Median (days)"), _round(quartiles.median), DAYS)
    add(section, _("Third quartile (days)"), _round(quartiles.q3), DAYS)

    section = _("Days per stage")
    for stage in report.days_per_stage:
        add(section, _("%(stage)s: stays") % {"stage": stage.label}, stage.n)
        add(section, _("%(stage)s: median (days)") % {"stage": stage.label}, _round(stage.median), DAYS)
        add(section, _("%(stage)s: mean (days)") % {"stage": stage.label}, _round(stage.mean), DAYS)

    section = _("Retention")
    for retention in report.retention:
        after = _("after %(months)s months") % {"months": retention.months}
        add(section, _("%(after)s: due") % {"after": after}, retention.due)
        add(section, _("%(after)s: recorded") % {"after": after}, retention.recorded)
        add(section, _("%(after)s: in work") % {"after": after}, retention.in_work)
        add(section, _("%(after)s: share in work (%%)") % {"after": after}, _percent(retention.share), PERCENT)

    section = _("Why introductions closed")
    for reason in report.close_reasons:
        add(section, reason.label, reason.count)

    section = _("Support costs")
    for cost in report.costs:
        add(section, _("%(kind)s: measures") % {"kind": cost.label}, cost.measures)
        add(section, _("%(kind)s: committed (€)") % {"kind": cost.label}, cost.committed, EURO)
        add(section, _("%(kind)s: spent (€)") % {"kind": cost.label}, cost.spent, EURO)
    add(section, _("Total: measures"), sum(cost.measures for cost in report.costs))
    add(section, _("Total: committed (€)"), sum((cost.committed for cost in report.costs), Decimal("0.00")), EURO)
    add(section, _("Total: spent (€)"), sum((cost.spent for cost in report.costs), Decimal("0.00")), EURO)

    section = _("Cost per placement")
    add(section, _("Spent on the candidates placed (€)"), report.spent_on_placed, EURO)
    add(section, _("Per placement, the placed candidates' support (€)"), report.cost_per_placement_placed, EURO)
    add(section, _("Spent in the period, all candidates (€)"), report.spent_total, EURO)
    add(section, _("Per placement, all support in the period (€)"), report.cost_per_placement_all, EURO)

    for table in fairness:
        section = _("Fairness: %(dimension)s") % {"dimension": table.label}
        for row in table.rows:
            add(section, _("%(group)s: active candidates") % {"group": row.label}, _group_count(row.total))
            for rate in row.steps:
                item = {"group": row.label, "step": Step(rate.step).label}
                add(section, _("%(group)s: %(step)s: count") % item, _group_count(rate.count))
                shown = rate.disclosed  # a rate would give a count under 5 away
                add(
                    section, _("%(group)s: %(step)s: rate (%%)") % item, _percent(rate.rate if shown else None), PERCENT
                )
                add(
                    section,
                    _("%(group)s: %(step)s: ratio to the best group") % item,
                    _round(rate.ratio if shown else None, 2),
                    RATIO,
                )
                add(
                    section,
                    _("%(group)s: %(step)s: below four-fifths") % item,
                    _("yes") if rate.flagged else _("no"),
                    TEXT,
                )
    return figures


# --- writing --------------------------------------------------------------------------------------


def _csv_cell(value) -> str | int | float | Decimal:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        # A spreadsheet program would run it as a formula.
        return f"'{value}"
    return value


def _xlsx_value(value):
    if isinstance(value, str) and value.startswith("="):
        return f"'{value}"
    return value


class _Echo:
    """A file-like object whose write returns the line, for streaming with csv.writer."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[Iterable]) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    # With the byte order mark, spreadsheet programs read the file as UTF-8.
    yield "\ufeff".encode()
    for row in rows:
        yield writer.writerow([_csv_cell(value) for value in row]).encode()


def figures_csv(figures: list[Figure]) -> bytes:
    header = [_("Section"), _("Item"), _("Value")]
    rows = [header, *([figure.section, figure.item, figure.value] for figure in figures)]
    return b"".join(_csv_lines(rows))


def figures_xlsx(figures: list[Figure]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Figures")[:31])
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 56
    sheet.column_dimensions["C"].width = 16
    sheet.append([_("Section"), _("Item"), _("Value")])
    for figure in figures:
        value = WriteOnlyCell(sheet, value=_xlsx_value(figure.value))
        if figure.kind in NUMBER_FORMATS and not isinstance(figure.value, str):
            value.number_format = NUMBER_FORMATS[figure.kind]
        sheet.append([figure.section, figure.item, value])
    return _save(workbook)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(kind: str, filters: ReportFilters, extension: str) -> str:
    """E.g. bericht-kennzahlen_2026-01-01_2026-06-30.xlsx."""
    return f"bericht-{kind}_{filters.start:%Y-%m-%d}_{filters.end:%Y-%m-%d}.{extension}"


def _audit(*, actor: User, what, file_format: str, filters: ReportFilters, query: str) -> None:
    audit_log(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        target="matching.report",
        summary=gettext_lazy("%(what)s as %(format)s, %(start)s to %(end)s %(filter)s"),
        params={
            "what": what,
            "format": file_format,
            "start": filters.start.isoformat(),
            "end": filters.end.isoformat(),
            "filter": query,
        },
    )


def report_figures_export(
    *, figures: list[Figure], filters: ReportFilters, file_format: str, actor: User, query: str = ""
) -> bytes:
    """The report's figures as CSV or XLSX; one audit row records the export."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    content = figures_csv(figures) if file_format == "csv" else figures_xlsx(figures)
    _audit(actor=actor, what=gettext_lazy("report figures"), file_format=file_format, filters=filters, query=query)
    return content


def report_rows_csv(*, filters: ReportFilters, actor: User, query: str = "") -> Iterator[bytes]:
    """The anonymised rows as CSV lines, streamed; the audit row is written before the first line."""
    _audit(actor=actor, what=gettext_lazy("anonymised report rows"), file_format="csv", filters=filters, query=query)
    return _csv_lines(_with_header(filters))


def _with_header(filters: ReportFilters) -> Iterator[list]:
    header = anonymised_header()
    if header:
        yield header
    yield from anonymised_rows(filters)


def report_rows_xlsx(*, filters: ReportFilters, actor: User, query: str = "") -> bytes:
    """The anonymised rows as an XLSX file (written row by row); one audit row records the export."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Rows")[:31])
    for row in _with_header(filters):
        sheet.append([_xlsx_value(value) for value in row])
    content = _save(workbook)
    _audit(actor=actor, what=gettext_lazy("anonymised report rows"), file_format="xlsx", filters=filters, query=query)
    return content
