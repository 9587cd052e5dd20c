"""Candidate import (preview, then all or nothing) and export of the filtered list."""

import csv
import io
import re
import zipfile
from datetime import date, timedelta

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridges.models import AuditEvent, CEFRLevel, Occupation, OccupationLabel, Place
from candidates import resources
from candidates.models import Candidate, CandidateLanguage, Status
from tests.candidates.factories import CandidateFactory, CandidateLanguageFactory, LanguageFactory, PlaceFactory
from tests.factories import SkillFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

IMPORT_URL = "candidates:import"
EXPORT_URL = "candidates:export"


@pytest.fixture
def english(client):
    # Messages are asserted in English; German is the default language.
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def taxonomy(db):
    german = LanguageFactory(code="de", name_en="German", name_de="Deutsch")
    arabic = LanguageFactory(code="ar", name_en="Arabic", name_de="Arabisch")
    persian = LanguageFactory(code="fa", name_en="Persian", name_de="Persisch")
    LanguageFactory(code="en", name_en="English", name_de="Englisch")
    erfurt = PlaceFactory()
    jena = PlaceFactory(geonameid=2895044, name="Jena", latitude=50.9287, longitude=11.5899, population=111407)
    electrician = Occupation.objects.create(labels={"de": "Elektriker/in", "en": "electrician"}, isco_group="7411")
    for language, text in electrician.labels.items():
        OccupationLabel.objects.create(occupation=electrician, language=language, text=text, preferred=True)
    cook = Occupation.objects.create(labels={"de": "Koch/Köchin", "en": "cook"}, isco_group="5120")
    for language, text in cook.labels.items():
        OccupationLabel.objects.create(occupation=cook, language=language, text=text, preferred=True)
    return {
        "de": german,
        "ar": arabic,
        "fa": persian,
        "erfurt": erfurt,
        "jena": jena,
        "electrician": electrician,
        "cook": cook,
    }


def row(**values) -> dict:
    base = {
        "first_name": "Amina",
        "last_name": "Al-Hassan",
        "date_of_birth": "1994-03-12",
        "gender": "female",
        "email": "Amina.AlHassan@Example.org",
        "phone": "+49 361 555 0101",
        "street": "Juri-Gagarin-Ring 12",
        "postal_code": "99084",
        "town": "Erfurt",
        "nationality": "SY",
        "country_of_origin": "SY",
        "residence_status": "aufenthaltserlaubnis",
        "work_permission": "allowed",
        "work_permission_valid_until": "2099-06-30",
        "perspective": "stay",
        "return_country": "",
        "status": "active",
        "available_from": "",
        "languages": "de:B1; ar:native",
        "desired_occupations": "Elektriker/in",
    }
    base.update(values)
    return base


THREE_ROWS = [
    row(),
    row(
        first_name="Hamid",
        last_name="Rahimi",
        date_of_birth="17.08.1989",
        gender="male",
        email="",
        phone="0176 5550 1234",
        postal_code="07743",
        town="jena",
        nationality="AF",
        country_of_origin="AF",
        residence_status="aufenthaltsgestattung",
        work_permission="with_approval",
        work_permission_valid_until="",
        perspective="return",
        return_country="AF",
        status="",
        languages="de:A2; fa:native",
        desired_occupations="koch/köchin; ELEKTRIKER/IN",
    ),
    row(
        first_name="Lina",
        last_name="Haddad",
        date_of_birth="2001-11-02",
        email="",
        phone="",
        town="",
        postal_code="",
        street="",
        languages="",
        desired_occupations="",
        work_permission="not_allowed",
        work_permission_valid_until="",
        perspective="open",
    ),
]


def csv_bytes(rows: list[dict], delimiter: str = ",", columns=None) -> bytes:
    columns = columns or resources.COLUMNS
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def preview(client, content: bytes, name: str = "kandidaten.csv", file_format: str = "csv"):
    return client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, content), "format": file_format})


def confirm(client, token: str):
    return client.post(reverse(IMPORT_URL), {"token": token})


def staged_files(root) -> list:
    return [path for path in (root / "imports").glob("*") if path.is_file()] if (root / "imports").exists() else []


# --- Permissions ---------------------------------------------------------------


@pytest.mark.parametrize("name", [IMPORT_URL, EXPORT_URL])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_anonymous_can_neither_preview_nor_confirm_an_import(client, taxonomy, private_media):
    known = CandidateFactory(first_name="Amina", last_name="Al-Hassan", date_of_birth=date(1994, 3, 12), phone="")

    responses = [
        preview(client, csv_bytes(THREE_ROWS)),
        client.post(reverse(IMPORT_URL), {"token": "0" * 32, "row-2": f"update-{known.pk}"}),
    ]

    for response in responses:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    known.refresh_from_db()
    assert known.phone == ""
    assert Candidate.objects.count() == 1
    assert staged_files(private_media) == []


