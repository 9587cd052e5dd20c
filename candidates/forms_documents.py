"""Upload forms: a candidate's document, and the file of a candidate import with the choices
for its rows that may be existing profiles.

They validate what a form can see; the services check the content again
(candidates.documents, candidates.resources), since they must not trust a caller.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from candidates.documents import ACCEPT, ALLOWED_HINT, document_check_file
from candidates.models import Candidate, Document, SupportMeasure
from candidates.resources import CREATE, IMPORT_FORMATS, IMPORT_MAX_BYTES, SKIP, UPDATE, Decision
from candidates.selectors import PossibleDuplicate


def _document_help() -> str:
    return _("%(allowed)s At most %(max)s.") % {
        "allowed": ALLOWED_HINT,
        "max": filesizeformat(settings.DOCUMENT_MAX_BYTES),
    }


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices, initial=Document.Kind.CV)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Optional, e.g. “Vocational certificate, translated”. Without a title the file name is shown."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=lazy(_document_help, str)(),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    measure = forms.ModelChoiceField(
        label=_("Support measure"),
        queryset=SupportMeasure.objects.none(),
        required=False,
        help_text=_("For an offer or invoice: the measure it belongs to."),
    )

    def __init__(self, *args, candidate: Candidate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        measures = candidate.measures.exclude(status=SupportMeasure.Status.CANCELLED) if candidate else None
        if measures is None or not measures.exists():
            del self.fields["measure"]
        else:
            self.fields["measure"].queryset = measures

    @staticmethod
    def prefill(query) -> dict:
        """Initial values from a link on a measure: ?measure=<id>&kind=invoice"""
        initial = {}
        if query.get("kind") in Document.Kind.values:
            initial["kind"] = query["kind"]
        if str(query.get("measure", "")).isdigit():
            initial["measure"] = int(query["measure"])
        return initial

    def clean_file(self) -> UploadedFile:
        uploaded = self.cleaned_data["file"]
        document_check_file(uploaded)
        return uploaded


class CandidateImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A CSV file (UTF-8) or an Excel workbook (XLSX) with one candidate per row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[(key, label) for key, (label, _ext, _type) in IMPORT_FORMATS.items()],
        initial="csv",
        widget=forms.RadioSelect,
    )

    def clean_file(self) -> UploadedFile:
        uploaded = self.cleaned_data["file"]
        if uploaded.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; an import file may be at most %(max)s."),
                params={"size": filesizeformat(uploaded.size), "max": filesizeformat(IMPORT_MAX_BYTES)},
            )
        return uploaded


class ImportDuplicatesForm(forms.Form):
    """For each imported row that may be an existing profile: skip it, update that profile, or
    create a new one. A row that repeats a profile exactly is skipped unless the case worker
    chooses otherwise; for the others the case worker must choose."""

    def __init__(
        self,
        *args,
        duplicates: Mapping[int, Sequence[PossibleDuplicate]],
        repeated: Collection[int] = (),
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The preview's table shows the row beside each choice; the label is for screen readers.
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_class = "visually-hidden"
        for number, possible in duplicates.items():
            choices = [(SKIP, _("Skip this row"))]
            choices += [
                (
                    f"{UPDATE}-{duplicate.candidate.pk}",
                    _("Update %(name)s with this row") % {"name": duplicate.candidate},
                )
                for duplicate in possible
            ]
            choices.append((CREATE, _("Create a new profile")))
            self.fields[f"row-{number}"] = forms.ChoiceField(
                label=_("What to do with row %(number)d") % {"number": number},
                choices=choices,
                initial=SKIP if number in repeated else None,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose what to do with this row.")},
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        updated: dict[int, list[int]] = {}
        for number, decision in self.decisions.items():
            if isinstance(decision, int):
                updated.setdefault(decision, []).append(number)
        for rows in updated.values():
            if len(rows) > 1:
                for number in rows:
                    self.add_error(f"row-{number}", _("Several rows would update the same profile: choose one."))
        return cleaned

    @property
    def decisions(self) -> dict[int, Decision]:
        """By row number in the file: SKIP, CREATE or the id of the profile to update."""
        decisions = {}
        for name, value in self.cleaned_data.items():
            number = int(name.removeprefix("row-"))
            action, _dash, pk = value.partition("-")
            decisions[number] = int(pk) if action == UPDATE else action
        return decisions
