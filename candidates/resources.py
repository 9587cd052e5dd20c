"""Candidate import and export as CSV or XLSX (django-import-export).

One row per candidate, with the columns in `COLUMNS`. An import is checked first
(a dry run whose result is shown as a preview) and then saved all or nothing:
every row goes through the model's `full_clean()` and the intake form's rules, and
if any row fails, no row is saved. Imported candidates belong to the importing
case worker and carry the re-scoring mark. An export writes the same columns,
human-readable (labels, country names), and can be imported again.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import time
import uuid
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Case, QuerySet, When
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from import_export import resources, widgets
from import_export.fields import Field
from import_export.formats.base_formats import CSV, XLSX
from import_export.results import RowResult

from bridges.models import AuditEvent, CEFRLevel, Language, Occupation, OccupationLabel, Place, User
from bridges.services import audit_log
from bridges.tasks import enqueue
from candidates.models import (
    Candidate,
    CandidateLanguage,
    Gender,
    Perspective,
    ResidenceStatus,
    Status,
    WorkPermission,
)
from candidates.rules import MIN_AGE, candidate_rule_errors
from candidates.selectors import DUPLICATE_REASONS, PossibleDuplicate, candidate_find_duplicates_of_many, duplicate_keys

logger = logging.getLogger(__name__)

COLUMNS = [
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "email",
    "phone",
    "street",
    "postal_code",
    "town",
    "nationality",
    "country_of_origin",
    "residence_status",
    "work_permission",
    "work_permission_valid_until",
    "perspective",
    "return_country",
    "status",
    "available_from",
    "languages",
    "desired_occupations",
]
REQUIRED_COLUMNS = ["first_name", "last_name", "date_of_birth", "residence_status", "work_permission", "perspective"]

# key: (label, file extension, content type)
IMPORT_FORMATS = {
    "csv": (_("CSV (UTF-8)"), "csv", "text/csv; charset=utf-8"),
    "xlsx": (_("Excel workbook (XLSX)"), "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_ROWS = 2000
# A sheet's used range can run far below its data (rows that were formatted or emptied, up to a
# million): this many blank rows in a row end the data, so that reading such a file costs no
# more than reading its candidates.
END_BLANK_ROWS = 100
# The audit summaries of imports before the per-row duplicate choice: rows written then (and
# converted by bridges' migration 0004) still name these message ids.
EARLIER_IMPORT_SUMMARIES = (
    gettext_noop("%(count)s candidates imported from %(file)s"),
    gettext_noop("%(count)s candidates imported"),
)
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")

# The intake form's rules (candidates.forms), applied to every imported row.
PHONE = re.compile(r"^\+?[0-9 ()/-]{6,30}$")

# A spreadsheet runs a cell that starts with one of these as a formula; the export
# puts an apostrophe in front, and the import takes it off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NATIVE_WORDS = {"native", "muttersprache", "mother tongue"}


# What to do with an imported row that may be an existing profile (an update is the profile's id).
SKIP, CREATE, UPDATE = "skip", "create", "update"
Decision = str | int


class ImportFileError(Exception):
    """The file as a whole cannot be imported (encoding, format, columns); nothing was read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _text(value) -> str:
    """A cell as text: numbers without a trailing .0, dates as YYYY-MM-DD, no surrounding space."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_START:
        text = text[1:]
    return text


def _required() -> ValueError:
    return ValueError(gettext("This value is required."))


def column_help() -> list[tuple[str, bool, str]]:
    """(column, required, what to write) for each column, for the import page."""

    def codes(choices) -> str:
        return ", ".join(code for code, _label in choices)

    country = gettext("ISO code such as SY, AF or DE (or the country's name)")
    date_hint = gettext("date as YYYY-MM-DD or DD.MM.YYYY")
    return [
        ("first_name", True, ""),
        ("last_name", True, ""),
        ("date_of_birth", True, gettext("%(date)s; at least %(age)d years old") % {"date": date_hint, "age": MIN_AGE}),
        ("gender", False, codes(Gender.choices)),
        ("email", False, ""),
        ("phone", False, gettext("digits, spaces and + ( ) / - only")),
        ("street", False, gettext("street and number")),
        ("postal_code", False, gettext("five digits for a German town")),
        ("town", False, gettext("the town's name, e.g. Erfurt; of several with that name, the largest German one")),
        ("nationality", False, country),
        ("country_of_origin", False, country),
        ("residence_status", True, codes(ResidenceStatus.choices)),
        ("work_permission", True, codes(WorkPermission.choices)),
        ("work_permission_valid_until", False, gettext("%(date)s; not in the past") % {"date": date_hint}),
        (
            "perspective",
            True,
            gettext("%(codes)s; “return” needs return_country") % {"codes": codes(Perspective.choices)},
        ),
        ("return_country", False, country),
        ("status", False, gettext("%(codes)s; empty means active") % {"codes": codes(Status.choices)}),
        ("available_from", False, date_hint),
        ("languages", False, gettext("code:level separated by “;”, e.g. de:B1; ar:native (levels A1–C2 or native)")),
        ("desired_occupations", False, gettext("occupation names separated by “;”, as in the occupation list")),
    ]


# --- Widgets: one cell <-> one value -------------------------------------------


class TextWidget(widgets.Widget):
    def __init__(self, *, required: bool = False, lower: bool = False, pattern: re.Pattern | None = None, hint=""):
        super().__init__()
        self.required, self.lower, self.pattern, self.hint = required, lower, pattern, hint

    def clean(self, value, row=None, **kwargs) -> str:
        text = _text(value)
        if self.required and not text:
            raise _required()
        if text and self.pattern and not self.pattern.match(text):
            raise ValueError(str(self.hint))
        return text.lower() if self.lower else text

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class PostalCodeWidget(TextWidget):
    def clean(self, value, row=None, **kwargs) -> str:
        # A spreadsheet turns 07743 (Jena) into the number 7743; German postal codes have five digits.
        if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
            return f"{int(value):05d}"
        return super().clean(value, row, **kwargs)


class DateWidget(widgets.Widget):
    def __init__(self, *, required: bool = False):
        super().__init__()
        self.required = required

    def clean(self, value, row=None, **kwargs) -> date | None:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value)
        if not text:
            if self.required:
                raise _required()
            return None
        for date_format in DATE_FORMATS:
            try:
                return datetime.strptime(text, date_format).date()
            except ValueError:
                continue
        raise ValueError(gettext("“%(value)s” is not a date: write YYYY-MM-DD or DD.MM.YYYY.") % {"value": text})

    def render(self, value, obj=None, **kwargs) -> str:
        return value.isoformat() if value else ""


class ChoiceWidget(widgets.Widget):
    """A choice given by its code (`allowed`) or by its label in one of the portal's languages."""

    def __init__(self, choices, *, required: bool = False):
        super().__init__()
        self.choices, self.required = list(choices), required

    def clean(self, value, row=None, **kwargs) -> str:
        text = _text(value).casefold()
        if not text:
            if self.required:
                raise _required()
            return ""
        for code, _label in self.choices:
            if text == code.casefold():
                return code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for code, label in self.choices:
                    if text == str(label).casefold():
                        return code
        raise ValueError(
            gettext("“%(value)s” is not allowed here. Allowed: %(allowed)s.")
            % {"value": _text(value), "allowed": ", ".join(code for code, _label in self.choices)}
        )

    def render(self, value, obj=None, **kwargs) -> str:
        return str(dict(self.choices).get(value, value or ""))