@pytest.mark.parametrize("persona", ["employer_a", "employer_b"])
def test_employers_get_403_and_nothing_of_any_candidate(client, personas, persona, taxonomy):
    known = CandidateFactory(first_name="Samira", last_name="Darwish")
    client.force_login(personas[persona])

    responses = [
        client.get(reverse(EXPORT_URL)),
        client.get(reverse(EXPORT_URL), {"format": "xlsx"}),
        client.get(reverse(IMPORT_URL)),
        preview(client, csv_bytes(THREE_ROWS)),
        confirm(client, "0" * 32),
        client.post(reverse(IMPORT_URL), {"token": "0" * 32, "row-2": f"update-{known.pk}"}),
    ]

    for response in responses:
        assert response.status_code == 403
        assert b"Darwish" not in response.content
        assert b"Al-Hassan" not in response.content
    assert Candidate.objects.count() == 1
    assert not AuditEvent.objects.filter(action__in=[AuditEvent.Action.EXPORT, AuditEvent.Action.IMPORT]).exists()


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_case_workers_and_admins_import_and_export(client, personas, persona, taxonomy):
    client.force_login(personas[persona])

    assert client.get(reverse(IMPORT_URL)).status_code == 200
    assert client.get(reverse(EXPORT_URL)).status_code == 200
    response = preview(client, csv_bytes(THREE_ROWS))
    assert response.status_code == 200
    assert confirm(client, response.context["token"]).status_code == 302
    assert Candidate.objects.count() == 3


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_case_workers_and_admins_choose_what_happens_to_possible_duplicates(client, personas, persona, taxonomy):
    client.force_login(personas[persona])
    known = CandidateFactory(first_name="Amina", last_name="Al-Hassan", date_of_birth=date(1994, 3, 12), phone="")
    response = preview(client, csv_bytes(THREE_ROWS))

    response = confirm_with(client, response, row_2=f"update-{known.pk}")

    assert response.status_code == 302
    known.refresh_from_db()
    assert known.phone == "+49 361 555 0101"
    assert Candidate.objects.count() == 3


# --- Import: preview and confirmation --------------------------------------------


def test_import_page_offers_the_template_file(english, case_worker):
    english.force_login(case_worker)

    response = english.get(reverse(IMPORT_URL))

    html = response.content.decode()
    assert "candidates/import-template.csv" in html
    assert 'enctype="multipart/form-data"' in html
    for column in resources.REQUIRED_COLUMNS:
        assert column in html


def test_the_template_file_imports_without_errors(case_worker, taxonomy):
    content = (django_settings.BASE_DIR / "static" / "candidates" / "import-template.csv").read_bytes()

    report = resources.candidates_import(
        import_file=resources.import_file_parse(content=content, file_format="csv"), actor=case_worker, dry_run=True
    )

    assert report.ok, [row.errors for row in report.error_rows]
    assert len(report.new_rows) == 2


def test_preview_shows_the_new_rows_and_saves_nothing(english, case_worker, taxonomy, private_media):
    english.force_login(case_worker)

    response = preview(english, csv_bytes(THREE_ROWS))

    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok
    assert [r.number for r in report.new_rows] == [2, 3, 4]
    html = response.content.decode()
    for name in ("Amina Al-Hassan", "Hamid Rahimi", "Lina Haddad"):
        assert name in html
    assert "3 candidates would be created" in html
    assert "Confirm import" in html
    assert not Candidate.objects.exists()
    assert not CandidateLanguage.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()
    assert len(staged_files(private_media)) == 1


def test_confirm_imports_every_row_with_languages_occupations_and_the_rescore_mark(
    english, case_worker, taxonomy, private_media
):
    english.force_login(case_worker)
    token = preview(english, csv_bytes(THREE_ROWS)).context["token"]

    response = confirm(english, token)

    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:list")
    assert [str(m) for m in response.wsgi_request._messages] == ["3 candidates have been imported."]
    amina, hamid, lina = (Candidate.objects.get(first_name=name) for name in ("Amina", "Hamid", "Lina"))
    assert amina.date_of_birth == date(1994, 3, 12)
    assert amina.email == "amina.alhassan@example.org"
    assert amina.place == taxonomy["erfurt"]
    assert amina.nationality.code == "SY"
    assert {(cl.language.code, cl.level) for cl in amina.languages.all()} == {
        ("de", CEFRLevel.B1),
        ("ar", CEFRLevel.NATIVE),
    }
    assert list(amina.desired_occupations.all()) == [taxonomy["electrician"]]
    assert hamid.date_of_birth == date(1989, 8, 17)
    assert hamid.place == taxonomy["jena"]
    assert hamid.postal_code == "07743"
    assert (hamid.perspective, hamid.return_country.code, hamid.status) == ("return", "AF", Status.ACTIVE)
    assert set(hamid.desired_occupations.all()) == {taxonomy["electrician"], taxonomy["cook"]}
    assert lina.place is None
    assert not lina.languages.exists()
    for candidate in (amina, hamid, lina):
        assert candidate.rescore_requested_at is not None
        assert candidate.case_worker == case_worker
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.actor == case_worker
    assert event.summary.startswith("3 candidates")
    assert staged_files(private_media) == []
    assert "candidate_import" not in english.session


