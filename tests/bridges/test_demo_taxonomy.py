"""demo_taxonomy_load: the curated demo occupations and skills, idempotent."""

import pytest

from bridges.demo_taxonomy import OCCUPATIONS, SKILLS, demo_taxonomy_load
from bridges.models import IscoGroup, Occupation, OccupationLabel, OccupationSkill, Skill, SkillLabel

pytestmark = pytest.mark.django_db


def welder() -> Occupation:
    return Occupation.objects.get(uri=None, labels__de="Schweißer/in")


def state() -> tuple:
    return (
        sorted(Occupation.objects.values_list("pk", "labels", "isco_group")),
        sorted(Skill.objects.values_list("pk", "labels", "skill_type")),
        sorted(OccupationSkill.objects.values_list("pk", "occupation_id", "skill_id", "relation_type")),
        sorted(OccupationLabel.objects.values_list("pk", "occupation_id", "language", "text", "preferred")),
        sorted(SkillLabel.objects.values_list("pk", "skill_id", "language", "text", "preferred")),
        sorted(IscoGroup.objects.values_list("pk", "code", "labels")),
    )


def test_loads_occupations_skills_and_relations():
    counts = demo_taxonomy_load()

    assert counts["occupations"]["created"] == len(OCCUPATIONS) == Occupation.objects.count()
    assert counts["skills"]["created"] == len(SKILLS) == Skill.objects.count()
    assert counts["relations"]["created"] == OccupationSkill.objects.count() > len(OCCUPATIONS) * 5
    assert IscoGroup.objects.get(code="7212").uri == "http://data.europa.eu/esco/isco/C7212"


def test_welder_has_essential_skills_and_labels_in_german_and_english():
    demo_taxonomy_load()

    occupation = welder()
    assert occupation.labels == {"de": "Schweißer/in", "en": "welder"}
    assert occupation.isco_group == "7212"
    assert occupation.is_programme_entry
    essential = set(
        occupation.skill_relations.filter(relation_type=OccupationSkill.Relation.ESSENTIAL).values_list(
            "skill__labels__en", flat=True
        )
    )
    assert {"welding techniques", "operate welding equipment"} <= essential
    assert set(occupation.all_labels.filter(language="de").values_list("text", "preferred")) >= {
        ("Schweißer/in", True),
        ("Schweißer", False),
        ("Schweißerin", False),
    }
    assert occupation.all_labels.get(language="en", preferred=True).text == "welder"


def test_forklift_licence_is_a_programme_skill_shared_by_related_occupations():
    demo_taxonomy_load()

    forklift = Skill.objects.get(uri=None, labels__de="Staplerschein")
    assert forklift.labels["en"] == "forklift licence"
    assert forklift.skill_type == Skill.SkillType.OTHER
    assert SkillLabel.objects.filter(skill=forklift, text="Gabelstaplerschein").exists()
    sharing = set(forklift.occupations.values_list("labels__en", flat=True))
    assert {"warehouse worker", "truck driver", "welder"} <= sharing


def test_loading_twice_changes_nothing():
    demo_taxonomy_load()
    before = state()

    counts = demo_taxonomy_load()

    assert state() == before
    for kind in ("occupations", "skills", "relations", "isco_groups"):
        assert counts[kind]["created"] == 0, kind
        assert counts[kind]["updated"] == 0, kind
    assert counts["labels"]["written"] == 0


def test_existing_isco_groups_keep_their_labels():
    IscoGroup.objects.create(code="7212", uri="http://data.europa.eu/esco/isco/C7212", labels={"en": "official"})

    demo_taxonomy_load()

    assert IscoGroup.objects.get(code="7212").labels == {"en": "official"}