class CountryWidget(widgets.Widget):
    """A country by ISO 3166-1 alpha-2 code (e.g. SY) or by its English or German name."""

    def clean(self, value, row=None, **kwargs) -> str:
        text = _text(value)
        if not text:
            return ""
        if len(text) == 2 and text.upper() in countries:
            return text.upper()
        for language, _name in settings.LANGUAGES:
            code = countries.by_name(text, language=language)
            if code:
                return code
        raise ValueError(
            gettext("Unknown country “%(value)s”: write the two-letter ISO code, e.g. SY, AF or DE.") % {"value": text}
        )

    def render(self, value, obj=None, **kwargs) -> str:
        return str(value.name) if value else ""


class PlaceWidget(widgets.Widget):
    """A town by name; of several with that name, the German one with the most inhabitants."""

    def __init__(self):
        super().__init__()
        self._found: dict[str, Place | None] = {}

    def clean(self, value, row=None, **kwargs) -> Place | None:
        text = _text(value)
        if not text:
            return None
        key = text.casefold()
        if key not in self._found:
            ranked = Place.objects.select_related("region").order_by(
                Case(When(country="DE", then=0), default=1), "-population", "pk"
            )
            # The exact name can use the index; the case-insensitive one is the fallback.
            self._found[key] = ranked.filter(name=text).first() or ranked.filter(name__iexact=text).first()
        place = self._found[key]
        if place is None:
            raise ValueError(gettext("Unknown town “%(value)s”.") % {"value": text})
        return place

    def render(self, value, obj=None, **kwargs) -> str:
        return value.name if value else ""


