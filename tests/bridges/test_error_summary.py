"""The error summary at the top of a form sent back (bridges/templatetags/error_summary.py)."""

from django import forms
from django.template import Context, Template


class Sample(forms.Form):
    name = forms.CharField(label="Name")
    age = forms.IntegerField(label="Alter")

    def clean(self):
        raise forms.ValidationError("Das Ganze stimmt nicht.")


Rows = forms.formset_factory(Sample, extra=0)


def _render(source: str, **context) -> str:
    return Template("{% load error_summary %}" + source).render(Context(context))


def test_the_summary_names_each_error_and_links_to_its_field():
    form = Sample(data={"name": "", "age": "x"})
    rows = Rows(data={"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-name": "", "form-0-age": "1"})

    html = _render("{% error_summary form rows %}", form=form, rows=rows)

    assert 'role="alert"' in html
    assert "autofocus" in html
    assert '<a class="alert-link" href="#id_name">Name</a>' in html
    assert '<a class="alert-link" href="#id_age">Alter</a>' in html
    assert '<a class="alert-link" href="#id_form-0-name">Eintrag 1: Name</a>' in html
    assert html.count("Das Ganze stimmt nicht.") == 2  # the form's and the row's own error


def test_without_form_errors_it_leaves_them_to_crispy_forms_and_is_absent_without_errors():
    form = Sample(data={"name": "Amina", "age": "3"})

    assert "Das Ganze stimmt nicht." not in _render("{% error_summary form form_errors=False %}", form=form)
    assert _render("{% error_summary form %}", form=Sample()).strip() == ""


def test_its_heading_sits_one_level_below_the_forms_section():
    form = Sample(data={"name": "", "age": "1"})

    assert '<h2 class="h6" id="error-summary-heading">' in _render("{% error_summary form %}", form=form)
    html = _render("{% error_summary form level=4 %}", form=form)
    assert '<h4 class="h6" id="error-summary-heading">Fehler</h4>' in html
