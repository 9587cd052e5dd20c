"""import_esco: ESCO CSV files in two languages into the taxonomy, idempotent and all or nothing.

The fixtures in fixtures/esco/ follow the official ESCO CSV format (occupations_de.csv
with a BOM, multi-line altLabels, the relations file with and without label columns).
The physiotherapist row carries its real ESCO URI; the other URIs are made up in the
same shape.
"""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bridges.models import IscoGroup, Occupation, OccupationLabel, OccupationSkill, Skill, SkillLabel

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "esco"
WELDER = "http://data.europa.eu/esco/occupation/c97bd947-0f46-4077-9ad2-26e728644b76"
WELDING_TECHNIQUES = "http://data.europa.eu/esco/skill/202a5c31-d62c-4a40-a0d0-1ab2d48f33e0"
PROTECTIVE_GEAR = "http://data.europa.eu/esco/skill/3e379b80-17bb-4cb6-9485-6255aa67d64a"
TEAMWORK = "http://data.europa.eu/esco/skill/a42e7d0e-ca13-4b75-b866-2dc956f053e0"


def run_import(directory: Path = FIXTURES, *languages: str) -> str:
    out = StringIO()
    args = [str(directory)]
    for lang in languages:
        args += ["--lang", lang]
    call_command("import_esco", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Everything the import writes, as comparable values."""
    return {
        "isco": sorted(IscoGroup.objects.values_list("code", "uri", "labels")),
        "occupations": sorted(Occupation.objects.values_list("uri", "labels", "code", "isco_group")),
        "skills": sorted(Skill.objects.values_list("uri", "labels", "skill_type", "reuse_level")),
        "relations": sorted(OccupationSkill.objects.values_list("occupation__uri", "skill__uri", "relation_type")),
        "occupation_labels": sorted(
            OccupationLabel.objects.values_list("occupation__uri", "language", "text", "preferred")
        ),
        "skill_labels": sorted(SkillLabel.objects.values_list("skill__uri", "language", "text", "preferred")),
        "ids": (
            sorted(Occupation.objects.values_list("pk", flat=True)),
            sorted(OccupationLabel.objects.values_list("pk", flat=True)),
        ),
    }


def copy_fixtures(tmp_path: Path) -> Path:
    target = tmp_path / "esco"
    shutil.copytree(FIXTURES, target)
    return target


def assert_nothing_imported() -> None:
    for model in (IscoGroup, Occupation, Skill, OccupationSkill, OccupationLabel, SkillLabel):
        assert model.objects.count() == 0, model.__name__


def test_imports_labels_in_two_languages_and_the_relations():
    output = run_import()

    welder = Occupation.objects.get(uri=WELDER)
    assert welder.labels == {"de": "Schweißer/Schweißerin", "en": "welder"}
    assert welder.isco_group == "7212"
    assert welder.code == "7212.1"
    assert Occupation.objects.count() == 3
    assert Skill.objects.count() == 8
    assert IscoGroup.objects.get(code="7212").labels == {
        "de": "Schweißer und Brennschneider",
        "en": "Welders and flamecutters",
    }
    assert IscoGroup.objects.get(code="7212").uri == "http://data.europa.eu/esco/isco/C7212"

    relations = dict(welder.skill_relations.values_list("skill__uri", "relation_type"))
    assert relations[WELDING_TECHNIQUES] == OccupationSkill.Relation.ESSENTIAL
    assert relations[PROTECTIVE_GEAR] == OccupationSkill.Relation.OPTIONAL
    assert OccupationSkill.objects.count() == 10

    assert Skill.objects.get(uri=WELDING_TECHNIQUES).skill_type == Skill.SkillType.KNOWLEDGE
    assert Skill.objects.get(uri=PROTECTIVE_GEAR).skill_type == Skill.SkillType.SKILL
    assert Skill.objects.get(uri=TEAMWORK).skill_type == Skill.SkillType.OTHER
    assert Skill.objects.get(uri=TEAMWORK).reuse_level == "transversal"

    german = set(welder.all_labels.filter(language="de").values_list("text", "preferred"))
    assert german == {
        ("Schweißer/Schweißerin", True),
        ("Schweißer", False),
        ("Schweißerin", False),
        ("Schweißtechniker/Schweißtechnikerin", False),
        ("Metallschweißer/Metallschweißerin", False),
    }
    assert welder.all_labels.get(language="en", preferred=True).text == "welder"
    assert "occupations 3 created" in " ".join(output.split())
    assert "occupations_de.csv: 3 rows read" in output


def test_alternative_labels_are_searchable():
    run_import()

    found = OccupationLabel.objects.filter(text__icontains="schweißtechnik").values_list("occupation__uri", flat=True)
    assert set(found) == {WELDER}
    found = SkillLabel.objects.filter(text__icontains="technical drawings", language="en")
    assert found.get().skill.labels["de"] == "Standardpläne lesen"


def test_running_twice_changes_nothing():
    run_import()
    first = snapshot()

    output = run_import()

    assert snapshot() == first
    summary = " ".join(output.split())
    assert "occupations 0 created 0 updated 3 unchanged" in summary
    assert "relations 0 created 0 updated 10 unchanged" in summary
    assert "labels 0 written 0 replaced" in summary


def test_importing_english_later_keeps_german_and_reads_the_newer_relations_format():
    run_import(FIXTURES, "de")
    welder = Occupation.objects.get(uri=WELDER)
    assert welder.labels == {"de": "Schweißer/Schweißerin"}
    assert not welder.all_labels.filter(language="en").exists()

    output = run_import(FIXTURES, "en")

    welder.refresh_from_db()
    assert welder.labels == {"de": "Schweißer/Schweißerin", "en": "welder"}
    assert welder.all_labels.filter(language="de").count() == 5
    assert welder.all_labels.filter(language="en").count() == 5
    assert "relations from en" in output
    assert OccupationSkill.objects.count() == 10


def test_reimport_replaces_the_labels_of_that_language(tmp_path):
    directory = copy_fixtures(tmp_path)
    run_import(directory, "en")
    path = directory / "occupations_en.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("steel welder\n", ""), encoding="utf-8")

    run_import(directory, "en")

    texts = set(Occupation.objects.get(uri=WELDER).all_labels.values_list("text", flat=True))
    assert "steel welder" not in texts
    assert "metal welder" in texts


def test_malformed_row_is_reported_with_file_and_line_and_nothing_is_imported(tmp_path):
    directory = copy_fixtures(tmp_path)
    path = directory / "occupationSkillRelations_de.csv"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"{WELDER},sometimes,knowledge,{WELDING_TECHNIQUES}\n")
        handle.write(f"{WELDER},essential,knowledge,http://data.europa.eu/esco/skill/does-not-exist\n")

    with pytest.raises(CommandError) as excinfo:
        run_import(directory)

    message = str(excinfo.value)
    assert "2 error(s); nothing was imported" in message
    assert "occupationSkillRelations_de.csv, line 12: relationType 'sometimes'" in message
    assert "occupationSkillRelations_de.csv, line 13: unknown skill" in message
    assert_nothing_imported()


def test_line_numbers_count_the_lines_inside_quoted_fields(tmp_path):
    directory = copy_fixtures(tmp_path)
    path = directory / "skills_en.csv"
    with path.open("a", encoding="utf-8") as handle:
        handle.write('KnowledgeSkillCompetence,,skill/competence,cross-sector,no uri,"a\nb",,released,,,,,\n')

    with pytest.raises(CommandError) as excinfo:
        run_import(directory)

    line = 1 + sum(1 for _ in (FIXTURES / "skills_en.csv").open(encoding="utf-8"))
    assert f"skills_en.csv, line {line}: conceptUri is empty" in str(excinfo.value)
    assert_nothing_imported()


def test_missing_header_column_is_reported(tmp_path):
    directory = copy_fixtures(tmp_path)
    path = directory / "skills_de.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("preferredLabel", "prefLabel", 1), encoding="utf-8")

    with pytest.raises(CommandError) as excinfo:
        run_import(directory)

    assert "skills_de.csv, line 1: header lacks column(s) preferredLabel" in str(excinfo.value)
    assert_nothing_imported()


def test_missing_file_is_an_error_but_isco_groups_are_optional(tmp_path):
    directory = copy_fixtures(tmp_path)
    (directory / "ISCOGroups_de.csv").unlink()
    (directory / "ISCOGroups_en.csv").unlink()
    run_import(directory)
    assert Occupation.objects.count() == 3
    assert IscoGroup.objects.count() == 0

    (directory / "skills_en.csv").unlink()
    with pytest.raises(CommandError) as excinfo:
        run_import(directory)
    assert "skills_en.csv: file missing" in str(excinfo.value)


def test_only_the_first_fifty_errors_are_listed(tmp_path):
    directory = copy_fixtures(tmp_path)
    path = directory / "occupationSkillRelations_de.csv"
    with path.open("a", encoding="utf-8") as handle:
        for _ in range(60):
            handle.write(f"{WELDER},essential,knowledge,http://data.europa.eu/esco/skill/unknown\n")

    with pytest.raises(CommandError) as excinfo:
        run_import(directory)

    message = str(excinfo.value)
    assert "60 error(s)" in message
    assert message.count("unknown skill") == 50
    assert "… and 10 more." in message
    assert_nothing_imported()
