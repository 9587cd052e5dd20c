"""No model with a path to a candidate is forgotten by the data-subject export: each is exported
or listed as not personal, with a reason. A new model fails here until it is one or the other."""

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey

from candidates import privacy
from candidates.models import Candidate

# Fields by which a model names a record without a foreign key (the audit trail, Django's admin log).
GENERIC_PAIRS = (("target_type", "target_id"), ("content_type", "object_id"))


def _generic(model) -> bool:
    names = {field.name for field in model._meta.get_fields()}
    if any(isinstance(field, GenericForeignKey) for field in model._meta.private_fields):
        return True
    if any(set(pair) <= names for pair in GENERIC_PAIRS):
        return True
    # An id kept as a plain number ("candidate_id" without a foreign key), e.g. a match run's.
    return any(
        field.name in {"candidate", "candidate_id"} and not field.is_relation
        for field in model._meta.get_fields()
        if hasattr(field, "attname")
    )


def models_reaching_candidate() -> set[str]:
    """Labels of every model (auto-created many-to-many tables too) with a chain of foreign keys,
    one-to-one or many-to-many fields to `Candidate`, or a generic link that can name one."""
    every = apps.get_models(include_auto_created=True)
    reaches = {Candidate}
    changed = True
    while changed:
        changed = False
        for model in every:
            if model in reaches:
                continue
            targets = {
                field.related_model
                for field in model._meta.get_fields()
                if field.is_relation and field.concrete and field.related_model is not None
            } | {field.remote_field.model for field in model._meta.local_many_to_many}
            if targets & reaches:
                reaches.add(model)
                changed = True
    reaches |= {model for model in every if _generic(model)}
    return {model._meta.label for model in reaches}


def test_every_model_with_a_path_to_a_candidate_is_exported_or_declared_not_personal():
    reaching = models_reaching_candidate()
    declared = privacy.covered_models() | set(privacy.NOT_PERSONAL)

    forgotten = reaching - declared
    assert not forgotten, f"neither exported nor listed in candidates.privacy.NOT_PERSONAL: {sorted(forgotten)}"


def test_the_walk_finds_what_it_must():
    # The test above can fail: these are found through FKs, M2M tables and generic links.
    reaching = models_reaching_candidate()
    assert {
        "candidates.Candidate",
        "candidates.Candidate_skills",
        "matching.IntroductionEvent",
        "matching.FollowUp",
        "matching.Introduction_shared_documents",
        "bridges.AuditEvent",
        "admin.LogEntry",
        "matching.MatchRun",
    } <= reaching
    assert "employers.Employer" not in reaching
    assert "bridges.Language" not in reaching


def test_every_declared_model_exists_and_has_a_reason():
    labels = {model._meta.label for model in apps.get_models(include_auto_created=True)}
    assert privacy.covered_models() <= labels
    assert set(privacy.NOT_PERSONAL) <= labels
    assert all(len(reason) > 20 for reason in privacy.NOT_PERSONAL.values())
    assert not privacy.covered_models() & set(privacy.NOT_PERSONAL)