# --- The resource ---------------------------------------------------------------


def _level_name(level: int) -> str:
    return "native" if level == CEFRLevel.NATIVE else CEFRLevel(level).label


def _native_words() -> set[str]:
    words = set(NATIVE_WORDS)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            words.add(str(CEFRLevel.NATIVE.label).casefold())
    return words


class CandidateResource(resources.ModelResource):
    first_name = Field(attribute="first_name", column_name="first_name", widget=TextWidget(required=True))
    last_name = Field(attribute="last_name", column_name="last_name", widget=TextWidget(required=True))
    date_of_birth = Field(attribute="date_of_birth", column_name="date_of_birth", widget=DateWidget(required=True))
    gender = Field(attribute="gender", column_name="gender", widget=ChoiceWidget(Gender.choices))
    email = Field(attribute="email", column_name="email", widget=TextWidget(lower=True))
    phone = Field(
        attribute="phone",
        column_name="phone",
        widget=TextWidget(pattern=PHONE, hint=_("Enter a phone number with digits, spaces and + ( ) / - only.")),
    )
    street = Field(attribute="street", column_name="street", widget=TextWidget())
    postal_code = Field(attribute="postal_code", column_name="postal_code", widget=PostalCodeWidget())
    town = Field(attribute="place", column_name="town", widget=PlaceWidget())
    nationality = Field(attribute="nationality", column_name="nationality", widget=CountryWidget())
    country_of_origin = Field(attribute="country_of_origin", column_name="country_of_origin", widget=CountryWidget())
    residence_status = Field(
        attribute="residence_status",
        column_name="residence_status",
        widget=ChoiceWidget(ResidenceStatus.choices, required=True),
    )
    work_permission = Field(
        attribute="work_permission",
        column_name="work_permission",
        widget=ChoiceWidget(WorkPermission.choices, required=True),
    )
    work_permission_valid_until = Field(
        attribute="work_permission_valid_until", column_name="work_permission_valid_until", widget=DateWidget()
    )
    perspective = Field(
        attribute="perspective", column_name="perspective", widget=ChoiceWidget(Perspective.choices, required=True)
    )
    return_country = Field(attribute="return_country", column_name="return_country", widget=CountryWidget())
    status = Field(attribute="status", column_name="status", widget=ChoiceWidget(Status.choices), default=Status.ACTIVE)
    available_from = Field(attribute="available_from", column_name="available_from", widget=DateWidget())
    # Related rows: parsed in import_instance, saved in after_save_instance.
    languages = Field(column_name="languages")
    desired_occupations = Field(column_name="desired_occupations")

    class Meta:
        model = Candidate
        fields = COLUMNS
        import_order = COLUMNS
        export_order = COLUMNS
        force_init_instance = True  # an import only creates candidates
        clean_model_instances = True
        use_transactions = True
        skip_diff = True
        store_instance = True

    def __init__(
        self,
        *,
        actor: User | None = None,
        duplicates: Mapping[int, list[PossibleDuplicate]] | None = None,
        decisions: Mapping[int, Decision] | None = None,
        row_numbers: Sequence[int] = (),
        **kwargs,
    ) -> None:
        """`duplicates` and `decisions` are keyed by the dataset's row index (from 1); without
        `decisions`, a row that is the same as an existing profile is skipped and a row that may
        be the same person is created (a preview). `row_numbers` are the rows' numbers in the
        file, for messages that name another row."""
        super().__init__(**kwargs)
        self.actor = actor
        self.duplicates = duplicates or {}
        self.decisions = decisions
        self.row_numbers = row_numbers
        self._people_seen: dict[tuple, int] = {}  # duplicate key -> the row of the file that had it first
        self.exact: dict[int, Candidate] = {}  # row index -> the profile that row repeats
        self._row_index = 0
        self._languages: dict[str, Language] | None = None
        self._occupations: dict[str, list[tuple[int, bool]]] = {}
        self._native = _native_words()

    # Export ------------------------------------------------------------------

    def dehydrate_languages(self, candidate: Candidate) -> str:
        # .all() reads the prefetched rows of candidate_list(); no query per candidate.
        return "; ".join(f"{row.language.code}:{_level_name(row.level)}" for row in candidate.languages.all())

    def dehydrate_desired_occupations(self, candidate: Candidate) -> str:
        return "; ".join(occupation.label for occupation in candidate.desired_occupations.all())

    # Import ------------------------------------------------------------------

    def before_import_row(self, row, **kwargs) -> None:
        self._row_index = kwargs["row_number"]
        decision = self._decision()
        if isinstance(decision, int) and decision not in self._duplicate_pks():
            raise ValidationError(
                {NON_FIELD_ERRORS: gettext("The profile to update is not among this row's possible duplicates.")}
            )

    def get_or_init_instance(self, instance_loader, row) -> tuple[Candidate, bool]:
        decision = self._decision()
        if isinstance(decision, int):
            return Candidate.objects.select_for_update().get(pk=decision), False
        return super().get_or_init_instance(instance_loader, row)

    def after_init_instance(self, instance: Candidate, new: bool, row, **kwargs) -> None:
        if new:
            instance.case_worker = self.actor if self.actor is not None and self.actor.is_authenticated else None
        instance.rescore_requested_at = timezone.now()
        instance._import_new = new
        instance._import_languages = []
        instance._import_occupations = []

    def import_instance(self, instance: Candidate, row, **kwargs) -> None:
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # An update keeps the regions, which the file has no column for, only where they still fit.
        if instance.region_of_origin_id and instance.region_of_origin.country != instance.country_of_origin:
            instance.region_of_origin = None
        if instance.return_region_id and instance.return_region.country != instance.return_country:
            instance.return_region = None
        parsers = (
            ("languages", self._parse_languages, "_import_languages"),
            ("desired_occupations", self._parse_occupations, "_import_occupations"),
        )
        for column, parse, attribute in parsers:
            try:
                setattr(instance, attribute, parse(_text(row.get(column))))
            except ValueError as error:
                errors.setdefault(column, []).append(ValidationError(str(error)))
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance: Candidate, import_validation_errors=None, validate_unique=True) -> None:
        errors = dict(import_validation_errors or {})
        for column, message in candidate_rule_errors(instance, skip=set(errors)):
            errors.setdefault(column, []).append(ValidationError(message))
        if earlier := self._same_person_earlier_in_file(instance):
            errors.setdefault(NON_FIELD_ERRORS, []).append(ValidationError(earlier))
        super().validate_instance(instance, errors, validate_unique)

    def _same_person_earlier_in_file(self, instance: Candidate) -> str:
        """A message if an earlier row of the file names the same person (the intake's rule), else ""."""
        keys = duplicate_keys(
            first_name=instance.first_name,
            last_name=instance.last_name,
            date_of_birth=instance.date_of_birth,
            email=instance.email,
            phone=instance.phone,
        )
        number = self.row_numbers[self._row_index - 1] if self.row_numbers else self._row_index
        earlier = {}
        for reason, key in keys.items():
            first = self._people_seen.setdefault((reason, *key), number)
            if first != number:
                earlier.setdefault(first, []).append(str(DUPLICATE_REASONS[reason]))
        if not earlier:
            return ""
        row, reasons = min(earlier.items())
        return gettext("Row %(row)s of this file names the same person (%(reasons)s): keep one of the two rows.") % {
            "row": row,
            "reasons": ", ".join(reasons),
        }

    def skip_row(self, instance: Candidate, original, row, import_validation_errors=None) -> bool:
        duplicates = self.duplicates.get(self._row_index, [])
        if instance._import_new and not import_validation_errors:
            same = [d.candidate for d in duplicates if _repeats(self, instance, row, d.candidate)]
            if same:
                self.exact[self._row_index] = same[0]
        decision = self._decision()
        if decision is None and duplicates:
            if self._row_index in self.exact:
                return True  # re-importing a profile unchanged adds nothing
            if self.decisions is not None:
                raise ValidationError(
                    {
                        NON_FIELD_ERRORS: gettext(
                            "This row may be a profile that exists: choose to skip it, update it or create one."
                        )
                    }
                )
        return decision == SKIP

    def after_save_instance(self, instance: Candidate, row, **kwargs) -> None:
        # A column that the file has replaces the profile's languages or occupations; one it lacks keeps them.
        if "languages" in row:
            if not instance._import_new:
                CandidateLanguage.objects.filter(candidate=instance).delete()
            CandidateLanguage.objects.bulk_create(
                CandidateLanguage(candidate=instance, language=language, level=level)
                for language, level in instance._import_languages
            )
        if "desired_occupations" in row and (instance._import_occupations or not instance._import_new):
            instance.desired_occupations.set(instance._import_occupations)

    def after_import(self, dataset, result, **kwargs) -> None:
        # ModelResource resets the id sequence here, for imports that bring their own
        # ids. Ours never do, and a reset could race with other writers, so skip it.
        pass

    def _decision(self) -> Decision | None:
        return None if self.decisions is None else self.decisions.get(self._row_index)

    def _duplicate_pks(self) -> set[int]:
        return {duplicate.candidate.pk for duplicate in self.duplicates.get(self._row_index, [])}

    def _parse_languages(self, text: str) -> list[tuple[Language, int]]:
        """`de:B1; ar:native` -> [(German, B1), (Arabic, native)]; ValueError naming every problem."""
        if self._languages is None:
            self._languages = {language.code.casefold(): language for language in Language.objects.all()}
        parsed, problems, seen = [], [], set()
        for item in filter(None, (part.strip() for part in re.split(r"[;,]", text))):
            code, colon, level_text = item.partition(":")
            code, level_text = code.strip().casefold(), level_text.strip()
            if not colon or not code or not level_text:
                problems.append(gettext("Write “%(item)s” as code:level, e.g. de:B1.") % {"item": item})
                continue
            language = self._languages.get(code)
            if language is None:
                problems.append(gettext("Unknown language code “%(code)s”.") % {"code": code})
            level = self._level(level_text)
            if level is None:
                problems.append(
                    gettext("Unknown language level “%(level)s”: use A1, A2, B1, B2, C1, C2 or native.")
                    % {"level": level_text}
                )
            if language is None or level is None:
                continue
            if language.pk in seen:
                problems.append(gettext("The language “%(code)s” is given twice.") % {"code": code})
                continue
            seen.add(language.pk)
            parsed.append((language, level))
        if problems:
            raise ValueError(" ".join(problems))
        return parsed

    def _level(self, text: str) -> int | None:
        key = text.casefold()
        if key in self._native:
            return CEFRLevel.NATIVE
        for value, label in CEFRLevel.choices:
            if value != CEFRLevel.NATIVE and key == str(label).casefold():
                return value
        return None

    def _parse_occupations(self, text: str) -> list[int]:
        """Occupation labels separated by `;`, matched case-insensitively; ValueError for unknown ones."""
        found, problems = [], []
        for label in filter(None, (part.strip() for part in text.split(";"))):
            key = label.casefold()
            if key not in self._occupations:
                self._occupations[key] = list(
                    OccupationLabel.objects.filter(text__iexact=label)
                    .values_list("occupation_id", "preferred")
                    .distinct()
                )
            matches = self._occupations[key]
            ids = {occupation_id for occupation_id, _preferred in matches}
            preferred = {occupation_id for occupation_id, is_preferred in matches if is_preferred}
            if len(ids) == 1:
                found.append(ids.pop())
            elif len(preferred) == 1:
                # Several occupations share the label; the one it names preferably wins.
                found.append(preferred.pop())
            elif ids:
                problems.append(
                    gettext("The occupation “%(label)s” is ambiguous: use its exact preferred label.")
                    % {"label": label}
                )
            else:
                problems.append(gettext("Unknown occupation “%(label)s”.") % {"label": label})
        if problems:
            raise ValueError(" ".join(problems))
        return list(dict.fromkeys(found))


