"""Names and titles in sentences are isolated (`|bdi`): an Arabic name in a German heading keeps its
direction, and what it isolates is still escaped. Numbers, dates and names in lines of text are
isolated too, free text (descriptions, messages, comments, textareas) takes the direction of its
own first letter (`dir="auto"`), and phone numbers and e-mail addresses read left to right."""

from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from tests.employers.factories import PositionFactory


def render(name: str) -> str:
    template = Template(
        "{% load bidi i18n %}{% blocktranslate with name=name|bdi %}Introduce {{ name }}{% endblocktranslate %}"
    )
    return template.render(Context({"name": name}))


def test_a_name_in_a_sentence_is_isolated_and_escaped():
    with translation.override("de"):
        assert render("أمينة الحسن") == "<bdi>أمينة الحسن</bdi> vorschlagen"
    with translation.override("en"):
        assert render("<script>x</script>") == "Introduce <bdi>&lt;script&gt;x&lt;/script&gt;</bdi>"


# --- textareas ------------------------------------------------------------------------------------


class Notes(forms.Form):
    text = forms.CharField(widget=forms.Textarea)
    code = forms.CharField(widget=forms.Textarea(attrs={"dir": "ltr"}))
    title = forms.CharField()


def test_a_textarea_takes_the_direction_of_its_text_on_every_path():
    form = Notes(data={"text": "Schweißen.", "code": "x", "title": "t"})
    crispy = Template("{% load crispy_forms_tags %}{{ form|crispy }}")
    written = crispy.render(Context({"form": form}))
    fallen_back = crispy.render(Context({"form": Notes(data={})}))  # errors: crispy's own template

    for html in (str(form["text"]), written, fallen_back):
        textarea = html.split('<textarea name="text"')[1].split(">")[0]
        assert ' dir="auto"' in textarea
    assert str(form["code"]).count("dir=") == 1
    assert 'dir="ltr"' in str(form["code"])
    assert "dir=" not in str(form["title"])


def test_the_position_forms_description_takes_the_direction_of_its_text(client, employer_a, company_a):
    position = PositionFactory(employer=company_a)
    client.force_login(employer_a)

    html = client.get(reverse("employers:position_edit", args=[position.pk])).content.decode()

    assert ' dir="auto"' in html.split('<textarea name="description"')[1].split(">")[0]
