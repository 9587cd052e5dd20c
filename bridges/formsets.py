"""Inline formsets with a ceiling, for every formset of the portal; language rows that share
their options.

A POST may claim any TOTAL_FORMS; without `absolute_max` Django builds and validates up to
1,000 forms above `max_num` per request (one employer could keep a worker busy for half a
minute). With the ceiling, more rows than `max_rows` are a form error.
"""

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.functional import cached_property

from bridges.models import Language


def bounded_inlineformset_factory(parent_model, model, *, max_rows: int, **kwargs):
    """`inlineformset_factory` that refuses more than `max_rows` rows and never builds more forms."""
    return inlineformset_factory(
        parent_model, model, max_num=max_rows, absolute_max=max_rows, validate_max=True, **kwargs
    )


class LanguageChoicesMixin:
    """For a form with a `language` select (about 190 languages): takes the options from its
    formset (`language_choices`), so that a formset of several rows reads them once."""

    def __init__(self, *args, language_choices: list | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        field.queryset = Language.objects.in_name_order()  # the options, and what a posted value is checked against
        if language_choices is not None:
            field.widget.choices = language_choices


class LanguageChoicesFormSet(BaseInlineFormSet):
    """An inline formset whose forms (`LanguageChoicesMixin`) share one list of language options:
    a position with four language rows read and wrapped the 190 languages five times (with the
    empty form), a query and some 10 ms each."""

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "language_choices": self._language_choices}

    @cached_property
    def _language_choices(self) -> list:
        return list(forms.ModelChoiceField(queryset=Language.objects.in_name_order()).choices)
