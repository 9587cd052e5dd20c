"""Inline formsets with a ceiling, for every formset of the portal.

A POST may claim any TOTAL_FORMS; without `absolute_max` Django builds and validates up to
1,000 forms above `max_num` per request (one employer could keep a worker busy for half a
minute). With the ceiling, more rows than `max_rows` are a form error.
"""

from django.forms import inlineformset_factory


def bounded_inlineformset_factory(parent_model, model, *, max_rows: int, **kwargs):
    """`inlineformset_factory` that refuses more than `max_rows` rows and never builds more forms."""
    return inlineformset_factory(
        parent_model, model, max_num=max_rows, absolute_max=max_rows, validate_max=True, **kwargs
    )
