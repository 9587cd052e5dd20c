"""The candidate list's search and filters (django-filter); the export uses the same set."""

from __future__ import annotations

import functools
from html import escape

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.forms.utils import flatatt
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters.conf import settings as filter_settings

from bridges.forms import person_choices
from bridges.models import CEFRLevel, Role, User
from bridges.widgets import PlainSelect, option_html
from candidates.models import (
    Candidate,
    CandidateLanguage,
    Consent,
    Perspective,
    Status,
    WorkExperience,
    WorkPermission,
)
from candidates.selectors import candidate_search, languages_by_use, occupation_ids_labelled, skill_ids_labelled


def _with_occupation(queryset: QuerySet, text: str) -> QuerySet:
    occupation_ids = occupation_ids_labelled(text)
    experienced = WorkExperience.objects.filter(candidate=OuterRef("pk"), occupation_id__in=occupation_ids)
    wanted = Candidate.desired_occupations.through.objects.filter(
        candidate_id=OuterRef("pk"), occupation_id__in=occupation_ids
    )
    return queryset.filter(Exists(experienced) | Exists(wanted))


def _with_skill(queryset: QuerySet, text: str) -> QuerySet:
    has_skill = Candidate.skills.through.objects.filter(
        candidate_id=OuterRef("pk"), skill_id__in=skill_ids_labelled(text)
    )
    return queryset.filter(Exists(has_skill))


class CountrySelect(PlainSelect):
    """The countries' options, written once per language and process (their names and order
    come with django-countries and the settings: they change with a deployment, not at run
    time); a request only marks the chosen one."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = [choice for choice in self.format_value(value) if choice]
        empty = option_html("", filter_settings.EMPTY_CHOICE_LABEL, {""} if not chosen else set())
        options = _country_options(translation.get_language() or settings.LANGUAGE_CODE)
        for choice in chosen:
            option = f'<option value="{escape(choice)}">'
            options = options.replace(option, f"{option[:-1]} selected>", 1)
        opening = format_html('<select name="{}"{}>', name, flatatt(attrs))
        return mark_safe(f"{opening}{empty}{options}</select>")  # every part is escaped


@functools.lru_cache(maxsize=16)
def _country_options(language: str) -> str:
    with translation.override(language):
        return "".join(option_html(code, name, set()) for code, name in countries)


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
        label=_("Language"), choices=[], method="filter_language", widget=PlainSelect(attrs={"data-searchable": ""})
    )
    min_level = django_filters.ChoiceFilter(
        label=_("Minimum level"), choices=CEFRLevel.choices, method="filter_noop", widget=PlainSelect()
    )
    country_of_origin = django_filters.ChoiceFilter(
        label=_("Country of origin"), choices=countries, widget=CountrySelect(attrs={"data-searchable": ""})
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, widget=PlainSelect())
    perspective = django_filters.ChoiceFilter(label=_("Perspective"), choices=Perspective.choices, widget=PlainSelect())
    work_permission = django_filters.ChoiceFilter(
        label=_("Work permission"), choices=WorkPermission.choices, widget=PlainSelect()
    )
    # ?consent=to_check lists the candidates whose standing consent to share names no single
    # organisation (free text from before consents named one): a case worker records a new one.
    consent = django_filters.ChoiceFilter(
        label=_("Consents"), choices=CONSENT_CHOICES, method="filter_consent", widget=PlainSelect()
    )
    # The choices are set per request, in __init__.
    case_worker = django_filters.ChoiceFilter(label=_("Case worker"), choices=[], widget=PlainSelect())
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
        # Read as values: a ModelChoiceFilter reads the users through a server-side cursor and
        # builds a model each, at validation and again at rendering (6 ms of the list page).
        # By name, as the candidate form chooses them; former staff too.
        staff = User.objects.filter(role__in=[Role.CASE_WORKER, Role.ADMIN])
        self.filters["case_worker"].extra["choices"] = person_choices(
            staff.order_by("first_name", "last_name", "email")
        )

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return candidate_search(queryset, value)

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
