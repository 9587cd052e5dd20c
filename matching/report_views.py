"""The funder's report (case workers and admins): the page with its filter form, charts and tables,
the export of its figures (CSV/XLSX) and of the anonymised rows under it (CSV streamed, XLSX).

The figures come from `matching.report.report_build` and `matching.fairness.fairness_tables`; this
module only reads the filters, renders and writes files. Employer users get a 404 on all of it:
for them the report does not exist.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bridges.audit import audited
from bridges.models import Role
from bridges.permissions import role_required
from matching import report_charts
from matching.fairness import FAIRNESS_STEPS, FOUR_FIFTHS, fairness_tables
from matching.forms_report import ReportFilterForm
from matching.report import report_build
from matching.report_export import (
    FORMATS,
    export_filename,
    report_figures,
    report_figures_export,
    report_rows_csv,
    report_rows_xlsx,
)
from matching.report_scope import SMALL, Step

# Case workers and admins; for anyone else logged in the report does not exist (404).
report_staff_only = role_required(Role.CASE_WORKER, Role.ADMIN, hidden=True)


def _query(form: ReportFilterForm) -> str:
    """The filters as a query string (the period always spelled out), for the export links."""
    return urlencode([(name, form.data[name]) for name in form.fields if form.data.get(name)])


@audited
@report_staff_only
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "matching/report/page.html", {"form": form}, status=400)
    filters = form.filters()
    report = report_build(filters)
    fairness = fairness_tables(filters)
    query = _query(form)
    has = {
        "funnel": any(step.total for step in report.funnel),
        "stages": any(stay.n for stay in report.days_per_stage),
        "retention": any(row.due for row in report.retention),
        "reasons": any(reason.count for reason in report.close_reasons),
        "costs": any(cost.measures for cost in report.costs),
    }
    context = {
        "form": form,
        "filters": filters,
        "report": report,
        "fairness": fairness,
        "fairness_steps": [(step, Step(step).label) for step in FAIRNESS_STEPS],
        "four_fifths": FOUR_FIFTHS,
        "small": SMALL,
        "query": query,
        "costs_committed": sum(cost.committed for cost in report.costs),
        "costs_spent": sum(cost.spent for cost in report.costs),
        "costs_measures": sum(cost.measures for cost in report.costs),
        # A section with only zeros shows its empty state (and no chart), not a table of zeros.
        "has": has,
        "charts": {
            "funnel": report_charts.funnel_chart(report.funnel) if has["funnel"] else "",
            "months": (
                report_charts.placements_chart(report.placements_by_month)
                if any(month.here or month.abroad for month in report.placements_by_month)
                else ""
            ),
            "costs": report_charts.costs_chart(report.costs) if has["costs"] else "",
        },
    }
    return render(request, "matching/report/page.html", context)


def _valid_filters(request: HttpRequest) -> ReportFilterForm | None:
    form = ReportFilterForm(request.GET)
    if form.is_valid():
        return form
    # Never export other figures than the filters name because one could not be read.
    messages.error(request, _("The export needs valid filters. Please correct them."))
    return None


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('matching:report')}?{request.GET.urlencode()}")


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _figures(request: HttpRequest, file_format: str) -> HttpResponse:
    form = _valid_filters(request)
    if form is None:
        return _back(request)
    filters = form.filters()
    report = report_build(filters)
    figures = report_figures(report=report, fairness=fairness_tables(filters), described=form.described())
    content = report_figures_export(
        figures=figures, filters=filters, file_format=file_format, actor=request.user, query=_query(form)
    )
    response = HttpResponse(content, content_type=FORMATS[file_format])
    return _attachment(response, export_filename("kennzahlen", filters, file_format))


@audited
@report_staff_only
@require_GET
def figures_csv(request: HttpRequest) -> HttpResponse:
    return _figures(request, "csv")


@audited
@report_staff_only
@require_GET
def figures_xlsx(request: HttpRequest) -> HttpResponse:
    return _figures(request, "xlsx")


@audited
@report_staff_only
@require_GET
def rows_csv(request: HttpRequest) -> HttpResponse:
    form = _valid_filters(request)
    if form is None:
        return _back(request)
    filters = form.filters()
    lines = report_rows_csv(filters=filters, actor=request.user, query=_query(form))
    response = StreamingHttpResponse(lines, content_type=FORMATS["csv"])
    return _attachment(response, export_filename("datensaetze", filters, "csv"))


@audited
@report_staff_only
@require_GET
def rows_xlsx(request: HttpRequest) -> HttpResponse:
    form = _valid_filters(request)
    if form is None:
        return _back(request)
    filters = form.filters()
    content = report_rows_xlsx(filters=filters, actor=request.user, query=_query(form))
    response = HttpResponse(content, content_type=FORMATS["xlsx"])
    return _attachment(response, export_filename("datensaetze", filters, "xlsx"))