def test_a_token_can_be_used_only_once(english, case_worker, taxonomy):
    english.force_login(case_worker)
    token = preview(english, csv_bytes(THREE_ROWS)).context["token"]
    confirm(english, token)

    response = confirm(english, token)

    assert response.status_code == 302
    assert response["Location"] == reverse(IMPORT_URL)
    assert Candidate.objects.count() == 3


def test_a_forged_token_imports_nothing(english, case_worker, taxonomy, private_media):
    english.force_login(case_worker)
    preview(english, csv_bytes(THREE_ROWS))

    response = confirm(english, "f" * 32)

    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == [
        "This import preview has expired. Upload the file again."
    ]
    assert not Candidate.objects.exists()
    assert staged_files(private_media) == []


def future(days: int = 30) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("bad", "column", "message"),
    [
        ({"date_of_birth": future()}, "date_of_birth", "The date of birth cannot be in the future."),
        ({"date_of_birth": "2020-01-01"}, "date_of_birth", "Candidates must be at least 14 years old."),
        ({"date_of_birth": "31.02.1990"}, "date_of_birth", "is not a date: write YYYY-MM-DD or DD.MM.YYYY."),
        ({"languages": "de:B7"}, "languages", "Unknown language level “B7”"),
        ({"languages": "xx:B1"}, "languages", "Unknown language code “xx”."),
        ({"languages": "de:B1; de:C1"}, "languages", "is given twice"),
        ({"town": "Atlantis"}, "town", "Unknown town “Atlantis”."),
        ({"desired_occupations": "Astronaut"}, "desired_occupations", "Unknown occupation “Astronaut”."),
        ({"work_permission_valid_until": "2020-01-01"}, "work_permission_valid_until", "This date is in the past"),
        ({"residence_status": "tourist"}, "residence_status", "“tourist” is not allowed here."),
        ({"perspective": ""}, "perspective", "This value is required."),
        ({"perspective": "return", "return_country": ""}, "return_country", "A return perspective needs"),
        ({"nationality": "XY"}, "nationality", "Unknown country “XY”"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"phone": "call me"}, "phone", "Enter a phone number"),
        ({"postal_code": "9908"}, "postal_code", "A German postal code has five digits."),
        ({"first_name": "x" * 101}, "first_name", "at most 100 characters"),
    ],
)
def test_a_bad_row_is_listed_with_its_row_number_and_nothing_can_be_imported(
    english, case_worker, taxonomy, private_media, bad, column, message
):
    english.force_login(case_worker)
    rows = [THREE_ROWS[0], row(**{"first_name": "Yara", "last_name": "Nasser", **bad}), THREE_ROWS[2]]

    response = preview(english, csv_bytes(rows))

    report = response.context["report"]
    assert not report.ok
    [error_row] = report.error_rows
    assert error_row.number == 3  # the header is row 1
    assert error_row.name.startswith("Yara") or column == "first_name"
    assert any(col == column and message in text for col, text in error_row.errors), error_row.errors
    html = response.content.decode()
    assert message in html
    assert "Confirm import" not in html
    assert 'name="token"' not in html
    assert response.context["token"] is None
    assert not Candidate.objects.exists()
    assert staged_files(private_media) == []


def test_errors_of_several_rows_and_columns_are_all_listed(english, case_worker, taxonomy):
    english.force_login(case_worker)
    rows = [
        row(date_of_birth=future(), languages="de:B7"),
        row(first_name="Yara", email="yara@example.org", phone="+49 361 555 0102"),
        row(first_name="Samir", email="samir@example.org", phone="+49 361 555 0103", town="Atlantis"),
    ]

    report = preview(english, csv_bytes(rows)).context["report"]

    assert {(r.number, column) for r in report.error_rows for column, _m in r.errors} == {
        (2, "date_of_birth"),
        (2, "languages"),
        (4, "town"),
    }


def test_confirm_imports_nothing_if_a_row_fails_at_that_moment(english, case_worker, taxonomy, monkeypatch):
    english.force_login(case_worker)
    token = preview(english, csv_bytes(THREE_ROWS)).context["token"]
    rules = resources.candidate_rule_errors

    def stricter(candidate, **kwargs):
        # The last row turns invalid between preview and confirmation.
        problems = rules(candidate, **kwargs)
        return [*problems, ("status", "changed meanwhile")] if candidate.first_name == "Lina" else problems

    monkeypatch.setattr(resources, "candidate_rule_errors", stricter)

    response = confirm(english, token)

    assert response.status_code == 200
    assert "nothing has been imported" in response.content.decode()
    assert not Candidate.objects.exists()
    assert not CandidateLanguage.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


# --- Import: files that cannot be read ---------------------------------------------


