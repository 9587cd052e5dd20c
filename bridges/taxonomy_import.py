"""The ESCO importer: the official ESCO CSV downloads into the taxonomy tables.

This module owns how ESCO's files and columns map onto IscoGroup, Occupation, Skill,
OccupationSkill and the two label tables, and the rules of an import:

- concepts are upserted by URI (ISCO groups by code); `labels` gains the file's
  language and keeps the others; the label rows of that language are replaced;
- relations are language-independent and read from the first requested language
  that has the file;
- all or nothing: every malformed row is reported with file and line, and if there is
  any, the whole import is rolled back;
- idempotent: rows that would not change are not written, so a second run reports
  everything as unchanged.

Files are streamed with the csv module and written in batches, so memory stays bounded
by the batch size plus one URI-to-id map per kind.
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction

from bridges.models import IscoGroup, Occupation, OccupationLabel, OccupationSkill, Skill, SkillLabel

BATCH_SIZE = 2000
PROGRESS_EVERY = 10_000
MAX_ERRORS_KEPT = 50
LABEL_MAX_LENGTH = 255

OCCUPATIONS_FILE = "occupations_{lang}.csv"
SKILLS_FILE = "skills_{lang}.csv"
RELATIONS_FILE = "occupationSkillRelations_{lang}.csv"
ISCO_GROUPS_FILE = "ISCOGroups_{lang}.csv"

# Only the columns the import reads are required, so that older and newer ESCO
# releases (e.g. v1.0 without `code`, v1.2 with occupationLabel/skillLabel) both load.
OCCUPATION_COLUMNS = ("conceptUri", "iscoGroup", "preferredLabel", "altLabels")
SKILL_COLUMNS = ("conceptUri", "skillType", "reuseLevel", "preferredLabel", "altLabels")
RELATION_COLUMNS = ("occupationUri", "relationType", "skillUri")
ISCO_GROUP_COLUMNS = ("conceptUri", "code", "preferredLabel")

SKILL_TYPES = {"skill/competence": Skill.SkillType.SKILL, "knowledge": Skill.SkillType.KNOWLEDGE}
RELATION_TYPES = {choice.value for choice in OccupationSkill.Relation}
LANGUAGE_RE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,4})?")

Progress = Callable[[str], None]


@dataclass
class KindCounts:
    """What an import did to one kind of row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class EscoImportResult:
    languages: list[str]
    relations_language: str
    isco_groups: KindCounts = field(default_factory=KindCounts)
    occupations: KindCounts = field(default_factory=KindCounts)
    skills: KindCounts = field(default_factory=KindCounts)
    relations: KindCounts = field(default_factory=KindCounts)
    labels_created: int = 0
    labels_deleted: int = 0
    rows_read: int = 0
    seconds: float = 0.0


class EscoImportError(Exception):
    """The import found malformed input and wrote nothing.

    `errors` holds the first MAX_ERRORS_KEPT messages ("file, line N: problem"),
    `total` how many there were.
    """

    def __init__(self, errors: list[str], total: int) -> None:
        self.errors = errors
        self.total = total
        super().__init__(f"{total} error(s) in the ESCO files; nothing was imported.")


class _Errors:
    def __init__(self) -> None:
        self.kept: list[str] = []
        self.total = 0

    def add(self, file: str, line: int | None, message: str) -> None:
        self.total += 1
        if len(self.kept) < MAX_ERRORS_KEPT:
            where = f"{file}, line {line}" if line is not None else file
            self.kept.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.total:
            raise EscoImportError(self.kept, self.total)


@dataclass(kw_only=True)
class _Tally:
    """Keys seen, created and changed during this run.

    Sets rather than counters, so that a concept imported in two languages counts once.
    """

    counts: KindCounts
    seen: set[int | str] = field(default_factory=set)
    created: set[int | str] = field(default_factory=set)
    changed: set[int | str] = field(default_factory=set)

    def finish(self) -> None:
        self.counts.created = len(self.created)
        self.counts.updated = len(self.changed - self.created)
        self.counts.unchanged = len(self.seen) - self.counts.created - self.counts.updated


@dataclass(kw_only=True)
class _ConceptKind(_Tally):
    """How one concept model (Occupation or Skill) is written."""

    model: type[Occupation] | type[Skill]
    label_model: type[OccupationLabel] | type[SkillLabel]
    label_fk: str
    fields: tuple[str, ...]


@dataclass
class _ConceptRow:
    line: int
    uri: str
    preferred: str
    alternatives: list[str]
    values: dict[str, str]


@dataclass
class _Run:
    errors: _Errors
    result: EscoImportResult
    progress: Progress
    isco_groups: _Tally


