"""Template tags that let other apps' pages link into matching without importing it, and the
list rows' match bars."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from matching.models import ScoringConfig

register = template.Library()


@register.simple_tag
def employer_summaries_enabled() -> bool:
    """Whether the programme shows employers anonymised match summaries of their positions."""
    return ScoringConfig.active().employers_see_summaries


@register.simple_tag
def match_bars(match) -> str:
    """A list row's small bars (`match.bars`, from `explain.component_bars`), one per component.

    Written with format_html rather than a template included per row: 25 rows of nine bars
    through the template engine took 13 ms of the overview's 90. The markup is the one the
    explanation page's legend describes: a labelled progress bar per component, or a grey
    "not asked for" one."""
    not_asked = _("not asked for")
    bars = []
    for bar in match.bars:
        if bar.percent is None:
            bars.append(
                format_html(
                    '<div class="progress progress-none" role="img" title="{0}: {1}" aria-label="{0}: {1}"></div>',
                    bar.label,
                    not_asked,
                )
            )
        else:
            bars.append(
                format_html(
                    '<div class="progress" title="{0}: {1} %" role="progressbar" aria-label="{0}" '
                    'aria-valuenow="{1}" aria-valuemin="0" aria-valuemax="100">'
                    '<div class="progress-bar w-pct-{1}"></div></div>',
                    bar.label,
                    bar.text,
                )
            )
    return format_html('<div class="match-bars">{}</div>', mark_safe("".join(bars)))  # each part escaped
