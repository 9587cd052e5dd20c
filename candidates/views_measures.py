"""Case-worker actions on a candidate's support measures: plan, approve, mark as done, cancel.

Each calls `candidates.measures` (budget check, four eyes, audit); a refusal re-shows the
candidate page with the form's errors (400) and writes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridges.audit import audited
from bridges.forms import add_service_error
from bridges.models import Role
from bridges.permissions import case_worker_required
from candidates import measures
from candidates.forms import MeasureDoneForm, MeasureForm
from candidates.selectors import candidate_get_for_user
from candidates.views import _detail_context


def _refused(request: HttpRequest, candidate, **forms) -> HttpResponse:
    messages.error(request, _("The support measure was not saved. Please check the form."))
    return render(request, "candidates/detail.html", _detail_context(request, candidate, **forms), status=400)


@audited
@case_worker_required
@require_POST
def measure_plan(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = candidate_get_for_user(user=request.user, pk=pk)
    form = MeasureForm(request.POST, candidate=candidate, admin=request.user.role == Role.ADMIN)
    if form.is_valid():
        try:
            measures.measure_plan(candidate=candidate, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The support measure was planned."))
            return redirect(candidate.section_url("measures"))
    return _refused(request, candidate, measure_form=form)


def _act(request: HttpRequest, pk: int, measure: int, action, done: str, **kwargs) -> HttpResponse:
    candidate = candidate_get_for_user(user=request.user, pk=pk)
    record = get_object_or_404(candidate.measures, pk=measure)
    try:
        action(measure=record, actor=request.user, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(candidate.section_url("measures"))
    messages.success(request, done)
    return redirect(candidate.section_url("measures"))


@audited
@case_worker_required
@require_POST
def measure_approve(request: HttpRequest, pk: int, measure: int) -> HttpResponse:
    return _act(request, pk, measure, measures.measure_approve, _("The support measure was approved."))


@audited
@case_worker_required
@require_POST
def measure_cancel(request: HttpRequest, pk: int, measure: int) -> HttpResponse:
    return _act(request, pk, measure, measures.measure_cancel, _("The support measure was cancelled."))


@audited
@case_worker_required
@require_POST
def measure_complete(request: HttpRequest, pk: int, measure: int) -> HttpResponse:
    form = MeasureDoneForm(request.POST)
    if not form.is_valid():
        # The candidate and the measure are still looked up: another candidate's measure is a 404.
        candidate = candidate_get_for_user(user=request.user, pk=pk)
        get_object_or_404(candidate.measures, pk=measure)
        messages.error(request, _("Give the actual cost (0 or more)."))
        return redirect(candidate.section_url("measures"))
    return _act(
        request,
        pk,
        measure,
        measures.measure_complete,
        _("The support measure was marked as done."),
        actual_cost=form.cleaned_data["actual_cost"],
    )