def esco_import(
    *, directory: Path | str, languages: Sequence[str], progress: Progress | None = None
) -> EscoImportResult:
    """Import the ESCO CSV files of `languages` from `directory`, all or nothing.

    Raises EscoImportError (and writes nothing) when a file is missing or malformed.
    """
    started = time.monotonic()
    directory = Path(directory)
    languages = list(dict.fromkeys(lang.strip().lower() for lang in languages))
    if not languages:
        raise ValueError("At least one language is needed.")
    for lang in languages:
        if not LANGUAGE_RE.fullmatch(lang):
            raise ValueError(f"Not a language code: {lang!r}")
    report = progress or (lambda message: None)
    errors = _Errors()

    relations_language = _check_files(directory=directory, languages=languages, errors=errors)
    errors.raise_if_any()
    result = EscoImportResult(languages=languages, relations_language=relations_language)
    run = _Run(errors=errors, result=result, progress=report, isco_groups=_Tally(counts=result.isco_groups))
    occupations = _ConceptKind(
        model=Occupation,
        label_model=OccupationLabel,
        label_fk="occupation_id",
        fields=("code", "isco_group"),
        counts=run.result.occupations,
    )
    skills = _ConceptKind(
        model=Skill,
        label_model=SkillLabel,
        label_fk="skill_id",
        fields=("skill_type", "reuse_level"),
        counts=run.result.skills,
    )

    with transaction.atomic():
        for lang in languages:
            isco_path = directory / ISCO_GROUPS_FILE.format(lang=lang)
            if isco_path.exists():
                _import_isco_groups(run=run, path=isco_path, language=lang)
            _import_concepts(
                run=run, kind=occupations, path=directory / OCCUPATIONS_FILE.format(lang=lang), language=lang
            )
            _import_concepts(run=run, kind=skills, path=directory / SKILLS_FILE.format(lang=lang), language=lang)
        for tally in (run.isco_groups, occupations, skills):
            tally.finish()
        _import_relations(run=run, path=directory / RELATIONS_FILE.format(lang=relations_language))
        # Raising inside the atomic block rolls back every row written so far.
        errors.raise_if_any()

    run.result.seconds = time.monotonic() - started
    return run.result


def _check_files(*, directory: Path, languages: list[str], errors: _Errors) -> str:
    """Report missing files and header columns before anything is written; return the relations language."""
    relations_language = ""
    for lang in languages:
        for pattern, columns, required in (
            (OCCUPATIONS_FILE, OCCUPATION_COLUMNS, True),
            (SKILLS_FILE, SKILL_COLUMNS, True),
            (ISCO_GROUPS_FILE, ISCO_GROUP_COLUMNS, False),
        ):
            path = directory / pattern.format(lang=lang)
            if path.exists():
                _check_header(path=path, columns=columns, errors=errors)
            elif required:
                errors.add(path.name, None, f"file missing in {directory}")
        if not relations_language and (directory / RELATIONS_FILE.format(lang=lang)).exists():
            relations_language = lang
    if relations_language:
        path = directory / RELATIONS_FILE.format(lang=relations_language)
        _check_header(path=path, columns=RELATION_COLUMNS, errors=errors)
    else:
        names = ", ".join(RELATIONS_FILE.format(lang=lang) for lang in languages)
        errors.add(names, None, f"no relations file in {directory} (one of these is needed)")
    return relations_language


def _check_header(*, path: Path, columns: Sequence[str], errors: _Errors) -> None:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (UnicodeDecodeError, csv.Error) as exc:
        errors.add(path.name, 1, f"unreadable header ({exc})")
        return
    missing = [column for column in columns if column not in header]
    if missing:
        errors.add(path.name, 1, f"header lacks column(s) {', '.join(missing)}")


