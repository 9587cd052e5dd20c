"""The candidate list's search and filters (django-filter); the export uses the same set."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from bridges.models import CEFRLevel, OccupationLabel, Role, SkillLabel, User
from candidates.models import (
    Candidate,
    CandidateLanguage,
    Consent,
    Perspective,
    Status,
    WorkExperience,
    WorkPermission,
)
from candidates.selectors import languages_by_use


def _occupation_ids_matching(text: str) -> QuerySet:
    return OccupationLabel.objects.filter(text__icontains=text).values("occupation_id")


def _skill_ids_matching(text: str) -> QuerySet:
    return SkillLabel.objects.filter(text__icontains=text).values("skill_id")


def _with_occupation(queryset: QuerySet, text: str) -> QuerySet:
    occupation_ids = _occupation_ids_matching(text)
    experienced = WorkExperience.objects.filter(candidate=OuterRef("pk"), occupation_id__in=occupation_ids)
    wanted = Candidate.desired_occupations.through.objects.filter(
        candidate_id=OuterRef("pk"), occupation_id__in=occupation_ids
    )
    return queryset.filter(Exists(experienced) | Exists(wanted))


def _with_skill(queryset: QuerySet, text: str) -> QuerySet:
    has_skill = Candidate.skills.through.objects.filter(
        candidate_id=OuterRef("pk"), skill_id__in=_skill_ids_matching(text)
    )
    return queryset.filter(Exists(has_skill))


CONSENT_CHOICES = [
    ("to_check", _("to check (free text)")),
    ("sharing", _("sharing allowed")),
    ("profiling", _("anonymised profile: yes")),
    ("no_profiling", _("anonymised profile: no")),
]


def _standing(**lookups) -> Exists:
    return Exists(Consent.objects.active().filter(candidate=OuterRef("pk"), **lookups))


class CandidateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    occupation = django_filters.CharFilter(label=_("Occupation"), method="filter_occupation")
    skill = django_filters.CharFilter(label=_("Skill"), method="filter_skill")
    # The choices are set per request, in __init__.
    # Searchable (static/js/autocomplete.js): type a few letters of any of some 190 languages.
    language = django_filters.ChoiceFilter(
        label=_("Language"), choices=[], method="filter_language", widget=forms.Select(attrs={"data-searchable": ""})
    )
    min_level = django_filters.ChoiceFilter(label=_("Minimum level"), choices=CEFRLevel.choices, method="filter_noop")
    country_of_origin = django_filters.ChoiceFilter(
        label=_("Country of origin"), choices=countries, widget=forms.Select(attrs={"data-searchable": ""})
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    perspective = django_filters.ChoiceFilter(label=_("Perspective"), choices=Perspective.choices)
    work_permission = django_filters.ChoiceFilter(label=_("Work permission"), choices=WorkPermission.choices)
    # ?consent=to_check lists the candidates whose standing consent to share names no single
    # organisation (free text from before consents named one): a case worker records a new one.
    consent = django_filters.ChoiceFilter(label=_("Consents"), choices=CONSENT_CHOICES, method="filter_consent")
    case_worker = django_filters.ModelChoiceFilter(
        label=_("Case worker"), queryset=User.objects.filter(role__in=[Role.CASE_WORKER, Role.ADMIN])
    )
    available_by = django_filters.DateFilter(
        label=_("Available by"),
        method="filter_available_by",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=[("last_name", "name"), ("available_from", "available"), ("updated_at", "changed")],
        # django-filter keys the ascending labels by model field, the descending ones by parameter.
        field_labels={
            "last_name": _("Name"),
            "-name": _("Name (descending)"),
            "available_from": _("Available from"),
            "-available": _("Available from (descending)"),
            "updated_at": _("Last change (oldest first)"),
            "-changed": _("Last change"),
        },
    )

    class Meta:
        model = Candidate
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Of some 190 languages, the few the candidates speak come first. The options are read
        # once here, in one query, so that rendering and validating the form query nothing more.
        in_use, others = languages_by_use()
        self.filters["language"].extra["choices"] = [
            (_("Languages of the candidates"), [(str(language.pk), language.name) for language in in_use]),
            (_("All other languages"), [(str(language.pk), language.name) for language in others]),
        ]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            by_person = (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(phone__icontains=word)
                | Q(place__name__icontains=word)
            )
            occupation_ids = _occupation_ids_matching(word)
            by_work = Exists(
                Candidate.desired_occupations.through.objects.filter(
                    candidate_id=OuterRef("pk"), occupation_id__in=occupation_ids
                )
            ) | Exists(WorkExperience.objects.filter(candidate=OuterRef("pk"), occupation_id__in=occupation_ids))
            by_skill = Exists(
                Candidate.skills.through.objects.filter(
                    candidate_id=OuterRef("pk"), skill_id__in=_skill_ids_matching(word)
                )
            )
            queryset = queryset.filter(by_person | by_work | by_skill)
        return queryset

    def filter_occupation(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _with_occupation(queryset, value.strip())

    def filter_skill(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _with_skill(queryset, value.strip())

    def filter_language(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        level = int(self.form.cleaned_data.get("min_level") or CEFRLevel.A1)
        speaks = CandidateLanguage.objects.filter(candidate=OuterRef("pk"), language_id=value, level__gte=level)
        return queryset.filter(Exists(speaks))

    def filter_consent(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        sharing = Consent.Purpose.SHARING
        condition = {
            "to_check": _standing(purpose=sharing, needs_review=True),
            "sharing": _standing(purpose=sharing, employer__isnull=False),
            "profiling": _standing(purpose=Consent.Purpose.PROFILING),
            "no_profiling": ~_standing(purpose=Consent.Purpose.PROFILING),
        }[value]
        return queryset.filter(condition)

    def filter_noop(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # The minimum level only qualifies the language filter.
        return queryset

    def filter_available_by(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(Q(available_from__isnull=True) | Q(available_from__lte=value))