def _repeats(resource: CandidateResource, instance: Candidate, row, existing: Candidate) -> bool:
    """Whether `instance`, parsed from `row`, holds in each of the file's columns what `existing` holds."""
    for column in resource.get_import_fields():
        name = column.column_name
        if name not in row:
            continue
        if name == "languages":
            imported = {(language.pk, level) for language, level in instance._import_languages}
            if imported != {(known.language_id, known.level) for known in existing.languages.all()}:
                return False
        elif name == "desired_occupations":
            if set(instance._import_occupations) != {
                occupation.pk for occupation in existing.desired_occupations.all()
            }:
                return False
        elif name == "email":
            # The import writes addresses in lower case; a profile typed in by hand may not have.
            if instance.email.casefold() != existing.email.casefold():
                return False
        elif getattr(instance, column.attribute) != getattr(existing, column.attribute):
            return False
    return True


# --- Reading files ----------------------------------------------------------------


@dataclass
class ImportFile:
    """The rows of an import file, with the row number each has in the file (the header is row 1)."""

    dataset: tablib.Dataset
    row_numbers: list[int]
    end_row: int | None = None  # blank rows from this row on ended the reading


def import_file_parse(*, content: bytes, file_format: str) -> ImportFile:
    """Read an uploaded CSV or XLSX file; ImportFileError with a message a person can act on."""
    if not content:
        raise ImportFileError(gettext("The file is empty."))
    if len(content) > IMPORT_MAX_BYTES:
        raise ImportFileError(gettext("The file is too large for an import; split it into smaller files."))
    if file_format == "csv":
        headers, records, end_row = _read_csv(content)
    elif file_format == "xlsx":
        headers, records, end_row = _read_xlsx(content)
    else:
        raise ImportFileError(gettext("Choose CSV or XLSX as the format."))
    import_file = _import_file(headers, records)
    import_file.end_row = end_row
    return import_file


