"""Search and filters (django-filter) for the case workers' employer and position lists
and for the public job board. Occupations are searched by text over every label,
in every language, as on the candidate list."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from bridges.models import CEFRLevel, Language, OccupationLabel
from employers.models import Employer, LanguageRequirement, Position, Sector
from employers.selectors import public_position_countries, public_position_languages


def _occupation_ids_matching(text: str) -> QuerySet:
    return OccupationLabel.objects.filter(text__icontains=text).values("occupation_id")


def _with_occupation(queryset: QuerySet, text: str) -> QuerySet:
    text = text.strip()
    return queryset.filter(occupation_id__in=_occupation_ids_matching(text)) if text else queryset


def _at_place(queryset: QuerySet, text: str) -> QuerySet:
    """Town, postal code (prefix) or region; abroad also the region of the position."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(place__name__icontains=text)
        | Q(postal_code__startswith=text)
        | Q(region__name_de__icontains=text)
        | Q(region__name_en__icontains=text)
    )


class EmployerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or town"), method="filter_search")
    verification = django_filters.ChoiceFilter(label=_("Verification"), choices=Employer.Verification.choices)
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices)

    class Meta:
        model = Employer
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(place__name__icontains=word) | Q(postal_code__startswith=word)
            )
        return queryset


class PositionFilter(django_filters.FilterSet):
    """The case workers' search over all positions of all employers."""

    q = django_filters.CharFilter(label=_("Title or employer"), method="filter_search")
    occupation = django_filters.CharFilter(label=_("Occupation"), method="filter_occupation")
    place = django_filters.CharFilter(label=_("Town, postal code or region"), method="filter_place")
    position_type = django_filters.ChoiceFilter(label=_("Type"), choices=Position.PositionType.choices)
    location = django_filters.ChoiceFilter(label=_("Place of work"), choices=Position.Location.choices)
    country = django_filters.ChoiceFilter(label=_("Country (abroad)"), choices=countries)
    language = django_filters.ModelChoiceFilter(
        label=_("Required language"),
        queryset=lambda request: Language.objects.in_name_order(),  # in the language of the request
        method="filter_language",
    )
    min_level = django_filters.ChoiceFilter(
        label=_("Minimum level"),
        choices=CEFRLevel.choices,
        method="filter_noop",
        help_text=_("Positions that ask for the language at this level or higher."),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Position.Status.choices)
    employer_verification = django_filters.ChoiceFilter(
        label=_("Employer verification"), field_name="employer__verification", choices=Employer.Verification.choices
    )

    class Meta:
        model = Position
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(Q(title__icontains=word) | Q(employer__name__icontains=word))
        return queryset

    def filter_occupation(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _with_occupation(queryset, value)

    def filter_place(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _at_place(queryset, value)

    def filter_language(self, queryset: QuerySet, name: str, value: Language) -> QuerySet:
        level = int(self.form.cleaned_data.get("min_level") or CEFRLevel.A1)
        asks = LanguageRequirement.objects.filter(position=OuterRef("pk"), language=value, min_level__gte=level)
        return queryset.filter(Exists(asks))

    def filter_noop(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # The minimum level only qualifies the language filter.
        return queryset


class JobBoardFilter(django_filters.FilterSet):
    """The public job board's search: only what the board shows may be searched."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    occupation = django_filters.CharFilter(label=_("Occupation"), method="filter_occupation")
    position_type = django_filters.ChoiceFilter(label=_("Type"), choices=Position.PositionType.choices)
    location = django_filters.ChoiceFilter(label=_("Place of work"), choices=Position.Location.choices)
    place = django_filters.CharFilter(label=_("Town, postal code or region"), method="filter_place")
    # Only countries and languages that public positions have, not every code in the world.
    country = django_filters.ChoiceFilter(label=_("Country (abroad)"), choices=[])
    language = django_filters.ModelChoiceFilter(
        label=_("Language"),
        queryset=lambda request: public_position_languages(),
        method="filter_language",
    )

    class Meta:
        model = Position
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = public_position_countries()
        if choices:
            self.filters["country"].extra["choices"] = choices
        else:
            del self.filters["country"]  # no position abroad: an empty list would only confuse

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(employer__name__icontains=word)
                | Q(occupation_id__in=_occupation_ids_matching(word))
            )
        return queryset

    def filter_occupation(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _with_occupation(queryset, value)

    def filter_place(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _at_place(queryset, value)

    def filter_language(self, queryset: QuerySet, name: str, value: Language) -> QuerySet:
        return queryset.filter(Exists(LanguageRequirement.objects.filter(position=OuterRef("pk"), language=value)))
