"""`get_FOO_display()` from a map built once per field and language (bridges/choice_labels.py)
says what Django's own says, for every choice of every field of the project's models."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from bridges import choice_labels
from candidates.models import Candidate, CandidateLanguage


def installed_fields() -> list[tuple[type[models.Model], models.Field]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if getattr(model.__dict__.get(f"get_{field.name}_display"), "func", None) is choice_labels.choice_display
    ]


def test_the_fields_with_choices_of_the_project_show_their_labels_from_the_map():
    fields = installed_fields()
    names = {f"{model.__name__}.{field.name}" for model, field in fields}
    assert {"Candidate.status", "Candidate.perspective", "CandidateLanguage.level", "Introduction.stage"} <= names
    # A model's own display of a multiple choice stays its own; other apps' models keep Django's.
    assert "get_driving_licences_display" in Candidate.__dict__
    assert Candidate.get_driving_licences_display is Candidate.__dict__["get_driving_licences_display"]
    assert all(model._meta.app_label in choice_labels.PROJECT_APPS for model, _field in fields)


@pytest.mark.parametrize("language", ["de", "en", "ar"])
def test_every_choice_reads_as_django_writes_it_in_each_language(language):
    fields = installed_fields()
    assert len(fields) > 30
    with translation.override(language):
        for model, field in fields:
            values = [value for value, _label in field.flatchoices] + [None, "no such choice", 999]
            for value in values:
                instance = model(**{field.attname: value})
                shown = getattr(instance, f"get_{field.name}_display")()
                assert shown == models.Model._get_FIELD_display(instance, field), (model, field.name, value)


def test_the_label_follows_the_language_of_the_request():
    language = CandidateLanguage(level=7)
    with translation.override("de"):
        assert language.get_level_display() == "Muttersprache"
    with translation.override("en"):
        assert language.get_level_display() == "native language"
    with translation.override("de"):
        assert Candidate(status="active").get_status_display() == "aktiv"
