"""The public job board: open positions of approved employers, without login.

The board, the detail page and the JSON feed show what a company publishes and
nothing internal: no review notes, no creators, no re-scoring marks, no member
addresses, and only the contact persons the company marked as public.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from bridges.models import CEFRLevel
from employers.filters import JobBoardFilter
from employers.models import Position
from employers.selectors import public_position_get, public_positions

PAGE_SIZE = 20
FEED_PAGE_SIZE = 50


def _filtered(request: HttpRequest) -> JobBoardFilter:
    return JobBoardFilter(request.GET, queryset=public_positions(), request=request)


@login_not_required
def job_list(request: HttpRequest) -> HttpResponse:
    filterset = _filtered(request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    return render(request, "jobs/list.html", context)


@login_not_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "jobs/detail.html", {"position": public_position_get(pk=pk)})


def _level_code(level: int) -> str:
    # Stable codes for machines, whatever the language: "B1", …, "native".
    return "native" if level == CEFRLevel.NATIVE else CEFRLevel(level).label


def _feed_item(request: HttpRequest, position: Position) -> dict:
    occupation = position.occupation
    country = position.country.code or ("DE" if position.location == Position.Location.GERMANY else "")
    return {
        "id": position.pk,
        "url": request.build_absolute_uri(position.get_absolute_url()),
        "title": position.title,
        "employer": position.employer.name,
        "type": position.position_type,
        "location": position.location,
        "place": position.place.name if position.place_id else None,
        "postal_code": position.postal_code or None,
        "country": country or None,
        "region": position.region.code if position.region_id else None,
        "languages": [
            {
                "language": requirement.language.code,
                "min_level": _level_code(requirement.min_level),
                "required": requirement.required,
            }
            for requirement in position.language_requirements.all()
        ],
        "start_date": position.start_date.isoformat() if position.start_date else None,
        "working_time": position.working_time,
        "hours_per_week": position.hours_per_week,
        "salary_min": position.salary_min,
        "salary_max": position.salary_max,
        "occupation": {
            "label": occupation.label,
            "esco_uri": occupation.uri or None,
            "isco_group": occupation.isco_group or None,
        },
    }


@login_not_required
def job_feed(request: HttpRequest) -> JsonResponse:
    """The job board as JSON, with the board's filters, for partner sites."""
    paginator = Paginator(_filtered(request).qs, FEED_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404 from error
    next_url = None
    if page.has_next():
        query = request.GET.copy()
        query["page"] = page.next_page_number()
        next_url = request.build_absolute_uri(f"{reverse('jobs:feed')}?{query.urlencode()}")
    data = {
        "count": paginator.count,
        "next": next_url,
        "results": [_feed_item(request, position) for position in page.object_list],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    # The feed is public, read-only and carries no personal data: any site may read it.
    response["Access-Control-Allow-Origin"] = "*"
    return response
