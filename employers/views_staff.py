"""Case workers' and admins' pages on employers and positions: the list of all
companies with the review of new ones, a company recorded on its behalf, and the
search over all positions. Every view is for case workers and admins only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from bridges.permissions import case_worker_required
from employers import selectors, services
from employers.filters import EmployerFilter, PositionFilter
from employers.forms import ContactPersonFormSet, EmployerForm, EngagementRegionFormSet
from employers.forms_staff import ReviewForm
from employers.models import Employer

PAGE_SIZE = 25
HISTORY_LENGTH = 50


def _page(request: HttpRequest, queryset) -> tuple:
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


@case_worker_required
def employer_list(request: HttpRequest) -> HttpResponse:
    filterset = EmployerFilter(request.GET, queryset=selectors.employers_for_staff(user=request.user))
    page, query = _page(request, filterset.qs)
    return render(request, "employers/staff_employer_list.html", {"filter": filterset, "page": page, "query": query})


@case_worker_required
def employer_create(request: HttpRequest) -> HttpResponse:
    """Record a company on its behalf, e.g. after a phone call: it is approved at once."""
    data = request.POST if request.method == "POST" else None
    form = EmployerForm(data)
    # The formsets validate against an unsaved company; the service attaches them once it is saved.
    contacts = ContactPersonFormSet(data, instance=Employer(), prefix="contacts")
    regions = EngagementRegionFormSet(data, instance=Employer(), prefix="regions")
    if request.method == "POST" and form.is_valid() & contacts.is_valid() & regions.is_valid():
        try:
            employer = services.employer_create_on_behalf(
                employer=form.save(commit=False), actor=request.user, formsets=[contacts, regions]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s was recorded and approved.") % {"name": employer.name})
            return redirect("employers:staff_employer_detail", pk=employer.pk)
    context = {"form": form, "contact_formset": contacts, "region_formset": regions}
    return render(request, "employers/staff_employer_form.html", context)


def _detail(request: HttpRequest, pk: int, review_form: ReviewForm | None = None, status: int = 200) -> HttpResponse:
    employer = selectors.employer_get_for_staff(user=request.user, pk=pk)
    context = {
        "employer": employer,
        "history": selectors.employer_history(employer=employer)[:HISTORY_LENGTH],
        "review_form": review_form or ReviewForm(),
    }
    return render(request, "employers/staff_employer_detail.html", context, status=status)


@case_worker_required
def employer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@case_worker_required
@require_POST
def employer_review(request: HttpRequest, pk: int) -> HttpResponse:
    employer = selectors.employer_get_for_user(user=request.user, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _detail(request, pk, review_form=form, status=400)
    try:
        review = services.employer_review(
            employer=employer, approve=form.approve, note=form.cleaned_data["note"], actor=request.user, request=request
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        decision = _("%(name)s was approved.") if form.approve else _("%(name)s was rejected.")
        if not review.informed:
            informed = _("No e-mail was sent: the company has no users yet.")
        elif form.approve:
            informed = ngettext(
                "%(count)d user was informed by e-mail.", "%(count)d users were informed by e-mail.", review.informed
            )
        else:
            informed = ngettext(
                "%(count)d user was informed by e-mail with your note.",
                "%(count)d users were informed by e-mail with your note.",
                review.informed,
            )
        values = {"name": employer.name, "count": review.informed}
        messages.success(request, f"{decision % values} {informed % values}")
    return redirect("employers:staff_employer_detail", pk=employer.pk)


@case_worker_required
def position_search(request: HttpRequest) -> HttpResponse:
    positions = selectors.positions_visible_to(user=request.user).order_by("-created_at", "pk")
    filterset = PositionFilter(request.GET, queryset=positions)
    page, query = _page(request, filterset.qs)
    return render(request, "employers/staff_position_list.html", {"filter": filterset, "page": page, "query": query})
