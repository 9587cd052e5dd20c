"""Forms of the employer pages: the company profile, its regions and contacts, colleagues
and positions. They validate and return typed values; saving is the services' job.

No form has an `employer` field: the view takes the organisation from the user's
membership (or from the URL for case workers), so a tampered POST cannot move a
record into another organisation.
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.forms import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridges.formsets import LanguageChoicesFormSet, LanguageChoicesMixin, bounded_inlineformset_factory
from bridges.models import Occupation, Place, Region, Skill
from bridges.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from employers.models import (
    DRIVING_LICENCE_CHOICES,
    ContactPerson,
    Employer,
    EngagementRegion,
    LanguageRequirement,
    Position,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PHONE = re.compile(r"^\+?[0-9 ()/-]{6,30}$")
POSTAL_CODE = re.compile(r"^\d{5}$")


def _region_widget(country_field: str) -> AutocompleteSelect:
    return AutocompleteSelect("taxonomy:regions", search_label=_("Search region"), country_field=country_field)


def _use_region_widget(form: forms.BaseForm, country_field: str = "country") -> None:
    """Give the region field a search narrowed to the country chosen in the same form.

    Built per form because in a formset the country field is called e.g.
    "regions-0-country", and the widget has to name it in full.
    """
    field = form.fields["region"]
    field.widget = _region_widget(form.add_prefix(country_field))
    field.widget.is_required = field.required
    field.queryset = Region.objects.all()  # also hands the choices to the new widget


# --- the company ----------------------------------------------------------------------


class EmployerForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Employer
        fields = [
            "name",
            "legal_form",
            "sector",
            "size",
            "street",
            "postal_code",
            "place",
            "website",
            "description",
            "offers_training",
            "offers_language_courses",
        ]
        widgets = {
            "place": AutocompleteSelect("taxonomy:places", search_label=_("Search town")),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = Place.objects.select_related("region")

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_postal_code(self) -> str:
        postal_code = self.cleaned_data["postal_code"].strip()
        if not POSTAL_CODE.match(postal_code):
            raise forms.ValidationError(_("A German postal code has five digits."))
        return postal_code


class EngagementRegionForm(forms.ModelForm):
    class Meta:
        model = EngagementRegion
        fields = ["country", "region", "kind", "note"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _use_region_widget(self)

    def clean(self) -> dict:
        cleaned = super().clean()
        country, region = cleaned.get("country"), cleaned.get("region")
        if country == "DE":
            self.add_error(
                "country", _("Regions of engagement lie abroad; your site in Germany is part of the profile.")
            )
        if region and region.country != country:
            self.add_error("region", _("The region must lie in the country."))
        return cleaned


class EngagementRegionBaseFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        # Before the generic unique check, which misses rows without a region.
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            key = (form.cleaned_data.get("country"), form.cleaned_data.get("region"))
            if key in seen:
                form.add_error("region", _("This country and region are listed twice."))
            seen.add(key)
        super().clean()


EngagementRegionFormSet = bounded_inlineformset_factory(
    Employer,
    EngagementRegion,
    form=EngagementRegionForm,
    formset=EngagementRegionBaseFormSet,
    extra=1,
    can_delete=True,
    max_rows=50,
)


class ContactPersonForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = ["name", "role", "email", "phone", "is_public"]

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("Enter a phone number with digits, spaces and + ( ) / - only."))
        return phone

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("is_public") and not (cleaned.get("email") or cleaned.get("phone")):
            self.add_error("is_public", _("A public contact needs an e-mail address or a phone number."))
        return cleaned


ContactPersonFormSet = bounded_inlineformset_factory(
    Employer,
    ContactPerson,
    form=ContactPersonForm,
    extra=1,
    can_delete=True,
    max_rows=20,
)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of your colleague"))

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


# --- positions ------------------------------------------------------------------------


class WorkPermissionField(forms.ChoiceField):
    """Yes, no, or empty for what the place of work suggests; a checkbox's "on" counts as yes."""

    ALIASES = {"on": "yes", "true": "yes", "1": "yes", "off": "no", "false": "no", "0": "no"}

    def to_python(self, value) -> str:
        value = super().to_python(value)
        return self.ALIASES.get(value.lower(), value)