def _rows(*, run: _Run, path: Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line where the record starts, {column: stripped value}) for each well-formed record."""
    name = path.name
    run.progress(f"{name}: reading")
    count = 0
    start = 1
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            wanted = [(column, header.index(column)) for column in columns]
            optional = [(column, header.index(column)) for column in ("code",) if column in header]
            start = reader.line_num + 1
            for values in reader:
                line, start = start, reader.line_num + 1
                if not any(value.strip() for value in values):
                    continue
                count += 1
                if count % PROGRESS_EVERY == 0:
                    run.progress(f"{name}: {count:,} rows")
                if len(values) != len(header):
                    run.errors.add(name, line, f"{len(values)} fields, the header has {len(header)}")
                    continue
                yield line, {column: values[index].strip() for column, index in (*wanted, *optional)}
    except UnicodeDecodeError as exc:
        run.errors.add(name, None, f"not UTF-8 ({exc})")
    except csv.Error as exc:
        run.errors.add(name, start, f"CSV syntax error ({exc})")
    run.result.rows_read += count
    run.progress(f"{name}: {count:,} rows read")


def _batches(rows: Iterator[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _split_labels(value: str) -> list[str]:
    # ESCO puts one alternative label per line inside the quoted field.
    return list(dict.fromkeys(line.strip() for line in value.splitlines() if line.strip()))


def _import_isco_groups(*, run: _Run, path: Path, language: str) -> None:
    name = path.name
    seen: set[str] = set()

    def parsed() -> Iterator[tuple[str, str, str]]:
        for line, row in _rows(run=run, path=path, columns=ISCO_GROUP_COLUMNS):
            code, uri, label = row["code"], row["conceptUri"], row["preferredLabel"]
            if not (code.isdigit() and len(code) <= 4):
                run.errors.add(name, line, f"code {code!r} is not an ISCO-08 code (1 to 4 digits)")
            elif not uri or not label:
                run.errors.add(name, line, "conceptUri and preferredLabel are required")
            elif code in seen:
                run.errors.add(name, line, f"ISCO group {code} appears twice")
            else:
                seen.add(code)
                yield code, uri, label

    tally = run.isco_groups
    for batch in _batches(parsed()):
        existing = {
            code: (uri, labels)
            for code, uri, labels in IscoGroup.objects.filter(code__in=[code for code, _, _ in batch]).values_list(
                "code", "uri", "labels"
            )
        }
        to_write = []
        for code, uri, label in batch:
            tally.seen.add(code)
            old_uri, old_labels = existing.get(code, (None, {}))
            labels = {**old_labels, language: label}
            if code not in existing:
                tally.created.add(code)
            elif (old_uri, old_labels) != (uri, labels):
                tally.changed.add(code)
            else:
                continue
            to_write.append(IscoGroup(code=code, uri=uri, labels=labels))
        if to_write:
            IscoGroup.objects.bulk_create(
                to_write, update_conflicts=True, unique_fields=["code"], update_fields=["uri", "labels"]
            )


def _parse_concept(*, run: _Run, kind: _ConceptKind, name: str, line: int, row: dict[str, str]) -> _ConceptRow | None:
    uri, preferred = row["conceptUri"], row["preferredLabel"]
    if not uri:
        run.errors.add(name, line, "conceptUri is empty")
        return None
    if not preferred:
        run.errors.add(name, line, f"preferredLabel is empty ({uri})")
        return None
    alternatives = [label for label in _split_labels(row["altLabels"]) if label != preferred]
    too_long = [label for label in (preferred, *alternatives) if len(label) > LABEL_MAX_LENGTH]
    if too_long:
        run.errors.add(name, line, f"label longer than {LABEL_MAX_LENGTH} characters: {too_long[0][:60]}…")
        return None
    if kind.model is Occupation:
        isco_group = row["iscoGroup"]
        if isco_group and not (isco_group.isdigit() and len(isco_group) == 4):
            run.errors.add(name, line, f"iscoGroup {isco_group!r} is not a 4-digit ISCO-08 code")
            return None
        code = row.get("code", "")
        if len(code) > 30:
            run.errors.add(name, line, f"code {code[:40]!r} is longer than 30 characters")
            return None
        values = {"code": code, "isco_group": isco_group}
    else:
        reuse_level = row["reuseLevel"]
        if len(reuse_level) > 30:
            run.errors.add(name, line, f"reuseLevel {reuse_level[:40]!r} is too long")
            return None
        skill_type = SKILL_TYPES.get(row["skillType"], Skill.SkillType.OTHER)
        values = {"skill_type": str(skill_type), "reuse_level": reuse_level}
    return _ConceptRow(line=line, uri=uri, preferred=preferred, alternatives=alternatives, values=values)


def _import_concepts(*, run: _Run, kind: _ConceptKind, path: Path, language: str) -> None:
    name = path.name
    columns = OCCUPATION_COLUMNS if kind.model is Occupation else SKILL_COLUMNS
    first_line: dict[str, int] = {}

    def parsed() -> Iterator[_ConceptRow]:
        for line, row in _rows(run=run, path=path, columns=columns):
            concept = _parse_concept(run=run, kind=kind, name=name, line=line, row=row)
            if concept is None:
                continue
            if concept.uri in first_line:
                run.errors.add(name, line, f"{concept.uri} appears twice (first on line {first_line[concept.uri]})")
                continue
            first_line[concept.uri] = line
            yield concept

    for batch in _batches(parsed()):
        ids = _write_concepts(kind=kind, batch=batch, language=language)
        _write_labels(run=run, kind=kind, batch=batch, ids=ids, language=language)


def _write_concepts(*, kind: _ConceptKind, batch: list[_ConceptRow], language: str) -> dict[str, int]:
    """Upsert the batch's concepts (only those that change); return uri → id for the whole batch."""
    existing = {
        uri: (pk, labels, dict(zip(kind.fields, values, strict=True)))
        for uri, pk, labels, *values in kind.model.objects.filter(uri__in=[row.uri for row in batch]).values_list(
            "uri", "pk", "labels", *kind.fields
        )
    }
    ids = {uri: pk for uri, (pk, _, _) in existing.items()}
    to_write: list[models.Model] = []
    for row in batch:
        pk, old_labels, old_values = existing.get(row.uri, (None, {}, {}))
        labels = {**old_labels, language: row.preferred}
        if pk is not None and labels == old_labels and row.values == old_values:
            continue
        if pk is not None:
            kind.changed.add(pk)
        to_write.append(kind.model(uri=row.uri, labels=labels, **row.values))
    if to_write:
        kind.model.objects.bulk_create(
            to_write, update_conflicts=True, unique_fields=["uri"], update_fields=["labels", *kind.fields]
        )
        new = [obj for obj in to_write if obj.uri not in ids]
        if any(obj.pk is None for obj in new):
            # Backends that cannot return ids from an upsert: look the new rows up.
            ids.update(kind.model.objects.filter(uri__in=[obj.uri for obj in new]).values_list("uri", "pk"))
        else:
            ids.update((obj.uri, obj.pk) for obj in new)
        kind.created.update(ids[obj.uri] for obj in new)
    kind.seen.update(ids.values())
    return ids


