"""The suggested allocation page: which candidate could go to which open position, at most one
position per candidate and at most `openings` candidates per position, maximising the total score
over the stored matches; shown next to the greedy choice (highest scores first).

It is a suggestion, never an action: nothing is shortlisted, introduced or assigned here. The
allocation is computed by a task into a stored run (`matching.allocation_service`); the page shows
that run a page of positions at a time, with a constant number of queries.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bridges.audit import audited
from bridges.models import AuditEvent
from bridges.permissions import case_worker_required
from bridges.services import audit_log
from employers.models import Position
from matching import allocation_service, pipeline
from matching.models import AllocationPair, AllocationPosition, AllocationRun, Introduction

LOCATION_CHOICES = [("", _("all places of work")), *Position.Location.choices]
PAGE_SIZE = 25
IGNORED_PINS_SHOWN = 50


class AllocationFilter(forms.Form):
    location = forms.ChoiceField(label=_("Place of work"), choices=LOCATION_CHOICES, required=False)
    title = forms.CharField(label=_("Position title contains"), required=False, max_length=100)
    employer = forms.CharField(label=_("Company name contains"), required=False, max_length=100)
    suggested = forms.BooleanField(label=_("only positions with a suggested candidate"), required=False)

    def values(self) -> dict:
        if self.is_valid():
            return self.cleaned_data
        return {"location": "", "title": "", "employer": "", "suggested": False}


def _location(value: str) -> str:
    return value if value in Position.Location.values else ""


def _latest_runs(location: str) -> tuple[AllocationRun | None, AllocationRun | None]:
    """The shown suggestion (the newest finished run of the filter) and the newest run if it is a
    newer one still queued, computing or failed (two queries at most)."""
    newest = AllocationRun.objects.filter(location=location).order_by("-pk").first()
    if newest is None or newest.status == AllocationRun.Status.SUCCEEDED:
        return newest, None
    shown = (
        AllocationRun.objects.filter(location=location, status=AllocationRun.Status.SUCCEEDED).order_by("-pk").first()
    )
    return shown, newest


def _status_context(location: str, run: AllocationRun | None, *, polling: bool = False) -> dict:
    busy = run is not None and run.status in (AllocationRun.Status.QUEUED, AllocationRun.Status.RUNNING)
    lost = busy and run.created_at < timezone.now() - allocation_service.LOST_AFTER
    return {"pending": run, "pending_lost": lost, "polls": busy and not lost, "location": location, "polling": polling}


def _rows(run: AllocationRun, positions: list[AllocationPosition]) -> None:
    """Attach each page row's suggested and greedy pairs and the open introductions (two queries)."""
    by_position = {row.position_id: row for row in positions}
    for row in positions:
        row.suggested, row.greedy = [], []
    pairs = (
        AllocationPair.objects.filter(run=run, position_id__in=list(by_position))
        .exclude(in_suggested=False, in_greedy=False)
        .select_related("candidate")
        .only(
            "position_id",
            "score",
            "is_pinned",
            "in_suggested",
            "in_greedy",
            "candidate__first_name",
            "candidate__last_name",
            "candidate__erased_at",
        )
        .order_by("-score", "candidate_id")
    )
    # The links of every pair, built from one reverse each (a hundred {% url %} tags took a fifth of the page).
    explain = reverse("matching:explain", args=[1, 2]).removesuffix("1/2/")
    introduce = reverse("matching:introduce", args=[1, 2]).removesuffix("1/2/")
    suggested = []
    for pair in pairs:
        row = by_position[pair.position_id]
        if pair.in_suggested:
            pair.explain_url = f"{explain}{pair.candidate_id}/{pair.position_id}/"
            pair.introduce_url = f"{introduce}{pair.candidate_id}/{pair.position_id}/"
            row.suggested.append(pair)
            suggested.append(pair)
        if pair.in_greedy:
            row.greedy.append(pair)
    # The open introductions of the page's suggested pairs (one query; by the page's candidates and
    # positions rather than an OR of every pair, which Django builds ten times slower than it runs).
    introduced = {}
    if suggested:
        rows = Introduction.objects.filter(
            candidate_id__in={pair.candidate_id for pair in suggested},
            position_id__in={pair.position_id for pair in suggested},
            stage__in=pipeline.OPEN_STAGES,
        ).only("pk", "candidate_id", "position_id", "stage")
        introduced = {(row.candidate_id, row.position_id): row for row in rows}
    for pair in suggested:
        pair.open_introduction = introduced.get((pair.candidate_id, pair.position_id))


@audited
@case_worker_required
def allocation(request: HttpRequest) -> HttpResponse:
    form = AllocationFilter(request.GET or None)
    values = form.values()
    location = _location(values["location"])
    run, pending = _latest_runs(location)
    page = ignored = None
    query = ""
    changed = False
    if run is not None:
        rows = AllocationPosition.objects.filter(run=run)
        if values["title"]:
            rows = rows.filter(title__contains=values["title"].lower())
        if values["employer"]:
            rows = rows.filter(position__employer__name__icontains=values["employer"])
        if values["suggested"]:
            rows = rows.filter(suggested_count__gt=0)
        rows = rows.select_related("position__employer", "position__place", "position__region").order_by(
            "title", "position_id"
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        _rows(run, list(page.object_list))
        if run.ignored_pins:
            ignored = list(
                AllocationPair.objects.filter(run=run, ignored_pin=True)
                .select_related("candidate", "position")
                .order_by("-score", "pk")[:IGNORED_PINS_SHOWN]
            )
        changed = allocation_service.matches_changed_since(run)
        params = request.GET.copy()
        params.pop("page", None)
        query = params.urlencode()
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        target="matching.allocation",
        summary=_("suggested allocation (%(location)s): %(pairs)s pairs, %(filled)s/%(openings)s openings"),
        params={
            "location": dict(LOCATION_CHOICES)[location],
            "pairs": run.pairs if run else 0,
            "filled": run.suggested_filled if run else 0,
            "openings": run.openings if run else 0,
        },
    )
    context = {
        "form": form,
        "run": run,
        "page": page,
        "query": query,
        "ignored_pins": ignored,
        "changed": changed,
        **_status_context(location, pending),
    }
    return render(request, "matching/allocation.html", context)


@case_worker_required
@require_POST
def allocation_compute(request: HttpRequest) -> HttpResponse:
    """Queue a computation of the suggestion for the posted place-of-work filter."""
    location = _location(request.POST.get("location", ""))
    _run, new = allocation_service.request_allocation(location=location, user=request.user)
    if new:
        messages.success(request, gettext("The suggested allocation is being computed."))
    else:
        messages.info(request, gettext("The suggested allocation is already being computed."))
    url = reverse("matching:allocation")
    return redirect(f"{url}?location={location}" if location else url)


@case_worker_required
def allocation_status(request: HttpRequest) -> HttpResponse:
    """htmx: whether the newest run of the filter is still computing; polls itself every 2 s, and has the
    page reload (HX-Refresh) once the run is finished."""
    location = _location(request.GET.get("location", ""))
    newest = AllocationRun.objects.filter(location=location).order_by("-pk").first()
    done = newest is None or newest.status == AllocationRun.Status.SUCCEEDED
    response = render(
        request,
        "matching/_allocation_status.html",
        _status_context(location, None if done else newest, polling=True),
    )
    if done and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response
