"""Filters (django-filter) of the case workers' introduction list and board: stage (every open one,
every ended one or one stage), employer, case worker ("mine" or one person), what is due, Germany or abroad,
and one position or candidate (the links from their pages)."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridges.forms import person_choices
from bridges.widgets import PlainSelect
from candidates.models import Candidate
from employers.models import Employer, Position
from matching import pipeline
from matching.introduction_queries import case_workers
from matching.models import Introduction

MINE = "mine"
OVERDUE, WEEK = "overdue", "week"

DUE_CHOICES = [(OVERDUE, _("overdue")), (WEEK, _("due within 7 days"))]


class _CaseWorkerFilter(django_filters.FilterSet):
    case_worker = django_filters.ChoiceFilter(label=_("Case worker"), choices=[], method="filter_case_worker")
    location = django_filters.ChoiceFilter(
        label=_("Place of work"), field_name="position__location", choices=Position.Location.choices
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["case_worker"].extra["choices"] = [(MINE, _("mine")), *person_choices(case_workers())]

    def filter_case_worker(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == MINE:
            return queryset.filter(case_worker=self.user)
        return queryset.filter(case_worker_id=int(value))


class BoardFilter(_CaseWorkerFilter):
    """The board: whose introductions and where the positions are."""

    class Meta:
        model = Introduction
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Laid out in one row above the board (no crispy layout there).
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "form-select"


class IntroductionFilter(_CaseWorkerFilter):
    """The list of introductions."""

    q = django_filters.CharFilter(label=_("Candidate, position or employer"), method="filter_search")
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=pipeline.STAGE_FILTER_CHOICES, method="filter_stage")
    # The choices are set per request, in __init__: the employers that have introductions.
    employer = django_filters.ChoiceFilter(
        label=_("Employer"), field_name="position__employer", choices=[], widget=PlainSelect()
    )
    due = django_filters.ChoiceFilter(label=_("Next step"), choices=DUE_CHOICES, method="filter_due")
    # Set by the links from a position's or a candidate's page.
    position = django_filters.ModelChoiceFilter(
        label=_("Position"), queryset=Position.objects.all(), widget=forms.HiddenInput
    )
    candidate = django_filters.ModelChoiceFilter(
        label=_("Candidate"), queryset=Candidate.objects.all(), widget=forms.HiddenInput
    )

    class Meta:
        model = Introduction
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Read once, as (id, name): as models through Django's select (300 employers) it took
        # 5 ms of the page, and validating read them a second time.
        with_introductions = Employer.objects.filter(
            Exists(Introduction.objects.filter(position__employer=OuterRef("pk")))
        )
        self.filters["employer"].extra["choices"] = [
            (str(pk), name) for pk, name in with_introductions.order_by("name", "pk").values_list("pk", "name")
        ]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(
                Q(candidate__first_name__icontains=word)
                | Q(candidate__last_name__icontains=word)
                | Q(position__title__icontains=word)
                | Q(position__employer__name__icontains=word)
            )
        return queryset

    def filter_stage(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(stage__in=pipeline.stages_of(value))

    def filter_due(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        today = timezone.localdate()
        queryset = queryset.filter(stage__in=pipeline.OPEN_STAGES, next_step_due__isnull=False)
        if value == OVERDUE:
            return queryset.filter(next_step_due__lt=today)
        return queryset.filter(next_step_due__lte=today + datetime.timedelta(days=7))
