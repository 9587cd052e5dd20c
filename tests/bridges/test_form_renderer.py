"""The form renderer writes a <select>, an <input> and a <textarea> in Python exactly as Django's
templates would."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from bridges.form_renderer import FormRenderer
from bridges.models import Language
from candidates.models import Candidate

TEMPLATES = TemplatesSetting()
FAST = FormRenderer()

CHOICES = [
    ("", "---------"),
    ("a", "Plain"),
    ("<b>", "Tags <b> & \"quotes\" 'too'"),
    (3, 2026),
    ("Group & co", [("g1", "in a group"), ("g2", _("Status"))]),
    ("safe", mark_safe("<em>safe</em>")),
]

WIDGETS = [
    (forms.Select(choices=CHOICES), "a"),
    (forms.Select(choices=CHOICES), "<b>"),
    (forms.Select(choices=CHOICES), 3),
    (forms.Select(choices=CHOICES), None),
    (forms.Select(choices=CHOICES, attrs={"disabled": True, "hidden": False, "data-x": 'a"b', "class": "x"}), "g2"),
    (forms.SelectMultiple(choices=CHOICES), ["a", "g1", "g2"]),
    (forms.SelectMultiple(choices=CHOICES, attrs={"size": 4}), []),
    (forms.NullBooleanSelect(), True),
    (forms.NullBooleanSelect(), None),
    (forms.Select(choices=[]), None),
]


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_a_select_is_written_byte_for_byte_as_the_templates_write_it(widget, value, language):
    with translation.override(language):
        expected = widget.render("field", value, attrs={"id": "id_field"}, renderer=TEMPLATES)
        assert widget.render("field", value, attrs={"id": "id_field"}, renderer=FAST) == expected
    assert "<select" in expected


@pytest.mark.django_db
def test_model_and_country_choices_are_written_as_the_templates_write_them():
    Language.objects.create(code="xx", name_de="Sprache <x> & Co", name_en="Language")
    language = forms.ModelChoiceField(queryset=Language.objects.all())
    country = CountryField(blank=True).formfield()
    with translation.override("de"):
        for field, value in [(language, Language.objects.get(code="xx").pk), (country, "SY"), (country, "")]:
            expected = field.widget.render("f", value, renderer=TEMPLATES)
            assert field.widget.render("f", value, renderer=FAST) == expected
            assert expected.count("<option") == len(list(field.widget.choices))


ATTRS = {"disabled": True, "hidden": False, "data-none": None, "data-x": 'a"b <&>', "maxlength": 5, "data-t": (1, 2)}
INPUTS = [
    forms.TextInput(),
    forms.TextInput(attrs=ATTRS),
    forms.NumberInput(attrs={"step": Decimal("0.01"), "min": 0}),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.DateInput(attrs={"type": "date"}),
    forms.DateTimeInput(),
    forms.TimeInput(),
    forms.CheckboxInput(),
    forms.CheckboxInput(attrs={"class": "form-check-input"}),
    forms.Textarea(),
    forms.Textarea(attrs={"rows": 3, "placeholder": _("Search")}),
]
VALUES = [None, "", "plain", "Tags <b> & \"quotes\" 'too'", mark_safe("<em>safe</em>"), 0, 1234.5, Decimal("1234.50")]
VALUES += [date(2026, 12, 1), datetime(2026, 12, 1, 9, 30), True, False, (1, 2)]


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("widget", INPUTS, ids=lambda widget: f"{type(widget).__name__}:{len(widget.attrs)}")
def test_an_input_or_textarea_is_written_byte_for_byte_as_the_templates_write_it(widget, language):
    with translation.override(language):
        for value in VALUES:
            expected = widget.render("field", value, attrs={"id": "id_field"}, renderer=TEMPLATES)
            assert widget.render("field", value, attrs={"id": "id_field"}, renderer=FAST) == expected, value
            assert expected.startswith(("<input", "<textarea"))


class OwnOptions(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


def test_a_widget_with_other_option_templates_goes_through_the_templates():
    widget = OwnOptions(choices=[("a", "A")])
    html = widget.render("f", "a", renderer=FAST)
    assert html == widget.render("f", "a", renderer=TEMPLATES)
    assert "<option" not in html  # the other template was used


def test_a_project_override_of_the_select_template_is_used(settings, tmp_path):
    override = tmp_path / "django" / "forms" / "widgets"
    override.mkdir(parents=True)
    (override / "select.html").write_text('<select name="{{ widget.name }}" data-overridden></select>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    html = forms.Select(choices=[("a", "A")]).render("f", "a", renderer=FormRenderer())
    assert html == '<select name="f" data-overridden></select>'


@pytest.mark.parametrize("template", ["input.html", "attrs.html", "text.html", "textarea.html"])
def test_a_project_override_of_an_input_template_is_used(settings, tmp_path, template):
    override = tmp_path / "django" / "forms" / "widgets"
    override.mkdir(parents=True)
    (override / template).write_text("<overridden>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    widget = forms.Textarea() if template == "textarea.html" else forms.TextInput()
    html = widget.render("f", "a", renderer=FormRenderer())
    assert "<overridden>" in html
    assert html == widget.render("f", "a", renderer=TemplatesSetting())


@pytest.mark.django_db
def test_forms_of_the_portal_render_with_this_renderer(settings):
    assert settings.FORM_RENDERER == "bridges.form_renderer.FormRenderer"
    form = forms.modelform_factory(Candidate, fields=["return_country"])()
    html = str(form["return_country"])
    assert html.startswith('<select name="return_country"')
    assert 'value="SY"' in html
