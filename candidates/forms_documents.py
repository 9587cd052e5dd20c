"""Upload forms: a candidate's document, and the file of a candidate import.

They validate what a form can see; the services check the content again
(candidates.documents, candidates.resources), since they must not trust a caller.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from candidates.documents import ACCEPT, ALLOWED_HINT, document_check_file
from candidates.models import Document
from candidates.resources import IMPORT_FORMATS, IMPORT_MAX_BYTES


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