@pytest.mark.parametrize(
    ("content", "file_format", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00\x01garbage", "csv", "This is not a CSV text file."),
        ("first_name,last_name\nMüller,Jürgen\n".encode("latin-1"), "csv", "is not UTF-8 encoded text"),
        (b"first_name,last_name\nAmina,Al-Hassan\n", "csv", "Required columns are missing: date_of_birth"),
        (csv_bytes([row()]).replace(b"town", b"city", 1), "csv", "Unknown columns: city."),
        (csv_bytes([]), "csv", "The file has no candidate rows"),
        (b"", "csv", "The submitted file is empty."),
        (csv_bytes([row()]), "xlsx", "This is not an Excel workbook (XLSX)."),
        (b"PK\x03\x04 broken zip", "xlsx", "This is not an Excel workbook"),
    ],
)
def test_a_malformed_file_is_a_clear_error_and_nothing_is_imported(
    english, case_worker, taxonomy, private_media, content, file_format, message
):
    english.force_login(case_worker)

    response = preview(english, content, file_format=file_format)

    assert response.status_code == 200
    assert response.templates[0].name == "candidates/import.html"
    assert message in response.content.decode()
    assert not Candidate.objects.exists()
    assert staged_files(private_media) == []


def test_a_semicolon_separated_csv_with_a_byte_order_mark_is_read(english, case_worker, taxonomy):
    english.force_login(case_worker)
    content = "\ufeff".encode() + csv_bytes(THREE_ROWS, delimiter=";")

    report = preview(english, content).context["report"]

    assert report.ok
    assert len(report.new_rows) == 3


def test_an_ambiguous_town_is_the_largest_german_one(case_worker, taxonomy):
    Place.objects.create(geonameid=1, name="Neustadt", country="DE", latitude=50, longitude=11, population=8000)
    weinstrasse = Place.objects.create(
        geonameid=2, name="Neustadt", country="DE", latitude=49.35, longitude=8.14, population=53000
    )
    Place.objects.create(geonameid=3, name="Neustadt", country="AT", latitude=47, longitude=15, population=900000)
    content = csv_bytes([row(town="NEUSTADT", postal_code="67433")])

    report = resources.candidates_import(
        import_file=resources.import_file_parse(content=content, file_format="csv"), actor=case_worker, dry_run=True
    )

    assert report.new_rows[0].candidate.place == weinstrasse