def _read_csv(content: bytes) -> tuple[list, list[tuple[int, list]], int | None]:
    if content.startswith(b"PK\x03\x04") or b"\x00" in content:
        raise ImportFileError(
            gettext("This is not a CSV text file. If it is an Excel workbook, choose the format XLSX.")
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            gettext("The file is not UTF-8 encoded text. Save it as “CSV UTF-8” and upload it again.")
        ) from None
    first_line = text.split("\n", 1)[0]
    # Spreadsheets in German save CSV with semicolons; the header line tells which separator is used.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        return _rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportFileError(gettext("The CSV file cannot be read: %(error)s") % {"error": error}) from None


def _read_xlsx(content: bytes) -> tuple[list, list[tuple[int, list]], int | None]:
    import openpyxl

    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise ImportFileError(gettext("This is not an Excel workbook (XLSX). If it is a CSV file, choose CSV."))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # The size the sheet declares is no limit: rows are padded to it, and it may be a million.
            sheet.reset_dimensions()
            return _rows(sheet.iter_rows(values_only=True, max_row=1 + IMPORT_MAX_ROWS + END_BLANK_ROWS))
        finally:
            workbook.close()
    except ImportFileError:
        raise
    except Exception:
        logger.info("An uploaded XLSX file could not be read", exc_info=True)
        raise ImportFileError(gettext("The Excel workbook cannot be read. Save it again as XLSX and retry.")) from None


