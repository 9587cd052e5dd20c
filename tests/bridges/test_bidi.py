"""Names and titles in sentences are isolated (`|bdi`): an Arabic name in a German heading keeps its
direction, and what it isolates is still escaped."""

from django.template import Context, Template
from django.utils import translation


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
