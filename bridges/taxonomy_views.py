"""Autocomplete answers for the taxonomy: <option> elements for the autocomplete widget.

The taxonomy is no personal data: every logged-in user may search it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.fields.json import KT
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from bridges.models import Occupation, Place, Region, Skill
from bridges.widgets import valid_values

LIMIT = 20


def _render(request: HttpRequest, matches: QuerySet, model) -> HttpResponse:
    field = request.GET.get("field", "")
    # str.isdigit() would let "²" through to the database; the id field itself decides.
    selected_ids = valid_values(model._meta.pk, request.GET.getlist(field)) if field else set()
    selected = list(model.objects.filter(pk__in=selected_ids))
    chosen = {obj.pk for obj in selected}
    options = [obj for obj in matches[: LIMIT + len(chosen)] if obj.pk not in chosen][:LIMIT]
    context = {"selected": selected, "options": options, "multiple": bool(request.GET.get("multiple"))}
    return render(request, "bridges/autocomplete_options.html", context)


def _query(request: HttpRequest) -> str:
    return request.GET.get("autocomplete_q", "").strip()


def _by_label(queryset: QuerySet, text: str) -> QuerySet:
    language = (translation.get_language() or "de")[:2]
    if text:
        queryset = queryset.filter(all_labels__text__icontains=text).distinct()
    return queryset.order_by(KT(f"labels__{language}"), "pk")


def occupations(request: HttpRequest) -> HttpResponse:
    return _render(request, _by_label(Occupation.objects.all(), _query(request)), Occupation)


def skills(request: HttpRequest) -> HttpResponse:
    return _render(request, _by_label(Skill.objects.all(), _query(request)), Skill)


def places(request: HttpRequest) -> HttpResponse:
    text = _query(request)
    matches = Place.objects.select_related("region")
    matches = matches.filter(name__istartswith=text) if text else matches.filter(country="DE")
    return _render(request, matches.order_by("-population", "name"), Place)


def regions(request: HttpRequest) -> HttpResponse:
    text = _query(request)
    matches = Region.objects.all()
    country = request.GET.get(request.GET.get("country_field", ""), "")
    if country:
        matches = matches.filter(country=country)
    if text:
        matches = matches.filter(
            Q(name_en__icontains=text)
            | Q(name_de__icontains=text)
            | Q(name_ar__icontains=text)
            | Q(aliases__icontains=text)
            | Q(code__iexact=text)
        )
    return _render(request, matches.order_by("country", "name_en"), Region)
