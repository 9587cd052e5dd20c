"""Template tags that show an employer's introductions on the employer pages (the dashboard, a
position) without `employers` importing `matching`."""

from django import template

from matching import employer_introduction_selectors as selectors
from matching.models import Introduction

register = template.Library()

POSITION_ROWS = 10


@register.simple_tag(takes_context=True)
def employer_introduction_counts(context) -> dict[str, int]:
    """{"waiting": …, "open": …} for the employer user of the page."""
    return selectors.employer_introduction_counts(user=context["request"].user)


@register.simple_tag(takes_context=True)
def position_introductions(context, position) -> list[Introduction]:
    """The newest introductions to one of the employer's own positions, each with the name only
    while the employer may see it (else the anonymous reference)."""
    user = context["request"].user
    rows = list(selectors.employer_introductions(user=user, position=position, stage=selectors.ALL)[:POSITION_ROWS])
    selectors.label_rows(rows)
    return rows
