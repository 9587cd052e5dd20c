"""Forms of the case workers' employer pages: the review decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReviewForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve the company")), (REJECT, _("Reject the company"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the company"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the company's users by e-mail. Required for a rejection."),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("decision") == self.REJECT and not cleaned.get("note", "").strip():
            self.add_error("note", _("Please give the company a reason for the rejection."))
        return cleaned

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == self.APPROVE
