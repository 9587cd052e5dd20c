"""Forms of the case workers' introduction pages. They validate and return typed values; the
services in `matching.introductions` decide (consent, the stage table, dates) and their
ValidationErrors are added back to the form (`bridges.forms.add_service_error`)."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridges.forms import PersonChoiceField
from candidates.models import Candidate
from matching import pipeline
from matching.introduction_queries import case_workers, open_positions
from matching.introductions import DEFAULT_NEXT_STEP, Slot, introduction_create
from matching.models import FollowUp, Introduction, Placement, SharedSection
from matching.pipeline import Reason, Stage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
# What `introduction_create` sets when no next step is given; shown so the person can change it.
DEFAULT_DUE_DAYS = 7
# Marks the positions whose organisation the candidate consented to share the profile with.
CONSENT_MARK = _("consent on record")


class PositionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.employer.name} – {obj.title} ({obj.get_location_display()}: {obj.where or '–'})"


class _SharingFields(forms.Form):
    """What the employer will see: sections of the profile and documents (the name always goes)."""

    sections = forms.MultipleChoiceField(
        label=_("Profile sections to share"),
        choices=SharedSection.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The employer always sees the name; nothing else unless you choose it here."),
    )
    documents = forms.ModelMultipleChoiceField(
        label=_("Documents to share"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, candidate: Candidate, documents=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # `documents` may be the candidate's documents already loaded; the field still filters by candidate.
        self.fields["documents"].queryset = candidate.documents.order_by("-uploaded_at", "pk")
        if documents is not None:
            self.fields["documents"].choices = [(doc.pk, str(doc)) for doc in documents]
        self.fields["documents"].label_from_instance = lambda doc: f"{doc} ({doc.get_kind_display()})"


class IntroduceForm(_SharingFields):
    """Introduce a candidate to one position."""

    message = forms.CharField(
        label=_("Message to the employer"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    next_step_due = forms.DateField(label=_("Next step due"), widget=DATE, required=False)
    case_worker = PersonChoiceField(label=_("Responsible case worker"), queryset=None, required=False)

    def __init__(self, *args, candidate: Candidate, actor, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "next_step": DEFAULT_NEXT_STEP,
                "next_step_due": timezone.localdate() + datetime.timedelta(days=DEFAULT_DUE_DAYS),
                "case_worker": candidate.case_worker_id or actor.pk,
            },
        )
        super().__init__(*args, candidate=candidate, **kwargs)
        self.fields["case_worker"].queryset = case_workers()
        self.fields["documents"].label_from_instance = lambda doc: f"{doc} ({doc.get_kind_display()})"

    def introduce(self, *, candidate: Candidate, position, actor) -> Introduction:
        """The introduction this valid form asks for, made by `introduction_create` (which decides:
        consent, an open position, the matching rules; its ValidationError goes to the caller)."""
        data = self.cleaned_data
        return introduction_create(
            candidate=candidate,
            position=position,
            actor=actor,
            sections=data["sections"],
            documents=list(data["documents"]),
            message=data["message"],
            next_step=data["next_step"],
            next_step_due=data["next_step_due"],
            case_worker=data["case_worker"],
        )


class ChoosePositionForm(forms.Form):
    """The first step of introducing directly from the candidate: the open position."""

    position = PositionChoiceField(label=_("Open position"), queryset=None, empty_label=_("Choose a position"))

    def __init__(self, *args, consented: set[int] = frozenset(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["position"]
        field.queryset = open_positions()

        def label(position) -> str:
            text = PositionChoiceField.label_from_instance(field, position)
            if position.employer_id in consented:
                return f"{text} · {CONSENT_MARK}"
            return text

        field.label_from_instance = label


class SharingForm(_SharingFields):
    """Change what the employer sees of an open introduction."""


def _reason_choices() -> list:
    """Every reason, grouped by the closing stage that takes it (a select with optgroups)."""
    return [("", "---------")] + [
        (Stage(stage).label, pipeline.reason_choices(stage)) for stage in pipeline.CLOSING_STAGES
    ]


class MoveForm(forms.Form):
    """Move an introduction to another stage (only the moves the table allows case workers,
    except "placed", which the placement form records)."""

    to = forms.ChoiceField(label=_("New stage"))
    reason = forms.ChoiceField(label=_("Reason (for closing stages)"), required=False, choices=())
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, introduction: Introduction, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        targets = [to for to in pipeline.allowed(introduction.stage, actor=pipeline.STAFF) if to != Stage.PLACED]
        self.fields["to"].choices = [(to, Stage(to).label) for to in targets]
        self.fields["reason"].choices = _reason_choices()
        self.targets = targets

    def clean(self) -> dict:
        cleaned = super().clean()
        to, reason = cleaned.get("to"), cleaned.get("reason")
        if to and pipeline.reasons_for(to) and reason not in pipeline.reasons_for(to):
            self.add_error(
                "reason",
                _("Choose a reason that fits “%(stage)s”: %(reasons)s.")
                % {
                    "stage": Stage(to).label,
                    "reasons": ", ".join(str(label) for _c, label in pipeline.reason_choices(to)),
                },
            )
        return cleaned


class NextStepForm(forms.Form):
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    due = forms.DateField(label=_("Due"), widget=DATE, required=False)
    case_worker = PersonChoiceField(label=_("Responsible case worker"), queryset=None, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_worker"].queryset = case_workers()


class InterviewProposeForm(forms.Form):
    """A case worker proposes up to three interview dates at one place or online."""

    starts_at_1 = forms.DateTimeField(label=_("Date and time"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    starts_at_2 = forms.DateTimeField(
        label=_("Another date (optional)"), widget=DATETIME, input_formats=DATETIME_FORMATS, required=False
    )
    starts_at_3 = forms.DateTimeField(
        label=_("A third date (optional)"), widget=DATETIME, input_formats=DATETIME_FORMATS, required=False
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_link = forms.URLField(label=_("Online link"), max_length=200, required=False, assume_scheme="https")
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("place") or cleaned.get("online_link")):
            raise ValidationError(_("Give a place or an online link."))
        return cleaned

    def slots(self) -> list[Slot]:
        data = self.cleaned_data
        return [
            Slot(starts_at=data[name], place=data["place"], online_link=data["online_link"])
            for name in ("starts_at_1", "starts_at_2", "starts_at_3")
            if data.get(name)
        ]


class PlacementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Placement.Kind.choices)
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    place = forms.CharField(label=_("Place of work"), max_length=200)
    fixed_term = forms.BooleanField(label=_("Fixed-term"), required=False)
    end_date = forms.DateField(label=_("End date"), widget=DATE, required=False)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if cleaned.get("fixed_term") and not end and "end_date" not in self.errors:
            self.add_error("end_date", _("A fixed-term placement needs an end date."))
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return cleaned


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "---------"), *FollowUp.Outcome.choices])
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


CLOSE_REASONS = [
    *pipeline.reason_choices(Stage.CLOSED),
    (Reason.CANDIDATE_WITHDREW, Reason.CANDIDATE_WITHDREW.label),
]


class BulkForm(forms.Form):
    """An action on the checked rows of the list: close with a reason, or assign a case worker."""

    CLOSE, ASSIGN = "close", "assign"

    action = forms.ChoiceField(
        label=_("Action"), choices=[(CLOSE, _("Close with a reason")), (ASSIGN, _("Assign a case worker"))]
    )
    introductions = forms.ModelMultipleChoiceField(
        label=_("Introductions"), queryset=Introduction.objects.none(), widget=forms.MultipleHiddenInput
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "---------"), *CLOSE_REASONS], required=False)
    case_worker = PersonChoiceField(label=_("Case worker"), queryset=None, required=False)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)

    def __init__(self, *args, queryset, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["introductions"].queryset = queryset
        self.fields["introductions"].error_messages["required"] = _("Check at least one introduction.")
        self.fields["case_worker"].queryset = case_workers()
        # Laid out by hand beside the table of checkboxes (templates/matching/introductions/list.html).
        for name in ("action", "reason", "case_worker"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["comment"].widget.attrs["class"] = "form-control"

    def clean(self) -> dict:
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == self.CLOSE and not cleaned.get("reason"):
            self.add_error("reason", _("Choose the reason for closing."))
        if action == self.ASSIGN and not cleaned.get("case_worker"):
            self.add_error("case_worker", _("Choose the case worker."))
        return cleaned
