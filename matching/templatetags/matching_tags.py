"""Template tags that let other apps' pages link into matching without importing it, and the
list rows' match bars."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from matching.models import MatchDecision, ScoringConfig

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


@register.simple_tag(takes_context=True)
def decision_cell(context, match, label) -> str:
    """A list row's decision cell: the decision with its reason and an undo, or the buttons to
    shortlist and dismiss; and the pair's open introduction or the button to introduce.

    Written with format_html, like `match_bars`: the same markup through a template included per
    row took a third of a position's matches page (31 of 129 ms on the load test's database)."""
    request = context["request"]
    candidate, position = match.candidate_id, match.position_id
    pair = {"candidate": candidate, "position": position}
    hidden = format_html('<span class="visually-hidden"> {}</span>', label)
    # The form posts back here: the decision, then the same page (filters and page number kept).
    form = format_html(
        '<form method="post" action="{}" class="{}">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="action" value="{}">'
        '<input type="hidden" name="next" value="{}">'
        '<button class="btn btn-sm {}" type="submit">{}{}</button></form>',
        reverse("matching:decide", kwargs=pair),
        "mt-1" if match.decision_status else "d-inline",
        context["csrf_token"],  # the page's token, as {% csrf_token %} writes it (one per page)
        "undo" if match.decision_status else "shortlist",
        request.get_full_path(),
        "btn-outline-secondary" if match.decision_status else "btn-outline-success",
        _("Undo") if match.decision_status else _("Shortlist"),
        hidden,
    )
    if match.decision_status:
        badge = "text-bg-secondary" if match.decision_status == MatchDecision.Status.DISMISSED else "text-bg-success"
        parts = [format_html('<span class="badge {}" data-testid="decision">{}</span>', badge, match.decision_label)]
        if match.reason_label:
            parts.append(format_html('<span class="small d-block">{}</span>', match.reason_label))
        parts.append(form)
    else:
        parts = [
            form,
            format_html(
                '<a class="btn btn-sm btn-outline-secondary" href="{}#decide">{}{}</a>',
                reverse("matching:explain", kwargs=pair),
                _("Dismiss…"),
                hidden,
            ),
        ]
    if match.open_introduction_id:
        parts.append(
            format_html(
                '<a class="d-block small mt-1" href="{}" data-testid="introduced">{}{}</a>',
                reverse("matching:introduction", kwargs={"pk": match.open_introduction_id}),
                _("introduced: %(stage)s") % {"stage": match.open_introduction_label},
                hidden,
            )
        )
    elif match.decision_status != MatchDecision.Status.DISMISSED:
        parts.append(
            format_html(
                '<a class="btn btn-sm btn-outline-primary mt-1" href="{}" data-testid="introduce">{}{}</a>',
                reverse("matching:introduce", kwargs=pair),
                _("Introduce"),
                hidden,
            )
        )
    return mark_safe("\n".join(parts))  # each part escaped
