"""Forms of the employer's side of introductions: the list's filter and the employer's answers
(interested, offer, declined with a reason, interview dates). They validate what a person typed;
the services in `matching.introductions` decide whether the move is allowed."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching import pipeline
from matching.employer_introduction_selectors import ALL, OPEN, WAITING
from matching.introductions import Slot
from matching.pipeline import Stage

# datetime-local sends "2026-05-04T10:30"; Django reads it in the current time zone (Europe/Berlin).
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_SLOTS = 3


def _comment(label=None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Comment for the programme (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class IntroductionFilterForm(forms.Form):
    """Which introductions the list shows: of one position or all, open ones by default."""

    position = forms.ModelChoiceField(
        label=_("Position"), queryset=None, required=False, empty_label=_("All positions")
    )
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[(OPEN, _("open")), (WAITING, _("waiting for your answer")), (ALL, _("all, including closed"))],
    )

    def __init__(self, *args, positions: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].queryset = positions
        self.fields["position"].label_from_instance = lambda position: position.title  # one company: no name

    def filters(self) -> dict:
        """The valid choices (an invalid one is ignored and shown as an error)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"position": data.get("position"), "stage": data.get("stage") or OPEN}


class AnswerForm(forms.Form):
    """Interested, or an offer: a move with an optional comment."""

    comment = _comment()


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=(),
        error_messages={"required": _("Please choose a reason: a decline is recorded only with its reason.")},
    )
    comment = _comment()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [
            ("", "---------"),
            *((code, pipeline.employer_reason_label(code)) for code in pipeline.reasons_for(Stage.DECLINED)),
        ]


class SlotForm(forms.Form):
    """One proposed interview date: date and time, and a place or an online link."""

    starts_at = forms.DateTimeField(label=_("Date and time"), required=False, widget=DATETIME)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    online_link = forms.URLField(label=_("Online link"), required=False, max_length=200, assume_scheme="https")

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors or not any(cleaned.get(name) for name in ("starts_at", "place", "online_link")):
            return cleaned  # an empty row is no proposal
        starts_at = cleaned.get("starts_at")
        if starts_at is None:
            self.add_error("starts_at", _("Give the date and time."))
        elif starts_at <= timezone.now():
            self.add_error("starts_at", _("Propose a date in the future."))
        if not cleaned.get("place") and not cleaned.get("online_link"):
            self.add_error("place", _("Give a place or an online link."))
        return cleaned

    def slot(self) -> Slot | None:
        data = getattr(self, "cleaned_data", {})
        if not data.get("starts_at"):
            return None
        return Slot(starts_at=data["starts_at"], place=data.get("place", ""), online_link=data.get("online_link", ""))


class BaseSlotFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.slots():
            raise ValidationError(_("Propose at least one date."), code="empty")

    def slots(self) -> list[Slot]:
        return [slot for form in self.forms if (slot := form.slot()) is not None]


SlotFormSet = forms.formset_factory(
    SlotForm,
    formset=BaseSlotFormSet,
    extra=MAX_SLOTS,
    max_num=MAX_SLOTS,
    absolute_max=MAX_SLOTS,
    validate_max=True,
)


class InterviewProposalForm(forms.Form):
    comment = _comment(_("Comment, e.g. whom to ask for (optional)"))