def xlsx_bytes(rows: list[dict]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(resources.COLUMNS)
    for values in rows:
        sheet.append([values.get(column) for column in resources.COLUMNS])
    sheet.append([None] * len(resources.COLUMNS))  # a blank row at the end, as spreadsheets have
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_file_is_imported_with_typed_cells(english, case_worker, taxonomy):
    english.force_login(case_worker)
    rows = [
        row(date_of_birth=date(1994, 3, 12), postal_code=99084),
        row(
            first_name="Hamid",
            last_name="Rahimi",
            date_of_birth="17.08.1989",
            email="hamid@example.org",
            phone="",
            town="Jena",
            postal_code=7743,
        ),
    ]

    response = preview(english, xlsx_bytes(rows), name="kandidaten.xlsx", file_format="xlsx")

    report = response.context["report"]
    assert report.ok, [r.errors for r in report.error_rows]
    assert len(report.new_rows) == 2
    assert confirm(english, response.context["token"]).status_code == 302
    hamid = Candidate.objects.get(first_name="Hamid")
    assert (hamid.date_of_birth, hamid.postal_code) == (date(1989, 8, 17), "07743")
    assert Candidate.objects.get(first_name="Amina").date_of_birth == date(1994, 3, 12)


def test_an_xlsx_row_error_names_the_sheet_row(english, case_worker, taxonomy):
    english.force_login(case_worker)
    rows = [row(), row(first_name="Yara", email="yara@example.org", phone="", languages="de:B7")]

    report = preview(english, xlsx_bytes(rows), name="kandidaten.xlsx", file_format="xlsx").context["report"]

    assert [(r.number, [c for c, _m in r.errors]) for r in report.error_rows] == [(3, ["languages"])]


def xlsx_with_blank_rows(rows: list[dict], *, blank: int, then: list[dict] = ()) -> bytes:
    """An XLSX file whose used range runs `blank` rows below the data, as a sheet has whose rows
    were formatted or emptied; `then` are rows below those blank ones."""
    workbook = openpyxl.Workbook()
    workbook.active.append(resources.COLUMNS)
    for values in rows:
        workbook.active.append([values.get(column) for column in resources.COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    first_blank = len(rows) + 2
    last = first_blank + blank - 1 + len(then)
    below = "".join(
        f'<row r="{first_blank + blank + index}">'
        + "".join(
            f'<c r="{openpyxl.utils.get_column_letter(column)}{first_blank + blank + index}" t="inlineStr">'
            f"<is><t>{values.get(name)}</t></is></c>"
            for column, name in enumerate(resources.COLUMNS, start=1)
            if values.get(name)
        )
        + "</row>"
        for index, values in enumerate(then)
    )
    blank_rows = "".join(f'<row r="{n}"><c r="A{n}"/></row>' for n in range(first_blank, first_blank + blank))
    source, result = zipfile.ZipFile(buffer), io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", (blank_rows + below).encode() + b"</sheetData>")
                data = re.sub(rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="A1:T{last}"/>'.encode(), data)
            target.writestr(info, data)
    return result.getvalue()


def test_reading_an_xlsx_ends_at_the_blank_rows_below_the_data(english, case_worker, taxonomy):
    # 600,000 formatted blank rows took 20 s to read, close to the worker timeout.
    english.force_login(case_worker)
    content = xlsx_with_blank_rows(THREE_ROWS[:2], blank=600_000, then=[row(first_name="Far", last_name="Below")])
    assert len(content) <= resources.IMPORT_MAX_BYTES

    response = preview(english, content, name="kandidaten.xlsx", file_format="xlsx")

    report = response.context["report"]
    assert report.ok, [r.errors for r in report.error_rows]
    assert [(r.number, r.name) for r in report.new_rows] == [(2, "Amina Al-Hassan"), (3, "Hamid Rahimi")]
    assert report.end_row == 4
    html = response.content.decode()
    assert "Reading stopped at row 4" in html
    assert "Far Below" not in html


def test_reading_a_csv_ends_at_the_blank_rows_below_the_data(english, case_worker, taxonomy):
    english.force_login(case_worker)
    content = csv_bytes(THREE_ROWS[:2]) + b",,,\r\n" * 600_000 + csv_bytes([row(first_name="Far")]).split(b"\r\n", 1)[1]

    report = preview(english, content).context["report"]

    assert [r.number for r in report.new_rows] == [2, 3]
    assert report.end_row == 4


def test_a_few_blank_rows_between_candidates_are_skipped(english, case_worker, taxonomy):
    english.force_login(case_worker)
    content = xlsx_with_blank_rows(THREE_ROWS[:1], blank=resources.END_BLANK_ROWS - 1, then=THREE_ROWS[1:2])

    response = preview(english, content, name="kandidaten.xlsx", file_format="xlsx")

    report = response.context["report"]
    assert report.ok, [(r.number, r.errors) for r in report.error_rows]
    assert [r.number for r in report.new_rows] == [2, 3 + resources.END_BLANK_ROWS - 1]
    assert report.end_row is None
    assert "Reading stopped" not in response.content.decode()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_file_with_more_rows_than_the_limit_is_refused(english, case_worker, taxonomy, settings, file_format):
    english.force_login(case_worker)
    rows = [row(first_name=f"Person{number}") for number in range(resources.IMPORT_MAX_ROWS + 1)]
    content = csv_bytes(rows) if file_format == "csv" else xlsx_with_blank_rows(rows, blank=600_000)

    response = preview(english, content, file_format=file_format)

    assert response.templates[0].name == "candidates/import.html"
    assert f"The file has more than {resources.IMPORT_MAX_ROWS} rows" in response.content.decode()


def test_blank_rows_between_candidates_count_towards_the_row_limit(english, case_worker, taxonomy):
    # The limit is on the sheet's rows, so that reading is bounded however the blank rows are spread.
    english.force_login(case_worker)
    gap = b",,,\r\n" * (resources.END_BLANK_ROWS - 1)
    lines = csv_bytes([row(first_name=f"Person{number}") for number in range(40)]).split(b"\r\n")
    content = lines[0] + b"\r\n" + b"".join(line + b"\r\n" + gap for line in lines[1:] if line)

    response = preview(english, content)

    assert f"The file has more than {resources.IMPORT_MAX_ROWS} rows" in response.content.decode()


# --- Import: rows that may be profiles in the portal ---------------------------------


def choices_as_shown(response) -> dict:
    """The choices of the preview as the browser sends them when the case worker changes none."""
    choices = response.context["choices"]
    return {name: field.initial for name, field in choices.fields.items() if field.initial is not None}


def confirm_with(client, response, **choices):
    data = {"token": response.context["token"], **choices_as_shown(response)}
    data.update({name.replace("_", "-"): value for name, value in choices.items()})
    return client.post(reverse(IMPORT_URL), data)


def exported_candidates(client, taxonomy) -> tuple[Candidate, Candidate, bytes]:
    amina = CandidateFactory(
        first_name="Amina", last_name="Al-Hassan", email="amina@example.org", phone="+49 361 555", gender="female"
    )
    CandidateLanguageFactory(candidate=amina, language=taxonomy["ar"], level=CEFRLevel.NATIVE)
    amina.desired_occupations.add(taxonomy["cook"])
    hamid = CandidateFactory(first_name="Hamid", last_name="Rahimi", perspective="return", return_country="AF")
    return amina, hamid, client.get(reverse(EXPORT_URL)).content


def test_reimporting_an_export_creates_no_duplicates(english, case_worker, taxonomy):
    english.force_login(case_worker)
    amina, hamid, exported = exported_candidates(english, taxonomy)

    response = preview(english, exported)

    report = response.context["report"]
    assert report.ok
    assert [(r.number, r.repeats) for r in report.duplicate_rows] == [(2, amina), (3, hamid)]
    assert report.unique_rows == []
    html = response.content.decode()
    assert "0 candidates would be created" in html
    assert "2 rows may be profiles that exist already" in html
    assert amina.get_absolute_url() in html
    assert "same name and date of birth, same e-mail address, same phone number" in html
    assert "the row holds exactly what this profile holds" in html

    response = confirm_with(english, response)

    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == [
        "0 candidates have been imported. 2 rows have been skipped."
    ]
    assert Candidate.objects.count() == 2
    assert "0 candidates imported, 0 updated, 2 rows skipped" in AuditEvent.objects.get(action="import").summary


def test_a_repeated_profile_is_skipped_even_if_it_no_longer_passes_the_rules(english, case_worker, taxonomy):
    # An old export: the work permission has expired since, which a new profile may not have.
    english.force_login(case_worker)
    CandidateFactory(work_permission_valid_until=date(2020, 1, 1))
    exported = english.get(reverse(EXPORT_URL)).content

    response = preview(english, exported)

    assert response.context["report"].ok
    assert confirm_with(english, response).status_code == 302
    assert Candidate.objects.count() == 1


def test_the_preview_names_the_possible_duplicate_and_why_and_asks(english, case_worker, taxonomy):
    english.force_login(case_worker)
    known = CandidateFactory(first_name="Amina", last_name="Haddad", email="amina.alhassan@example.org")

    response = preview(english, csv_bytes(THREE_ROWS))

    report = response.context["report"]
    [duplicate_row] = report.duplicate_rows
    assert duplicate_row.number == 2
    [duplicate] = duplicate_row.duplicates
    assert (duplicate.candidate, duplicate.reasons) == (known, ["email"])
    assert duplicate_row.repeats is None
    assert [r.number for r in report.unique_rows] == [3, 4]
    assert response.context["choices"].fields["row-2"].initial is None
    html = response.content.decode()
    assert "2 candidates would be created" in html
    assert known.get_absolute_url() in html
    assert "same e-mail address" in html
    for label in ("Skip this row", "Update Amina Haddad with this row", "Create a new profile"):
        assert label in html


def test_a_possible_duplicate_is_not_imported_without_a_choice(english, case_worker, taxonomy, private_media):
    english.force_login(case_worker)
    CandidateFactory(first_name="Amina", last_name="Haddad", email="amina.alhassan@example.org")
    first = preview(english, csv_bytes(THREE_ROWS))

    response = confirm(english, first.context["token"])

    assert response.status_code == 200
    assert "Choose what to do with this row." in response.content.decode()
    assert Candidate.objects.count() == 1
    # The file waits under a new token, so the case worker can choose and confirm.
    assert response.context["token"] not in (None, first.context["token"])
    assert len(staged_files(private_media)) == 1

    response = confirm_with(english, response, row_2="create")

    assert response.status_code == 302
    assert Candidate.objects.filter(first_name="Amina").count() == 2
    assert Candidate.objects.count() == 4


def test_skip_leaves_the_profile_as_it_is(english, case_worker, taxonomy):
    english.force_login(case_worker)
    known = CandidateFactory(first_name="Amina", last_name="Al-Hassan", date_of_birth=date(1994, 3, 12), phone="")
    response = preview(english, csv_bytes(THREE_ROWS))

    response = confirm_with(english, response, row_2="skip")

    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == [
        "2 candidates have been imported. 1 row has been skipped."
    ]
    known.refresh_from_db()
    assert known.phone == ""
    assert Candidate.objects.count() == 3


def test_update_takes_the_files_columns_and_keeps_the_rest(english, case_worker, admin_user, taxonomy):
    english.force_login(case_worker)
    skill = SkillFactory()
    known = CandidateFactory(
        first_name="AMINA",
        last_name="al-hassan",
        date_of_birth=date(1994, 3, 12),
        phone="",
        case_worker=admin_user,
        rescore_requested_at=None,
    )
    known.skills.add(skill)
    CandidateLanguageFactory(candidate=known, language=taxonomy["fa"], level=CEFRLevel.A1)
    response = preview(english, csv_bytes(THREE_ROWS))
    assert response.context["report"].duplicate_rows[0].duplicates[0].reasons == ["name"]

    response = confirm_with(english, response, row_2=f"update-{known.pk}")

    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == [
        "2 candidates have been imported. 1 profile has been updated."
    ]
    known.refresh_from_db()
    assert (known.first_name, known.last_name, known.phone) == ("Amina", "Al-Hassan", "+49 361 555 0101")
    assert {(cl.language.code, cl.level) for cl in known.languages.all()} == {
        ("de", CEFRLevel.B1),
        ("ar", CEFRLevel.NATIVE),
    }
    assert list(known.desired_occupations.all()) == [taxonomy["electrician"]]
    assert list(known.skills.all()) == [skill]  # no column for it in the file
    assert known.case_worker == admin_user
    assert known.rescore_requested_at is not None
    assert Candidate.objects.count() == 3
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, target_id=str(known.pk))
    assert event.actor == case_worker
    assert "row 2" in event.summary


def test_an_update_is_refused_with_the_whole_import_when_a_row_fails(english, case_worker, taxonomy, monkeypatch):
    english.force_login(case_worker)
    known = CandidateFactory(first_name="Amina", last_name="Al-Hassan", date_of_birth=date(1994, 3, 12), phone="")
    response = preview(english, csv_bytes(THREE_ROWS))
    rules = resources.candidate_rule_errors
    monkeypatch.setattr(
        resources,
        "candidate_rule_errors",
        lambda c, **kw: [*rules(c, **kw), ("status", "changed")] if c.first_name == "Lina" else rules(c, **kw),
    )

    response = confirm_with(english, response, row_2=f"update-{known.pk}")

    assert response.status_code == 200
    assert "nothing has been imported" in response.content.decode()
    known.refresh_from_db()
    assert known.phone == ""
    assert not CandidateLanguage.objects.filter(candidate=known).exists()
    assert Candidate.objects.count() == 1


def test_two_rows_cannot_update_the_same_profile(english, case_worker, taxonomy):
    english.force_login(case_worker)
    known = CandidateFactory(
        first_name="Amina",
        last_name="Al-Hassan",
        date_of_birth=date(1994, 3, 12),
        email="amina@example.org",
        phone="+49 361 555 0199",
    )
    # Two people of the file who may each be that profile: one by name and e-mail, one by phone.
    rows = [
        row(email="amina@example.org", phone=""),
        row(first_name="Mina", last_name="Hassan", date_of_birth="1990-01-01", email="", phone="+49 361 555 0199"),
    ]
    response = preview(english, csv_bytes(rows))

    response = confirm_with(english, response, row_2=f"update-{known.pk}", row_3=f"update-{known.pk}")

    assert response.status_code == 200
    assert "Several rows would update the same profile" in response.content.decode()
    assert Candidate.objects.count() == 1
    assert not CandidateLanguage.objects.exists()


def test_only_a_possible_duplicate_can_be_updated(english, case_worker, taxonomy):
    english.force_login(case_worker)
    CandidateFactory(first_name="Amina", last_name="Al-Hassan", date_of_birth=date(1994, 3, 12))
    stranger = CandidateFactory(first_name="Lukas", last_name="Schneider", phone="")
    response = preview(english, csv_bytes(THREE_ROWS))

    response = confirm_with(english, response, row_2=f"update-{stranger.pk}", row_3=f"update-{stranger.pk}")

    assert response.status_code == 200
    stranger.refresh_from_db()
    assert (stranger.first_name, stranger.phone) == ("Lukas", "")
    assert Candidate.objects.count() == 2


def test_the_import_service_refuses_rows_without_a_decision_or_with_a_wrong_one(case_worker, taxonomy):
    known = CandidateFactory(first_name="Amina", last_name="Al-Hassan", date_of_birth=date(1994, 3, 12))
    other = CandidateFactory(first_name="Lukas", last_name="Schneider")
    import_file = resources.import_file_parse(content=csv_bytes(THREE_ROWS), file_format="csv")

    for decisions in ({}, {2: other.pk}):
        report = resources.candidates_import(
            import_file=import_file, actor=case_worker, dry_run=False, decisions=decisions
        )
        assert [r.number for r in report.error_rows] == [2]
        assert Candidate.objects.count() == 2

    report = resources.candidates_import(
        import_file=import_file, actor=case_worker, dry_run=False, decisions={2: known.pk}
    )
    assert report.ok
    assert [r.candidate for r in report.updated_rows] == [known]


def test_the_duplicate_check_of_an_import_takes_the_same_queries_for_few_and_many_rows(case_worker, taxonomy):
    CandidateFactory(first_name="Amina", last_name="Al-Hassan", date_of_birth=date(1994, 3, 12))
    few = resources.import_file_parse(content=csv_bytes(THREE_ROWS), file_format="csv")
    many = resources.import_file_parse(
        content=csv_bytes([row(first_name=f"P{n}", email=f"p{n}@example.org") for n in range(200)]),
        file_format="csv",
    )
    with CaptureQueriesContext(connection) as queries_few:
        assert list(resources.import_file_duplicates(import_file=few, actor=case_worker)) == [2]
    with CaptureQueriesContext(connection) as queries_many:
        resources.import_file_duplicates(import_file=many, actor=case_worker)

    assert len(queries_many.captured_queries) <= len(queries_few.captured_queries)


# --- Export ------------------------------------------------------------------------


def exported_rows(response) -> list[dict]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_two_rows_of_one_file_that_name_the_same_person_are_refused_with_both_row_numbers(
    english, case_worker, taxonomy, private_media
):
    english.force_login(case_worker)
    rows = [
        row(),
        row(first_name="Yara", email="yara@example.org", phone=""),
        row(email="", phone=""),  # Amina again: same name and date of birth as row 2
        row(first_name="Samir", last_name="Nasser", date_of_birth="1990-01-01", email="YARA@example.org", phone=""),
    ]

    response = preview(english, csv_bytes(rows))

    report = response.context["report"]
    assert not report.ok
    assert {r.number: [m for _c, m in r.errors] for r in report.error_rows} == {
        4: ["Row 2 of this file names the same person (same name and date of birth): keep one of the two rows."],
        5: ["Row 3 of this file names the same person (same e-mail address): keep one of the two rows."],
    }
    assert response.context["token"] is None
    assert not Candidate.objects.exists()
    assert staged_files(private_media) == []


def test_export_contains_exactly_the_filtered_candidates_in_readable_form(english, case_worker, taxonomy):
    amina = CandidateFactory(first_name="Amina", last_name="Al-Hassan", nationality="SY", status=Status.ACTIVE)
    CandidateLanguageFactory(candidate=amina, language=taxonomy["de"], level=CEFRLevel.B1)
    CandidateLanguageFactory(candidate=amina, language=taxonomy["ar"], level=CEFRLevel.NATIVE)
    amina.desired_occupations.add(taxonomy["electrician"])
    CandidateFactory(first_name="Hamid", last_name="Rahimi", status=Status.ACTIVE)
    CandidateFactory(first_name="Lukas", last_name="Schneider", status=Status.PLACED)
    english.force_login(case_worker)

    response = english.get(reverse(EXPORT_URL), {"status": "active", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="kandidaten-{today}.csv"'
    rows = exported_rows(response)
    assert list(rows[0]) == resources.COLUMNS
    assert sorted(r["last_name"] for r in rows) == ["Al-Hassan", "Rahimi"]
    exported = next(r for r in rows if r["last_name"] == "Al-Hassan")
    assert exported["nationality"] == "Syria"
    assert exported["status"] == "active"
    assert exported["residence_status"] == "Residence permit (Aufenthaltserlaubnis)"
    assert exported["town"] == "Erfurt"
    assert exported["languages"] in ("ar:native; de:B1", "de:B1; ar:native")
    assert exported["desired_occupations"] == "electrician"
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == case_worker
    assert "2 candidates" in event.summary
    assert "status=active" in event.summary


def test_export_as_xlsx(client, case_worker, taxonomy):
    CandidateFactory(first_name="Amina", last_name="Al-Hassan")
    client.force_login(case_worker)

    response = client.get(reverse(EXPORT_URL), {"format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert list(values[0]) == resources.COLUMNS
    assert values[1][:2] == ("Amina", "Al-Hassan")


def test_an_export_can_be_imported_again(english, case_worker, taxonomy):
    amina = CandidateFactory(first_name="Amina", last_name="Al-Hassan", phone="+49 361 555", gender="female")
    CandidateLanguageFactory(candidate=amina, language=taxonomy["ar"], level=CEFRLevel.NATIVE)
    amina.desired_occupations.add(taxonomy["cook"])
    CandidateFactory(first_name="Hamid", last_name="Rahimi", perspective="return", return_country="AF")
    english.force_login(case_worker)
    exported = english.get(reverse(EXPORT_URL)).content
    Candidate.objects.all().delete()

    report = preview(english, exported).context["report"]

    assert report.ok, [r.errors for r in report.error_rows]
    assert [r.candidate.phone for r in report.new_rows if r.candidate.first_name == "Amina"] == ["+49 361 555"]


def test_export_neutralises_spreadsheet_formulas(client, case_worker, taxonomy):
    CandidateFactory(first_name='=HYPERLINK("http://evil.example")', last_name="Test")
    client.force_login(case_worker)

    rows = exported_rows(client.get(reverse(EXPORT_URL)))

    assert rows[0]["first_name"].startswith("'=")


def test_export_with_an_unreadable_filter_exports_nothing(english, case_worker, taxonomy):
    CandidateFactory()
    english.force_login(case_worker)

    response = english.get(reverse(EXPORT_URL), {"status": "no-such-status"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("candidates:list"))
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def make_candidates(count: int, taxonomy) -> None:
    for _ in range(count):
        candidate = CandidateFactory()
        CandidateLanguageFactory(candidate=candidate, language=taxonomy["de"])
        CandidateLanguageFactory(candidate=candidate, language=taxonomy["ar"], level=CEFRLevel.NATIVE)
        candidate.desired_occupations.add(taxonomy["cook"])


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_queries_do_not_grow_with_the_number_of_candidates(
    client, case_worker, taxonomy, django_assert_max_num_queries, file_format
):
    client.force_login(case_worker)
    make_candidates(10, taxonomy)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(reverse(EXPORT_URL), {"format": file_format}).status_code == 200
    make_candidates(40, taxonomy)

    with django_assert_max_num_queries(len(ten.captured_queries)):
        response = client.get(reverse(EXPORT_URL), {"format": file_format})

    assert response.status_code == 200
    assert Candidate.objects.count() == 50
