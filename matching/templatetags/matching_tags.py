"""Template tags that let other apps' pages link into matching without importing it."""

from django import template

from matching.models import ScoringConfig

register = template.Library()


@register.simple_tag
def employer_summaries_enabled() -> bool:
    """Whether the programme shows employers anonymised match summaries of their positions."""
    return ScoringConfig.active().employers_see_summaries
