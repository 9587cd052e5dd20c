"""Autocomplete widgets for large vocabularies (occupations, skills, towns, regions), and a plain
<select> written in Python for long lists of filter choices (`PlainSelect`).

The widget is a native <select> that holds only the chosen values, plus a search
box whose htmx request fills the select with matches from the server; it works
with the keyboard, and each part has a label. The multi-value widget is enhanced
by Tom Select (static/js/autocomplete.js): one search box, the chosen values as
chips with a remove button, Enter adds, and changes are announced. The select
still posts the values, and without JavaScript it is a list box with a hint.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe


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


class PlainSelect(forms.Select):
    """A <select> whose options are written in Python from plain (value, label) choices, not through
    Django's template per option and not from model instances: the countries (about 250) and
    languages (about 190) of the candidate list's sidebar took most of the page's time that way,
    and a choice of 300 employers built 300 models. Same markup: the attributes (id, class,
    data-…) as Django writes them, values and labels escaped, optgroups kept, the chosen value
    `selected`; the label is the form's <label for=…>, as before."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = set(self.format_value(value))
        html = [format_html('<select name="{}"{}>', name, flatatt(attrs))]
        for group, options in self.choices:
            if isinstance(options, list | tuple):
                html.append(f'<optgroup label="{escape(str(group))}">')
                html.extend(option_html(option, label, chosen) for option, label in options)
                html.append("</optgroup>")
            else:
                html.append(option_html(group, options, chosen))
        html.append("</select>")
        return mark_safe("".join(html))  # every part is escaped


def option_html(value, label, chosen: set[str]) -> str:
    """One <option>, `selected` when its value is among `chosen`."""
    value = "" if value is None else str(value)
    selected = " selected" if value in chosen else ""
    return f'<option value="{escape(value)}"{selected}>{escape(str(label))}</option>'