def _rows(rows: Iterable[Sequence]) -> tuple[list, list[tuple[int, list]], int | None]:
    """The header, the rows below it that hold something, numbered as in the file, and the row
    from which END_BLANK_ROWS blank rows ended the reading (None if the file ended first).

    Reads at most IMPORT_MAX_ROWS rows below the header and the blank rows after them.
    """
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        raise ImportFileError(gettext("The file is empty."))
    records, blank = [], 0
    for number, values in enumerate(rows, start=2):
        if not any(_text(value) for value in values):
            blank += 1
            if blank == END_BLANK_ROWS:
                return list(header), records, number - blank + 1
            continue
        blank = 0
        if number > IMPORT_MAX_ROWS + 1:
            raise ImportFileError(
                gettext("The file has more than %(max)d rows; split it into smaller files.") % {"max": IMPORT_MAX_ROWS}
            )
        records.append((number, list(values)))
    return list(header), records, None


def _import_file(headers: list, records: Iterable[tuple[int, list]]) -> ImportFile:
    names = [_text(header).casefold() for header in headers]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise ImportFileError(gettext("The first row must hold the column names."))
    if "" in names:
        raise ImportFileError(
            gettext("Column %(number)d has no name in the first row.") % {"number": names.index("") + 1}
        )
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ImportFileError(gettext("These columns appear twice: %(columns)s.") % {"columns": ", ".join(duplicates)})
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise ImportFileError(
            gettext("Unknown columns: %(unknown)s. The columns are: %(columns)s.")
            % {"unknown": ", ".join(unknown), "columns": ", ".join(COLUMNS)}
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ImportFileError(gettext("Required columns are missing: %(missing)s.") % {"missing": ", ".join(missing)})
    dataset = tablib.Dataset(headers=names)
    row_numbers = []
    for number, values in records:
        if any(_text(value) for value in values[len(names) :]):
            raise ImportFileError(gettext("Row %(number)d has more cells than there are columns.") % {"number": number})
        dataset.append((list(values) + [None] * len(names))[: len(names)])
        row_numbers.append(number)
    if not row_numbers:
        raise ImportFileError(gettext("The file has no candidate rows below the column names."))
    return ImportFile(dataset=dataset, row_numbers=row_numbers)


# --- Import and export ------------------------------------------------------------


@dataclass
class ImportRow:
    number: int  # as in the file: the header is row 1
    candidate: Candidate | None = None  # as it would be saved (not saved in a dry run)
    languages: str = ""
    occupations: str = ""
    name: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message); column "" for the row
    duplicates: list[PossibleDuplicate] = field(default_factory=list)  # profiles that may be this person
    repeats: Candidate | None = None  # the profile that holds exactly this row
    action: str = CREATE  # CREATE, UPDATE or SKIP


