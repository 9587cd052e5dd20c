"""`{% error_summary form formset … %}`: the errors of a form sent back, at its top, announced and
focused (role="alert", autofocus), each linking to its field — so that a keyboard or screen-reader
user learns at once what to fix and gets there in one step (WCAG 3.3.1, 4.1.3)."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.forms import BaseForm, BaseFormSet
from django.utils.translation import gettext as _

register = template.Library()


@dataclass
class Entry:
    field_id: str  # "" for an error of the whole form
    label: str
    message: str


def _form_entries(form: BaseForm, prefix: str = "", *, form_errors: bool = True) -> list[Entry]:
    entries = [Entry("", prefix, str(message)) for message in form.non_field_errors()] if form_errors else []
    for field in form:
        label = f"{prefix}: {field.label}" if prefix else str(field.label)
        entries += [Entry(field.id_for_label or "", label, str(message)) for message in field.errors]
    return entries


@register.inclusion_tag("_error_summary.html")
def error_summary(*forms, form_errors: bool = True, level: int = 2) -> dict:
    """`form_errors=False` where crispy-forms shows a form's own errors above its fields already;
    `level`: the heading's level, one below the heading of the form's own section."""
    entries: list[Entry] = []
    for form in forms:
        if isinstance(form, BaseFormSet):
            entries += [Entry("", "", str(message)) for message in form.non_form_errors()]
            for number, entry in enumerate(form.forms, start=1):
                entries += _form_entries(entry, _("Entry %(number)s") % {"number": number})
        elif isinstance(form, BaseForm):
            entries += _form_entries(form, form_errors=form_errors)
    return {"entries": entries, "level": level}
