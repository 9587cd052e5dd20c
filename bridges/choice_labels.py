"""`get_FOO_display()` from a map of each field's choices built once, not on every call.

Django's version builds a dict of the field's flattened choices on every call and, to make it
hashable, hashes every label: each lazy label is translated to be hashed, and only one of them
is shown. That took 20–50 µs a call on an idle development machine and 80–130 µs deep in a page
(the candidate list called it 103 times: a language level per row and language, status and
perspective per row, 10 of its 90 ms). This one looks the value up in a dict of value → label,
translated, made the first time the field is asked in a language (the translations are loaded
once per process and never change while it runs).

`install()` (from `BridgesConfig.ready`, once every model is loaded) puts it in place of Django's
`get_FOO_display` on the project's models, for fields with a fixed list of choices; a model's own
`get_FOO_display` (the multiple-choice fields) and choices given as a callable keep theirs. The
result is Django's own (`tests/bridges/test_choice_labels.py` compares the two on every choice of
every model, in each language).
"""

from __future__ import annotations

from functools import partialmethod

from django.apps import apps
from django.db import models
from django.utils import translation
from django.utils.encoding import force_str

PROJECT_APPS = ("bridges", "candidates", "employers", "matching", "selfservice")

_labels: dict[tuple[models.Field, str | None], dict] = {}


def choice_display(self: models.Model, field: models.Field) -> str:
    value = getattr(self, field.attname)
    key = (field, translation.get_language())
    labels = _labels.get(key)
    if labels is None:
        labels = _labels[key] = {choice: force_str(label) for choice, label in field.flatchoices}
    try:
        label = labels.get(value, value)
    except TypeError:  # a value that cannot be a key (a list): Django's way
        return models.Model._get_FIELD_display(self, field)
    return force_str(label, strings_only=True)


def _django_display(attribute) -> bool:
    return isinstance(attribute, partialmethod) and attribute.func is models.Model._get_FIELD_display


def install() -> None:
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.concrete_fields:
            name = f"get_{field.name}_display"
            if not isinstance(field.choices, list | tuple):  # none, or given as a callable
                continue
            if _django_display(model.__dict__.get(name)):
                setattr(model, name, partialmethod(choice_display, field=field))
