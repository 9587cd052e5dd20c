"""`|bdi`: a name or title isolated from the sentence around it (`<bdi>`), so that an Arabic name in
a German sentence, or a German position title in an Arabic one, keeps its own direction and does not
reorder the punctuation and numbers next to it. For element content only: a `<title>` or an
attribute takes no markup."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter(is_safe=True)
def bdi(value) -> str:
    return format_html("<bdi>{}</bdi>", value)
