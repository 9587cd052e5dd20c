"""The form renderer: Django's `TemplatesSetting`, with <select>, <input> and <textarea> elements
written in Python.

Django renders a select through a template per option (`select_option.html`, which includes
`attrs.html`): a country field (about 250 options) or a language field (about 190) costs a few
milliseconds each, and a form with several of them spent most of its page's time there (the
position form: 60 % of 170 ms). An input goes through three templates (`text.html` includes
`input.html`, which includes `attrs.html`), about 0.1 ms each time: the position form's 28 inputs
3–4 ms. This renderer writes exactly what those templates write (the tests compare the two byte
for byte) whenever they are Django's own; a project template that overrides one of them, or a
widget with other option templates, goes through the templates as before.

Its bound fields (`BoundField`, Django's `bound_field_class`) give each textarea `dir="auto"`, in
the widget's attributes that crispy's template, `{% plain_field %}` and either way of writing the
textarea all read.
"""

from __future__ import annotations

import html

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

WIDGETS = "django/forms/widgets/"
SELECT = WIDGETS + "select.html"
OPTION = WIDGETS + "select_option.html"
INPUT = WIDGETS + "input.html"
ATTRS = WIDGETS + "attrs.html"
TEXTAREA = WIDGETS + "textarea.html"
# Django's templates of these input types are `{% include "django/forms/widgets/input.html" %}`.
INPUT_TYPES = "checkbox color date datetime email hidden number password search tel text time url"
INPUTS = frozenset(f"{WIDGETS}{name}.html" for name in INPUT_TYPES.split())


def _text(value) -> str:
    """`{{ value }}`: localized (a number or a date in a label), then escaped unless safe."""
    if type(value) is str:  # most labels and values: what escape() does, without its wrappers
        return html.escape(value)
    return conditional_escape(localize(value))


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: the value as str() writes it, not localized; escaped unless safe."""
    return value if isinstance(value, SafeData) else html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{_formatted(value)}"')
    return "".join(parts)


def _option(option: dict) -> str:
    """select_option.html, with the newline that ends the file."""
    value = str(option["value"])
    value = value if hasattr(value, "__html__") else html.escape(value)
    attrs = _attrs(option["attrs"]) if option["attrs"] else ""
    return f'<option value="{value}"{attrs}>{_text(option["label"])}</option>\n'


def render_select(widget: dict) -> str:
    """select.html for the widget's context (`widget` as `Widget.get_context` makes it), stripped
    as the renderer strips every template's output."""
    html = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            html.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            html.append(f"\n  {_option(option)}")
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>")
    return "".join(html).strip()


def render_input(widget: dict) -> str:
    """input.html (with attrs.html) for the widget's context."""
    value = widget["value"]
    value = "" if value is None else f' value="{_formatted(value)}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def render_textarea(widget: dict) -> str:
    """textarea.html (with attrs.html) for the widget's context, stripped."""
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


class BoundField(forms.BoundField):
    """Every form's bound field: a textarea's free text takes the direction of its first letter
    (`dir="auto"`), so that a German description on an Arabic page, or an Arabic one on a German
    page, keeps its punctuation where it belongs (the final full stop stood on the left)."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, forms.Textarea) and "dir" not in widget.attrs:
            attrs.setdefault("dir", "auto")
        return attrs


class FormRenderer(TemplatesSetting):
    bound_field_class = BoundField

    def render(self, template_name, context, request=None):
        if template_name == SELECT and self._own(SELECT) and self._own(OPTION) and self._plain(context["widget"]):
            return render_select(context["widget"])
        if template_name in INPUTS and self._own(template_name) and self._own(INPUT) and self._own(ATTRS):
            return render_input(context["widget"])
        if template_name == TEXTAREA and self._own(TEXTAREA) and self._own(ATTRS):
            return render_textarea(context["widget"])
        return super().render(template_name, context, request)

    def _own(self, template_name: str) -> bool:
        """The template found is Django's own, not a project's override (the cached loader makes
        this lookup cheap)."""
        origin = self.get_template(template_name).origin.name
        return origin.replace("\\", "/").endswith(f"django/forms/templates/{template_name}")

    @staticmethod
    def _plain(widget: dict) -> bool:
        return all(
            option.get("template_name") == OPTION
            for _name, choices, _index in widget["optgroups"]
            for option in choices
        )