def _write_labels(
    *, run: _Run, kind: _ConceptKind, batch: list[_ConceptRow], ids: dict[str, int], language: str
) -> None:
    """Replace a concept's labels of `language` where they differ from the file."""
    wanted = {ids[row.uri]: {(row.preferred, True), *((label, False) for label in row.alternatives)} for row in batch}
    current: dict[int, set[tuple[str, bool]]] = {pk: set() for pk in wanted}
    for pk, text, preferred in kind.label_model.objects.filter(
        **{f"{kind.label_fk}__in": list(wanted)}, language=language
    ).values_list(kind.label_fk, "text", "preferred"):
        current[pk].add((text, preferred))
    stale = [pk for pk, labels in wanted.items() if labels != current[pk]]
    if not stale:
        return
    replaced = [pk for pk in stale if current[pk]]
    if replaced:
        deleted, _ = kind.label_model.objects.filter(**{f"{kind.label_fk}__in": replaced}, language=language).delete()
        run.result.labels_deleted += deleted
    rows = [
        kind.label_model(**{kind.label_fk: pk}, language=language, text=text, preferred=preferred)
        for pk in stale
        for text, preferred in sorted(wanted[pk], key=lambda label: (not label[1], label[0]))
    ]
    kind.label_model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    run.result.labels_created += len(rows)
    kind.changed.update(stale)


def _import_relations(*, run: _Run, path: Path) -> None:
    name = path.name
    occupation_ids = dict(Occupation.objects.exclude(uri=None).values_list("uri", "pk"))
    skill_ids = dict(Skill.objects.exclude(uri=None).values_list("uri", "pk"))

    def parsed() -> Iterator[tuple[int, int, str]]:
        for line, row in _rows(run=run, path=path, columns=RELATION_COLUMNS):
            occupation_uri, skill_uri, relation = row["occupationUri"], row["skillUri"], row["relationType"]
            if not occupation_uri or not skill_uri:
                run.errors.add(name, line, "occupationUri and skillUri are required")
            elif relation not in RELATION_TYPES:
                run.errors.add(name, line, f"relationType {relation!r} is neither essential nor optional")
            elif occupation_uri not in occupation_ids:
                run.errors.add(name, line, f"unknown occupation {occupation_uri}")
            elif skill_uri not in skill_ids:
                run.errors.add(name, line, f"unknown skill {skill_uri}")
            else:
                yield occupation_ids[occupation_uri], skill_ids[skill_uri], relation

    counts = run.result.relations
    for batch in _batches(parsed()):
        # A pair listed twice in one batch would make the upsert touch a row twice; the last one wins.
        wanted = {(occupation, skill): relation for occupation, skill, relation in batch}
        existing = {
            (occupation, skill): relation
            for occupation, skill, relation in OccupationSkill.objects.filter(
                occupation_id__in={occupation for occupation, _ in wanted},
                skill_id__in={skill for _, skill in wanted},
            ).values_list("occupation_id", "skill_id", "relation_type")
        }
        to_write = []
        for (occupation, skill), relation in wanted.items():
            old = existing.get((occupation, skill))
            if old == relation:
                counts.unchanged += 1
                continue
            if old is None:
                counts.created += 1
            else:
                counts.updated += 1
            to_write.append(OccupationSkill(occupation_id=occupation, skill_id=skill, relation_type=relation))
        if to_write:
            OccupationSkill.objects.bulk_create(
                to_write,
                update_conflicts=True,
                unique_fields=["occupation", "skill"],
                update_fields=["relation_type"],
            )