def work_permission_default(location: str | None) -> bool:
    # A position abroad needs no German work permission; one in Germany does.
    return location != Position.Location.ABROAD


# The position form's fields in the order of its page (templates/employers/position_form.html): the
# error summary at its top lists the errors in this order, so that it leads down the page.
POSITION_FIELDS = [
    "title",
    "position_type",
    "occupation",
    "description",
    "essential_skills",
    "optional_skills",
    "location",
    "postal_code",
    "place",
    "country",
    "region",
    "working_time",
    "hours_per_week",
    "openings",
    "start_date",
    "expires_on",
    "fixed_term",
    "salary_min",
    "salary_max",
    "driving_licence",
    "requires_work_permission",
    "provides_training",
    "provides_language_support",
    "suitable_for_career_changers",
]


class PositionForm(forms.ModelForm):
    # A choice rather than a checkbox: a checkbox left ticked cannot tell the server that the
    # employer never thought about it when the place of work changed to abroad.
    requires_work_permission = WorkPermissionField(
        label=_("Work permission in Germany needed"),
        choices=[
            ("", _("As the place of work suggests: in Germany yes, abroad no")),
            ("yes", _("yes")),
            ("no", _("no")),
        ],
        required=False,
    )
    driving_licence = forms.ChoiceField(
        label=_("Driving licence needed"),
        choices=DRIVING_LICENCE_CHOICES,
        required=False,
    )
    openings = forms.IntegerField(label=_("Number of openings"), min_value=1, max_value=999, initial=1)
    hours_per_week = forms.IntegerField(label=_("Hours per week"), min_value=1, max_value=60, required=False)
    essential_skills = forms.ModelMultipleChoiceField(
        label=_("Essential skills"),
        queryset=Skill.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple("taxonomy:skills", search_label=_("Search skill")),
        help_text=_("What a candidate must bring."),
    )
    optional_skills = forms.ModelMultipleChoiceField(
        label=_("Optional skills"),
        queryset=Skill.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple("taxonomy:skills", search_label=_("Search skill")),
        help_text=_("Nice to have; the programme can pay for training to close a gap."),
    )

    class Meta:
        model = Position
        fields = [name for name in POSITION_FIELDS if name not in ("essential_skills", "optional_skills")]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "place": AutocompleteSelect("taxonomy:places", search_label=_("Search town")),
            "start_date": DATE,
            "expires_on": DATE,
        }

    field_order = POSITION_FIELDS

    def __init__(self, *args, skills_url: str = "", **kwargs) -> None:
        """`skills_url`: where the occupation's skills come from when it changes (new positions only)."""
        super().__init__(*args, **kwargs)
        occupation_attrs = {}
        if skills_url:
            occupation_attrs = {
                "hx-get": skills_url,
                "hx-trigger": "change",
                "hx-target": "#position-skills",
                "hx-swap": "innerHTML",
            }
        occupation = self.fields["occupation"]
        occupation.widget = AutocompleteSelect(
            "taxonomy:occupations", search_label=_("Search occupation"), attrs=occupation_attrs
        )
        occupation.widget.is_required = True
        occupation.queryset = Occupation.objects.all()
        self.fields["place"].queryset = Place.objects.select_related("region")
        _use_region_widget(self)
        if not self.is_bound:
            needed = self.instance.requires_work_permission
            follows = needed == work_permission_default(self.instance.location)
            self.initial["requires_work_permission"] = "" if follows else ("yes" if needed else "no")
        if self.instance.pk and not self.is_bound:
            requirements = list(self.instance.skill_requirements.all())
            self.initial.setdefault(
                "essential_skills", [r.skill_id for r in requirements if r.relation_type == "essential"]
            )
            self.initial.setdefault(
                "optional_skills", [r.skill_id for r in requirements if r.relation_type == "optional"]
            )

    def _is_new_or_changed(self, name: str, value) -> bool:
        return self.instance.pk is None or getattr(self.instance, name) != value

    def clean_start_date(self) -> date | None:
        start = self.cleaned_data["start_date"]
        # An existing position keeps its start date even once it has passed.
        if start and start < timezone.localdate() and self._is_new_or_changed("start_date", start):
            raise forms.ValidationError(_("The start date cannot be in the past."))
        return start

    def clean_expires_on(self) -> date | None:
        expires = self.cleaned_data["expires_on"]
        if expires and expires < timezone.localdate() and self._is_new_or_changed("expires_on", expires):
            raise forms.ValidationError(_("The closing date cannot be in the past."))
        return expires

    def clean_postal_code(self) -> str:
        return self.cleaned_data["postal_code"].strip()

    def clean(self) -> dict:
        cleaned = super().clean()
        choice = cleaned.get("requires_work_permission")
        if choice == "":
            cleaned["requires_work_permission"] = work_permission_default(cleaned.get("location"))
        elif choice is not None:
            cleaned["requires_work_permission"] = choice == "yes"
        self._clean_salary(cleaned)
        if cleaned.get("location") == Position.Location.ABROAD:
            self._clean_abroad(cleaned)
        elif cleaned.get("location") == Position.Location.GERMANY:
            self._clean_germany(cleaned)
        essential = set(cleaned.get("essential_skills") or [])
        both = essential & set(cleaned.get("optional_skills") or [])
        if both:
            names = ", ".join(sorted(skill.label for skill in both))
            self.add_error(
                "optional_skills",
                _("A skill is either essential or optional, not both: %(skills)s.") % {"skills": names},
            )
        return cleaned

    def _clean_salary(self, cleaned: dict) -> None:
        low, high = cleaned.get("salary_min"), cleaned.get("salary_max")
        if low is not None and high is not None and low > high:
            self.add_error("salary_max", _("The upper end of the salary is below the lower end."))

    def _clean_abroad(self, cleaned: dict) -> None:
        country, region = cleaned.get("country"), cleaned.get("region")
        if not country:
            self.add_error("country", _("A position abroad needs the country."))
        elif country == "DE":
            self.add_error("country", _("For a position in Germany choose “in Germany” as the place of work."))
        if region and region.country != country:
            self.add_error("region", _("The region must lie in the country."))
        # A town and postal code in Germany do not belong to a position abroad.
        cleaned["postal_code"], cleaned["place"] = "", None

    def _clean_germany(self, cleaned: dict) -> None:
        postal_code, place = cleaned.get("postal_code", ""), cleaned.get("place")
        if not postal_code:
            self.add_error("postal_code", _("A position in Germany needs the postal code."))
        elif not POSTAL_CODE.match(postal_code):
            self.add_error("postal_code", _("A German postal code has five digits."))
        if place is None and "place" not in self.errors:
            self.add_error("place", _("A position in Germany needs the town."))
        elif place is not None and place.country != "DE":
            self.add_error("place", _("Choose a town in Germany, or set the place of work to “abroad”."))
        cleaned["country"], cleaned["region"] = "", None

    def skills(self) -> list[tuple[int, str]]:
        """The chosen skills as (skill id, relation), as the service takes them."""
        return [(skill.pk, "essential") for skill in self.cleaned_data["essential_skills"]] + [
            (skill.pk, "optional") for skill in self.cleaned_data["optional_skills"]
        ]


class LanguageRequirementForm(LanguageChoicesMixin, forms.ModelForm):
    class Meta:
        model = LanguageRequirement
        fields = ["language", "min_level", "required"]


class LanguageRequirementBaseFormSet(LanguageChoicesFormSet):
    def clean(self) -> None:
        # Before the generic unique check, which would only say "duplicate data".
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            language = form.cleaned_data.get("language")
            if language is None:
                continue
            if language in seen:
                form.add_error("language", _("Each language can be required only once."))
            seen.add(language)
        super().clean()


LanguageRequirementFormSet = bounded_inlineformset_factory(
    Position,
    LanguageRequirement,
    form=LanguageRequirementForm,
    formset=LanguageRequirementBaseFormSet,
    extra=2,
    can_delete=True,
    max_rows=10,
)
