"""Autocomplete widgets for large vocabularies (occupations, skills, towns, regions).

The widget is a native <select> that holds only the chosen values, plus a search
box whose htmx request fills the select with matches from the server; it works
with the keyboard, and each part has a label. The multi-value widget is enhanced
by Tom Select (static/js/autocomplete.js): one search box, the chosen values as
chips with a remove button, Enter adds, and changes are announced. The select
still posts the values, and without JavaScript it is a list box with a hint.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse


def valid_values(field: models.Field, values: Iterable) -> set:
    """The values that are a valid `field` value (e.g. an id), converted; the rest dropped."""
    valid = set()
    for value in values:
        if value in (None, ""):
            continue
        try:
            valid.add(field.to_python(value))
        except ValidationError:
            continue
    return valid


class AutocompleteMixin:
    template_name = "widgets/autocomplete.html"

    def __init__(self, source: str, attrs=None, search_label: str = "", country_field: str = "", **kwargs) -> None:
        self.source = source  # URL name of the view that answers with <option> elements
        self.search_label = search_label
        self.country_field = country_field  # for regions: the form field whose country narrows the search
        super().__init__(attrs=attrs, **kwargs)

    def optgroups(self, name, value, attrs=None):
        # Render only the selected options: the full vocabulary has thousands of rows.
        queryset = getattr(self.choices, "queryset", None)
        groups = []
        if queryset is None:
            return groups
        # A re-shown form carries what was posted, which need not be an id at all;
        # the field reports that as its error, the widget just shows nothing for it.
        selected = valid_values(queryset.model._meta.pk, value)
        if selected:
            for index, obj in enumerate(queryset.filter(pk__in=selected)):
                option = self.create_option(name, obj.pk, str(obj), True, index, attrs=attrs)
                groups.append((None, [option], index))
        return groups

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["source_url"] = reverse(self.source)
        widget["search_id"] = f"{widget['attrs'].get('id', name)}_search"
        widget["search_label"] = self.search_label
        widget["multiple"] = self.allow_multiple_selected
        widget["country_field"] = self.country_field
        if self.allow_multiple_selected:
            widget["attrs"].setdefault("size", 6)
        return context


class AutocompleteSelect(AutocompleteMixin, forms.Select):
    pass


class AutocompleteSelectMultiple(AutocompleteMixin, forms.SelectMultiple):
    pass