@dataclass
class ImportReport:
    rows: list[ImportRow]
    errors: list[str] = field(default_factory=list)  # not tied to a row
    end_row: int | None = None  # as ImportFile.end_row

    end_blank_rows = END_BLANK_ROWS

    @property
    def new_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.errors and row.action == CREATE]

    @property
    def unique_rows(self) -> list[ImportRow]:
        """New rows that are nobody's possible duplicate."""
        return [row for row in self.new_rows if not row.duplicates]

    @property
    def updated_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.errors and row.action == UPDATE]

    @property
    def skipped_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.action == SKIP]

    @property
    def duplicate_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.duplicates]

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.error_rows


def import_file_duplicates(*, import_file: ImportFile, actor: User) -> dict[int, list[PossibleDuplicate]]:
    """The profiles that may be the same person as a row, by the row's number in the file, found
    by the intake page's duplicate check; rows without any are left out."""
    found = _duplicates(CandidateResource(actor=actor), import_file, actor)
    return {import_file.row_numbers[index - 1]: duplicates for index, duplicates in found.items()}


def _duplicates(resource: CandidateResource, import_file: ImportFile, actor: User) -> dict[int, list]:
    people = []
    for values in import_file.dataset.dict:
        person = {}
        for name in ("first_name", "last_name", "date_of_birth", "email", "phone"):
            try:
                person[name] = resource.fields[name].clean(values) if name in values else None
            except ValueError:
                person[name] = None  # the import reports the value; it cannot name a duplicate
        people.append(person)
    found = candidate_find_duplicates_of_many(user=actor, people=people, with_profile=True)
    return {index: duplicates for index, duplicates in enumerate(found, start=1) if duplicates}


def candidates_import(
    *,
    import_file: ImportFile,
    actor: User,
    dry_run: bool,
    decisions: Mapping[int, Decision] | None = None,
    file_name: str = "",
) -> ImportReport:
    """Check (dry run) or import every row of `import_file`, in one transaction.

    Every row goes through the intake page's duplicate check. `decisions` say, by row
    number in the file, what to do with a row that may be an existing profile: SKIP it,
    CREATE a new profile, or update the profile with that id. Without decisions (a
    preview), a row that repeats a profile exactly is skipped and the others are
    checked as new profiles; an import needs a decision for every row that may be a
    duplicate, except that a row that repeats a profile is skipped unless told otherwise.
    Without dry run, the rows are saved only if every row is valid; otherwise nothing
    is saved and the report says why. One audit row records the import, and one each
    profile it updates.
    """
    index_of = {number: index for index, number in enumerate(import_file.row_numbers, start=1)}
    resource = CandidateResource(
        actor=actor,
        decisions=None if decisions is None else {index_of[n]: d for n, d in decisions.items() if n in index_of},
        row_numbers=import_file.row_numbers,
    )
    with transaction.atomic():
        resource.duplicates = _duplicates(resource, import_file, actor)
        result = resource.import_data(
            import_file.dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            raise_errors=False,
        )
        report = _report(resource, result, import_file)
        if dry_run:
            return report
        if not report.ok:
            transaction.set_rollback(True)
            return report
        for row in report.updated_rows:
            audit_log(
                actor=actor,
                action=AuditEvent.Action.UPDATE,
                target=row.candidate,
                summary=_("updated from row %(row)s of the import %(file)s")
                if file_name
                else _("updated from row %(row)s of an import"),
                params={"row": row.number, "file": file_name},
            )
        audit_log(
            actor=actor,
            action=AuditEvent.Action.IMPORT,
            target="candidates.candidate",
            summary=_("%(count)s candidates imported, %(updated)s updated, %(skipped)s rows skipped from %(file)s")
            if file_name
            else _("%(count)s candidates imported, %(updated)s updated, %(skipped)s rows skipped"),
            params={
                "count": len(report.new_rows),
                "updated": len(report.updated_rows),
                "skipped": len(report.skipped_rows),
                "file": file_name,
            },
        )
        # The new and updated candidates carry the re-scoring mark; one sweep scores them all.
        enqueue("matching.sweep")
    return report


