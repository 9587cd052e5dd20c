"""Forms of the review: a decision on a pair (shortlist, dismiss with a reason, undo)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import MatchDecision


class DecisionForm(forms.Form):
    SHORTLIST, DISMISS, UNDO = "shortlist", "dismiss", "undo"

    action = forms.ChoiceField(
        choices=[(SHORTLIST, _("shortlist")), (DISMISS, _("dismiss")), (UNDO, _("undo"))],
        widget=forms.HiddenInput,
    )
    reason = forms.ChoiceField(
        label=_("Reason for the dismissal"),
        choices=[("", "---------"), *MatchDecision.Reason.choices],
        required=False,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("action") == self.DISMISS and not cleaned.get("reason"):
            self.add_error("reason", _("Please choose a reason: a dismissal is recorded only with its reason."))
        return cleaned


def dismiss_form(**kwargs) -> DecisionForm:
    """The dismissal form of the explanation page (the other actions are single buttons)."""
    return DecisionForm(initial={"action": DecisionForm.DISMISS}, **kwargs)
