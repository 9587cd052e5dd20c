"""Filters (django-filter) of the ranked lists: a position's candidates, a candidate's
positions, and the overview of all matches. They work on the selectors' querysets,
which carry the decision of each pair as the annotation `decision_status`."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate, Perspective
from employers.models import Position
from matching import references, selectors
from matching.models import Match, MatchDecision

OPEN = "open"
DECISION_CHOICES = [(OPEN, _("not decided yet")), *MatchDecision.Status.choices]


def _candidate_at(text: str) -> Q:
    """The candidate's town, postal code (prefix) or Bundesland."""
    return (
        Q(candidate__place__name__icontains=text)
        | Q(candidate__postal_code__startswith=text)
        | Q(candidate__place__region__name_de__icontains=text)
        | Q(candidate__place__region__name_en__icontains=text)
    )


def _position_at(text: str) -> Q:
    """The position's town, postal code (prefix) or region, in Germany or abroad."""
    return (
        Q(position__place__name__icontains=text)
        | Q(position__postal_code__startswith=text)
        | Q(position__region__name_de__icontains=text)
        | Q(position__region__name_en__icontains=text)
    )


class _MatchFilter(django_filters.FilterSet):
    min_score = django_filters.NumberFilter(
        label=_("Minimum score"),
        field_name="score",
        lookup_expr="gte",
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5}),
    )
    decision = django_filters.ChoiceFilter(label=_("Decision"), choices=DECISION_CHOICES, method="filter_decision")

    def filter_decision(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == OPEN:
            # NOT EXISTS rather than the row's decision subquery: an anti-join, while the score index
            # still serves the order (selectors.decided); most matches are undecided.
            return queryset.filter(~selectors.decided())
        # Few matches have a decision: the rows' subquery along the score index finds them sooner
        # than PostgreSQL's join, which misjudges how many pairs the decisions share with the matches.
        return queryset.filter(decision_status=value)


class PositionMatchFilter(_MatchFilter):
    """The candidates of one position."""

    perspective = django_filters.ChoiceFilter(
        label=_("Perspective"), field_name="candidate__perspective", choices=Perspective.choices
    )
    place = django_filters.CharFilter(label=_("Candidate's town, postal code or region"), method="filter_place")
    reference = django_filters.CharFilter(label=_("No. for the employer"), method="filter_reference")

    class Meta:
        model = Match
        fields: list[str] = []

    def filter_place(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(_candidate_at(value)) if value else queryset

    def filter_reference(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """The candidates whose reference in the employer's summaries starts with `value` (one query)."""
        value = references.normalise(value)
        if not value:
            return queryset
        pairs = queryset.values_list("candidate_id", "position_id")
        ids = [c for c, p in pairs if references.code(position_id=p, candidate_id=c).startswith(value)]
        return queryset.filter(candidate_id__in=ids)


class CandidateMatchFilter(_MatchFilter):
    """The positions of one candidate. The candidate's perspective is given; where the
    position is (Germany or abroad) is the filter that goes with it."""

    location = django_filters.ChoiceFilter(
        label=_("Place of work"), field_name="position__location", choices=Position.Location.choices
    )
    position_type = django_filters.ChoiceFilter(
        label=_("Type"), field_name="position__position_type", choices=Position.PositionType.choices
    )
    place = django_filters.CharFilter(label=_("Town, postal code or region"), method="filter_place")

    class Meta:
        model = Match
        fields: list[str] = []

    def filter_place(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(_position_at(value)) if value else queryset


class MatchOverviewFilter(_MatchFilter):
    """All matches: search by name, title or employer, and the filters of both lists."""

    q = django_filters.CharFilter(label=_("Candidate, position or employer"), method="filter_search")
    perspective = django_filters.ChoiceFilter(
        label=_("Perspective"), field_name="candidate__perspective", choices=Perspective.choices
    )
    position_type = django_filters.ChoiceFilter(
        label=_("Type"), field_name="position__position_type", choices=Position.PositionType.choices
    )
    place = django_filters.CharFilter(label=_("Place of work: town, postal code or region"), method="filter_place")

    class Meta:
        model = Match
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The words are looked up in the candidates and the positions (thousands of rows), and the
        # matches filtered by the ids found: not a join of every match with both before the search.
        for word in value.split():
            candidates = Candidate.objects.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
            positions = Position.objects.filter(Q(title__icontains=word) | Q(employer__name__icontains=word))
            queryset = queryset.filter(
                Q(candidate_id__in=candidates.values("pk")) | Q(position_id__in=positions.values("pk"))
            )
        return queryset

    def filter_place(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(_position_at(value)) if value else queryset
