"""`{% plain_field %}`: crispy-forms' bootstrap5 field, written in Python for the plain fields.

crispy-bootstrap5's `bootstrap5/field.html` takes about half a millisecond a field (some twenty
filters and three included templates for the label, the errors and the help text): the position
form's 40 fields spent 24 of its 34 ms there, every list page's filter sidebar 2–8 ms. Most fields
are plain: a text, number, date or e-mail input, a textarea, a select or a single checkbox, with a
label and maybe a help text, in the default layout and without errors. For those this writes what the template
writes (up to whitespace between tags; `tests/bridges/test_form_fields.py` compares the two on
every form of every page) and adds the same CSS classes to the widget as crispy's `crispy_field`
tag does. Every other field (hidden fields aside: radio buttons or checkboxes of a choice, a file,
a widget made of widgets, a field with errors, a horizontal or otherwise customised layout) returns "" and
`bootstrap5/field.html` includes crispy's own template (`bootstrap5/field_full.html`).
"""

from __future__ import annotations

from django import forms, template
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

_NOT_PLAIN = (forms.RadioSelect, forms.FileInput, forms.MultiWidget)
# Context variables of crispy's layout that change the markup: with any of them set, the template writes it.
_LAYOUT = ("tag", "label_class", "field_class", "help_text_inline")


def _add_classes(widget: forms.Widget, classes: str) -> None:
    """What crispy's `{% crispy_field field 'class' classes %}` does to the widget's attributes."""
    converters = getattr(settings, "CRISPY_CLASS_CONVERTERS", {})
    class_name = widget.__class__.__name__.lower()
    class_name = converters.get(class_name, class_name)
    css_class = widget.attrs.get("class", "")
    if css_class:
        if css_class.find(class_name) == -1:
            css_class += f" {class_name}"
    else:
        css_class = class_name
    for name in classes.split():
        if name not in css_class.split():
            css_class += f" {name}"
    widget.attrs["class"] = css_class


def plain_field_html(context) -> str:
    """The field's markup, or "" when crispy's template must write it."""
    field = context.get("field")
    if not isinstance(field, forms.BoundField):
        return ""
    if field.is_hidden:
        return str(field)
    widget = field.field.widget
    if (
        isinstance(widget, _NOT_PLAIN)
        or hasattr(widget, "widgets")
        or hasattr(widget, "widget")
        or field.errors
        or field.use_fieldset
        or not context.get("form_show_labels")
        or any(context.get(name) for name in _LAYOUT)
        or "form-horizontal" in (context.get("form_class") or "")
    ):
        return ""
    checkbox = isinstance(widget, forms.CheckboxInput)
    if checkbox:
        _add_classes(widget, "form-check-input")
    else:
        _add_classes(widget, "form-select" if isinstance(widget, forms.Select) else "form-control")
    classes = "form-check" if checkbox else "mb-3"
    if context.get("wrapper_class"):
        classes += f" {context['wrapper_class']}"
    if field.css_classes():
        classes += f" {field.css_classes()}"
    required = " requiredField" if field.field.required else ""
    asterisk = mark_safe('<span class="asteriskField">*</span>') if field.field.required else ""
    html = [format_html('<div id="div_{}" class="{}">', field.auto_id, classes)]
    if checkbox:  # the box, then its label, in a block of its own
        label = format_html(
            '<label for="{}" class="form-check-label{}">{}{}</label>',
            field.id_for_label,
            required,
            field.label,
            asterisk,
        )
        html = [mark_safe('<div class="mb-3">'), *html, str(field), label]
    else:
        if field.label:
            target = format_html('for="{}" ', field.id_for_label) if field.id_for_label else ""
            html.append(
                format_html('<label {}class="form-label{}">{}{}</label>', target, required, field.label, asterisk)
            )
        html.append(str(field))
    if field.help_text:
        helptext_id = format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else ""
        html.append(format_html('<div {}class="form-text">{}</div>', helptext_id, mark_safe(field.help_text)))
    html.append(mark_safe("</div></div>" if checkbox else "</div>"))
    return mark_safe("".join(conditional_escape(part) for part in html))


@register.simple_tag(takes_context=True)
def plain_field(context) -> str:
    return plain_field_html(context)