def _report(resource: CandidateResource, result, import_file: ImportFile) -> ImportReport:
    columns = {f.attribute: f.column_name for f in resource.fields.values() if f.attribute}
    report = ImportReport(rows=[], end_row=import_file.end_row)
    for error in result.base_errors:
        logger.error("Candidate import failed", exc_info=error.error)
        report.errors.append(gettext("The import failed. Nothing has been imported."))
    records = import_file.dataset.dict
    for index, row_result in enumerate(result.rows):
        values = records[index]
        row = ImportRow(
            number=import_file.row_numbers[index],
            name=f"{_text(values.get('first_name'))} {_text(values.get('last_name'))}".strip(),
            duplicates=resource.duplicates.get(index + 1, []),
            repeats=resource.exact.get(index + 1),
        )
        if row_result.validation_error is not None:
            for key, messages in row_result.validation_error.message_dict.items():
                column = "" if key == NON_FIELD_ERRORS else columns.get(key, key)
                row.errors.extend((column, message) for message in messages)
        elif row_result.errors:
            for error in row_result.errors:
                logger.warning("Candidate import: row %s could not be saved", row.number, exc_info=error.error)
            row.errors.append(("", gettext("This row could not be saved.")))
        else:
            candidate = row_result.instance
            row.candidate = candidate
            row.action = {RowResult.IMPORT_TYPE_SKIP: SKIP, RowResult.IMPORT_TYPE_UPDATE: UPDATE}.get(
                row_result.import_type, CREATE
            )
            row.languages = "; ".join(
                f"{language.code}:{_level_name(level)}" for language, level in candidate._import_languages
            )
        report.rows.append(row)
    # The occupations as matched, in one query, so that the preview shows what the labels were taken for.
    valid = [row for row in report.rows if row.candidate is not None]
    occupations = Occupation.objects.in_bulk({pk for row in valid for pk in row.candidate._import_occupations})
    for row in valid:
        row.occupations = "; ".join(occupations[pk].label for pk in row.candidate._import_occupations)
    return report


def candidates_export(*, queryset: QuerySet[Candidate], file_format: str, actor: User, description: str = "") -> bytes:
    """The candidates of `queryset` as a CSV or XLSX file; one audit row records the export."""
    dataset = CandidateResource().export(queryset=queryset)
    if file_format == "csv":
        # With the byte order mark, spreadsheet programs read the file as UTF-8.
        content = CSV().export_data(_escape_formulas(dataset, FORMULA_START)).encode("utf-8-sig")
    elif file_format == "xlsx":
        # In an XLSX cell only a leading "=" makes a formula.
        content = XLSX().export_data(_escape_formulas(dataset, ("=",)))
    else:
        raise ValueError(f"unknown export format {file_format!r}")
    audit_log(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        target="candidates.candidate",
        summary=_("%(count)s candidates as %(format)s %(filter)s")
        if description
        else _("%(count)s candidates as %(format)s"),
        params={"count": len(dataset), "format": file_format, "filter": description},
    )
    return content


def _escape_formulas(dataset: tablib.Dataset, starts: tuple[str, ...]) -> tablib.Dataset:
    escaped = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        escaped.append([f"'{cell}" if isinstance(cell, str) and cell.startswith(starts) else cell for cell in row])
    return escaped


# --- Staged import files (between preview and confirmation) -----------------------

STAGE_MAX_AGE = 24 * 60 * 60
TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _stage_dir() -> Path:
    directory = Path(settings.PRIVATE_MEDIA_ROOT) / "imports"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _stage_path(token: str, file_format: str) -> Path | None:
    if not TOKEN.match(token or "") or file_format not in IMPORT_FORMATS:
        return None
    return _stage_dir() / f"{token}.{file_format}"


def import_file_stage(*, content: bytes, file_format: str) -> str:
    """Keep an uploaded import file on the server until it is confirmed; returns its random token."""
    directory = _stage_dir()
    cutoff = time.time() - STAGE_MAX_AGE
    for old in directory.iterdir():
        # Previews that were never confirmed are removed after a day.
        try:
            if old.is_file() and old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        except OSError:
            continue  # removed by another request meanwhile
    token = uuid.uuid4().hex
    path = _stage_path(token, file_format)
    # Created readable for this process only, like the documents (FILE_UPLOAD_PERMISSIONS).
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    return token


def import_file_take(*, token: str, file_format: str) -> bytes | None:
    """The staged file's content, removing it from the server; None if it is gone."""
    path = _stage_path(token, file_format)
    if path is None or not path.is_file():
        return None
    content = path.read_bytes()
    path.unlink(missing_ok=True)
    return content


def import_file_discard(*, token: str, file_format: str) -> None:
    path = _stage_path(token, file_format)
    if path is not None:
        path.unlink(missing_ok=True)
