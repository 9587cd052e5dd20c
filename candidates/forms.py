"""Forms for intake and for editing a candidate in sections. They validate and
return typed values; saving is the services' job."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridges.forms import PersonChoiceField
from bridges.formsets import LanguageChoicesFormSet, LanguageChoicesMixin, bounded_inlineformset_factory
from bridges.models import Occupation, Place, Region, Role, Skill, User
from bridges.widgets import AutocompleteSelect, AutocompleteSelectMultiple, valid_values
from candidates import rules
from candidates.models import (
    Budget,
    Candidate,
    CandidateLanguage,
    Consent,
    DrivingLicence,
    Education,
    MeasureKind,
    Note,
    PortalInvitation,
    SupportMeasure,
    SupportNeed,
    WorkExperience,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PHONE = re.compile(r"^\+?[0-9 ()/-]{6,30}$")


class PersonalForm(forms.ModelForm):
    class Meta:
        model = Candidate
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "gender",
            "email",
            "phone",
            "street",
            "postal_code",
            "place",
        ]
        widgets = {
            "date_of_birth": DATE,
            "place": AutocompleteSelect("taxonomy:places", search_label=_("Search town")),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = Place.objects.select_related("region")

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        if message := rules.date_of_birth_error(born):
            raise forms.ValidationError(message)
        return born

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("Enter a phone number with digits, spaces and + ( ) / - only."))
        return phone

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict:
        cleaned = super().clean()
        if message := rules.postal_code_error(cleaned.get("postal_code", "").strip(), cleaned.get("place")):
            self.add_error("postal_code", message)
        return cleaned


class LegalForm(forms.ModelForm):
    class Meta:
        model = Candidate
        fields = [
            "nationality",
            "country_of_origin",
            "region_of_origin",
            "residence_status",
            "residence_valid_until",
            "work_permission",
            "work_permission_valid_until",
        ]
        widgets = {
            "residence_valid_until": DATE,
            "work_permission_valid_until": DATE,
            "region_of_origin": AutocompleteSelect(
                "taxonomy:regions", search_label=_("Search region"), country_field="country_of_origin"
            ),
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        clean_legal(self, cleaned)
        return cleaned


def clean_legal(form: forms.ModelForm, cleaned: dict) -> None:
    """Rules on residence and work permission, shared by intake and the legal section."""
    if message := rules.work_permission_error(
        cleaned.get("work_permission"), cleaned.get("work_permission_valid_until")
    ):
        form.add_error("work_permission_valid_until", message)
    region, country = cleaned.get("region_of_origin"), cleaned.get("country_of_origin")
    if region and region.country != country:
        form.add_error("region_of_origin", _("The region must lie in the country of origin."))


class PerspectiveForm(forms.ModelForm):
    support_needs = forms.MultipleChoiceField(
        label=_("Support needs"), choices=SupportNeed.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Candidate
        fields = [
            "perspective",
            "return_country",
            "return_region",
            "support_needs",
            "support_needs_note",
            "case_worker",
            "status",
            "last_confirmed",
        ]
        field_classes = {"case_worker": PersonChoiceField}
        widgets = {
            "return_region": AutocompleteSelect(
                "taxonomy:regions", search_label=_("Search region"), country_field="return_country"
            ),
            "last_confirmed": DATE,
            "support_needs_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_worker"].queryset = User.objects.filter(
            role__in=[Role.CASE_WORKER, Role.ADMIN], is_active=True
        )

    def clean_last_confirmed(self) -> date | None:
        confirmed = self.cleaned_data["last_confirmed"]
        if confirmed and confirmed > timezone.localdate():
            raise forms.ValidationError(_("The profile cannot be confirmed in the future."))
        return confirmed

    def clean(self) -> dict:
        cleaned = super().clean()
        country = cleaned.get("return_country")
        if message := rules.return_country_error(cleaned.get("perspective"), country):
            self.add_error("return_country", message)
        region = cleaned.get("return_region")
        if region and region.country != country:
            self.add_error("return_region", _("The region must lie in the country of the return."))
        return cleaned


class ProfileForm(forms.ModelForm):
    """Skills and wishes: what matching reads most."""

    driving_licences = forms.MultipleChoiceField(
        label=_("Driving licences"), choices=DrivingLicence.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Candidate
        fields = [
            "desired_occupations",
            "skills",
            "driving_licences",
            "available_from",
            "desired_working_time",
            "max_commute_km",
            "willing_to_relocate",
            "relocation_regions",
        ]
        widgets = {
            "desired_occupations": AutocompleteSelectMultiple(
                "taxonomy:occupations", search_label=_("Search occupation")
            ),
            "skills": AutocompleteSelectMultiple("taxonomy:skills", search_label=_("Search skill")),
            "available_from": DATE,
            "relocation_regions": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["desired_occupations"].queryset = Occupation.objects.all()
        self.fields["skills"].queryset = Skill.objects.all()
        self.fields["relocation_regions"].queryset = Region.objects.filter(country="DE").order_by("name_de")

    def clean_available_from(self) -> date | None:
        available = self.cleaned_data["available_from"]
        unchanged = self.instance.pk and available == self.instance.available_from
        if available and available < timezone.localdate() and not unchanged:
            raise forms.ValidationError(
                _("This date is in the past. Leave it empty if the candidate is available now.")
            )
        return available

    def clean_max_commute_km(self) -> int | None:
        km = self.cleaned_data["max_commute_km"]
        if km is not None and km > 300:
            raise forms.ValidationError(_("Enter at most 300 km; for more, tick “willing to relocate”."))
        return km


class IntakeForm(PersonalForm):
    """Intake: personal data, legal status and perspective on one page."""

    confirm_new = forms.BooleanField(
        label=_("I have checked the possible duplicates: this is a different person."), required=False
    )

    class Meta(PersonalForm.Meta):
        fields = [
            *PersonalForm.Meta.fields,
            *LegalForm.Meta.fields,
            "perspective",
            "return_country",
        ]
        widgets = {**PersonalForm.Meta.widgets, **LegalForm.Meta.widgets}

    def clean(self) -> dict:
        cleaned = super().clean()
        clean_legal(self, cleaned)
        if message := rules.return_country_error(cleaned.get("perspective"), cleaned.get("return_country")):
            self.add_error("return_country", message)
        return cleaned


class LanguageForm(LanguageChoicesMixin, forms.ModelForm):
    class Meta:
        model = CandidateLanguage
        fields = ["language", "level"]


class EducationForm(forms.ModelForm):
    class Meta:
        model = Education
        fields = ["degree_level", "field", "institution", "country", "year_completed", "recognition"]

    def clean_year_completed(self) -> int | None:
        year = self.cleaned_data["year_completed"]
        if year and year > timezone.localdate().year + 5:
            raise forms.ValidationError(_("Please check the year."))
        return year


class ExperienceForm(forms.ModelForm):
    class Meta:
        model = WorkExperience
        fields = ["occupation", "job_title", "employer_name", "country", "start_date", "end_date", "years"]
        widgets = {
            "occupation": AutocompleteSelect("taxonomy:occupations", search_label=_("Search occupation")),
            "start_date": DATE,
            "end_date": DATE,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occupation"].queryset = Occupation.objects.all()

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and start > timezone.localdate():
            self.add_error("start_date", _("The start cannot be in the future."))
        if start and end and end < start:
            self.add_error("end_date", _("The end lies before the start."))
        if not (cleaned.get("occupation") or cleaned.get("job_title")) and self.has_changed():
            self.add_error("job_title", _("Name the occupation or the job title."))
        return cleaned


LanguageFormSet = bounded_inlineformset_factory(
    Candidate,
    CandidateLanguage,
    form=LanguageForm,
    formset=LanguageChoicesFormSet,
    extra=2,
    can_delete=True,
    max_rows=15,
)
EducationFormSet = bounded_inlineformset_factory(
    Candidate,
    Education,
    form=EducationForm,
    extra=1,
    can_delete=True,
    max_rows=20,
)
ExperienceFormSet = bounded_inlineformset_factory(
    Candidate,
    WorkExperience,
    form=ExperienceForm,
    extra=1,
    can_delete=True,
    max_rows=30,
)


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class ConsentForm(forms.ModelForm):
    """A consent as the candidate gave it. Sharing names one organisation, chosen by searching its
    name among all organisations (some 300); the other purposes name none."""

    class Meta:
        model = Consent
        fields = ["purpose", "employer", "wording_version", "method"]
        widgets = {"employer": AutocompleteSelect("candidates:employer_search", search_label=_("Search employer"))}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        employer = self.fields["employer"]
        employer.queryset = employer.queryset.order_by("name")
        employer.help_text = _("For sharing: the organisation the profile may go to. Leave empty for other purposes.")
        self.fields["wording_version"].help_text = _("The version of the consent text the candidate signed or heard.")

    @classmethod
    def prefill(cls, query) -> dict:
        """Initial values from a link (?purpose=sharing&employer=<id>): only valid ones are taken."""
        initial = {}
        if query.get("purpose") in Consent.Purpose.values:
            initial["purpose"] = query["purpose"]
        employer_ids = valid_values(Consent._meta.get_field("employer").target_field, [query.get("employer")])
        if employer_ids:
            initial["employer"] = employer_ids.pop()
            initial.setdefault("purpose", Consent.Purpose.SHARING)
        return initial

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("purpose") == Consent.Purpose.SHARING:
            if not cleaned.get("employer"):
                self.add_error("employer", _("Choose the employer the profile may be shared with."))
        elif cleaned.get("employer"):
            self.add_error("employer", _("Only a consent to sharing names an employer."))
        return cleaned


# The sections of the edit page: (slug, title, form class, formset class)
SECTIONS = {
    "personal": (_("Personal data"), PersonalForm, None),
    "legal": (_("Residence and work permission"), LegalForm, None),
    "languages": (_("Languages"), None, LanguageFormSet),
    "education": (_("Education"), None, EducationFormSet),
    "experience": (_("Work experience"), None, ExperienceFormSet),
    "profile": (_("Skills and wishes"), ProfileForm, None),
    "perspective": (_("Perspective and case"), PerspectiveForm, None),
}


class MeasureForm(forms.ModelForm):
    """Plan a support measure; the budget is found from its start year and kind."""

    class Meta:
        model = SupportMeasure
        fields = [
            "kind",
            "title",
            "provider",
            "start_date",
            "end_date",
            "planned_cost",
            "closes",
            "introduction",
            "position",
            "over_budget_reason",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "over_budget_reason": forms.Textarea(attrs={"rows": 2}),
            "position": forms.HiddenInput,
        }
        help_texts = {
            "over_budget_reason": _("Admins only: why this measure is planned although the budget does not cover it."),
        }

    funding_source = forms.ChoiceField(
        label=_("Funding source"),
        required=False,
        help_text=_("The budget is the one of the start year, the kind and this funding source."),
    )

    def __init__(self, *args, candidate: Candidate, admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["planned_cost"].min_value = 0
        # Only where an admin set up budgets per funding source is there a choice to make.
        sources = list(
            Budget.objects.exclude(funding_source="")
            .order_by("funding_source")
            .values_list("funding_source", flat=True)
        )
        if sources:
            self.fields["funding_source"].choices = [
                ("", _("general budget")),
                *((s, s) for s in dict.fromkeys(sources)),
            ]
        else:
            del self.fields["funding_source"]
        # Only this candidate's introductions, named by position and stage.
        introduction = self.fields["introduction"]
        introduction.queryset = candidate.introductions.select_related("position").order_by("-created_at")
        introduction.label_from_instance = lambda item: f"{item.position.title} ({item.get_stage_display()})"
        introduction.help_text = _("Optional: the introduction this measure prepares for.")
        if not admin:
            del self.fields["over_budget_reason"]

    @staticmethod
    def prefill(query) -> dict:
        """Initial values from a link, e.g. an explanation's gap: ?measure_kind=&measure_closes=&measure_position="""
        initial = {}
        if query.get("measure_kind") in MeasureKind.values:
            initial["kind"] = query["measure_kind"]
        if closes := query.get("measure_closes", "").strip():
            initial["closes"] = closes[:200]
            initial["title"] = closes[:200]
        if str(query.get("measure_position", "")).isdigit():
            initial["position"] = int(query["measure_position"])
        if str(query.get("measure_introduction", "")).isdigit():
            initial["introduction"] = int(query["measure_introduction"])
        return initial


class MeasureDoneForm(forms.Form):
    actual_cost = forms.DecimalField(label=_("actual cost (EUR)"), min_value=0, max_digits=10, decimal_places=2)


class ErasureForm(forms.Form):
    """The reason an erasure is recorded with (e.g. "request of 3 Nov by letter"); never a name."""

    reason = forms.CharField(
        label=_("Reason for the erasure"),
        max_length=200,
        help_text=_("For example: the person's request and its date. Do not enter the person's name."),
    )


class PortalInviteForm(forms.Form):
    """A case worker invites the candidate to their own view."""

    channel = forms.ChoiceField(
        label=_("Invite how"),
        choices=PortalInvitation.Channel.choices,
        initial=PortalInvitation.Channel.EMAIL,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation and the pages"),
        choices=settings.LANGUAGES,
        initial="de",
    )
