"""Candidate documents: who may upload, download and delete; what content is accepted; nothing left behind."""

import io
import struct
import zipfile
import zlib

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from bridges.models import AuditEvent
from candidates import documents
from candidates.forms_documents import DocumentForm
from candidates.models import Candidate, Document
from tests.candidates.factories import CandidateFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def png_bytes() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def office_zip(*parts: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in parts:
            archive.writestr(part, "<?xml version='1.0'?><root/>")
    return buffer.getvalue()


DOCX = office_zip("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = office_zip("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml")


@pytest.fixture
def english(client):
    # Error messages are asserted in English; German is the default language.
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def candidate(db):
    return CandidateFactory(first_name="Zahra", last_name="Haidari")


@pytest.fixture
def document(candidate, case_worker):
    return documents.document_add(
        candidate=candidate,
        uploaded_file=SimpleUploadedFile("zeugnis-haidari.pdf", PDF),
        kind=Document.Kind.CERTIFICATE,
        title="Abschlusszeugnis",
        actor=case_worker,
    )


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def upload(client, candidate, name: str, content: bytes, **data):
    url = reverse("candidates:document_upload", args=[candidate.pk])
    return client.post(url, {"kind": "cv", "title": "", "file": SimpleUploadedFile(name, content), **data})


# --- Permissions ---------------------------------------------------------------


def page_urls(document) -> dict[str, str]:
    pk, doc = document.candidate_id, document.pk
    return {
        "upload": reverse("candidates:document_upload", args=[pk]),
        "download": reverse("candidates:document_download", args=[pk, doc]),
        "delete": reverse("candidates:document_delete", args=[pk, doc]),
    }


@pytest.mark.parametrize("page", ["upload", "download", "delete"])
def test_anonymous_is_sent_to_login(client, document, page):
    response = client.get(page_urls(document)[page])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["employer_a", "employer_b"])
@pytest.mark.parametrize(("page", "method"), [("upload", "get"), ("download", "get"), ("delete", "get")])
def test_employers_get_403_and_nothing_of_the_candidate(client, personas, document, persona, page, method):
    client.force_login(personas[persona])

    response = getattr(client, method)(page_urls(document)[page])

    assert response.status_code == 403
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Haidari" not in body
    assert b"zeugnis" not in body
    assert PDF not in body


@pytest.mark.parametrize("persona", ["employer_a", "employer_b"])
def test_employers_can_neither_upload_nor_delete(client, personas, document, persona, private_media):
    client.force_login(personas[persona])
    urls = page_urls(document)

    assert upload(client, document.candidate, "cv.pdf", PDF).status_code == 403
    assert client.post(urls["delete"]).status_code == 403

    assert list(Document.objects.all()) == [document]
    assert len(stored_files(private_media)) == 1


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_case_workers_and_admins_use_every_document_page(client, personas, document, persona):
    client.force_login(personas[persona])
    urls = page_urls(document)

    assert client.get(urls["upload"]).status_code == 200
    assert upload(client, document.candidate, "cv.pdf", PDF).status_code == 302
    download = client.get(urls["download"])
    assert download.status_code == 200
    # Reading the stream to its end closes the file (the test client finishes the request).
    assert b"".join(download.streaming_content) == PDF
    assert client.get(urls["delete"]).status_code == 200
    assert client.post(urls["delete"]).status_code == 302


@pytest.mark.parametrize(("page", "method"), [("download", "get"), ("delete", "get"), ("delete", "post")])
def test_a_document_under_another_candidates_url_is_404(client, case_worker, document, page, method):
    other = CandidateFactory()
    client.force_login(case_worker)
    url = reverse(f"candidates:document_{page}", args=[other.pk, document.pk])

    assert getattr(client, method)(url).status_code == 404
    assert Document.objects.filter(pk=document.pk).exists()


def test_unknown_candidate_is_404(client, case_worker):
    client.force_login(case_worker)

    assert client.get(reverse("candidates:document_upload", args=[999999])).status_code == 404


# --- Upload --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Lebenslauf.pdf", PDF, "application/pdf"),
        ("Lebenslauf.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("Pass.JPG", JPEG, "image/jpeg"),
        ("pass.jpeg", JPEG, "image/jpeg"),
        ("Aufenthaltstitel.png", png_bytes(), "image/png"),
    ],
)
def test_upload_accepts_pdf_docx_jpeg_and_png(
    english, case_worker, candidate, private_media, name, content, content_type
):
    english.force_login(case_worker)

    response = upload(english, candidate, name, content, kind="certificate", title="  Zeugnis  ")

    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:detail", args=[candidate.pk])
    document = Document.objects.get()
    assert (document.candidate, document.kind, document.title) == (candidate, "certificate", "Zeugnis")
    assert (document.original_name, document.content_type, document.size) == (name, content_type, len(content))
    assert document.uploaded_by == case_worker
    with document.file.open("rb") as stored:
        assert stored.read() == content
    assert Candidate.objects.get().rescore_requested_at is not None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, target_id=str(candidate.pk)).exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["The document “Zeugnis” has been uploaded."]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", EXE, "has a type that cannot be uploaded"),
        ("notes.txt", b"just some text", "has a type that cannot be uploaded"),
        ("invoice.pdf", EXE, "is not a PDF, Word (DOCX), JPEG or PNG file"),
        ("letter.pdf", b"Dear Sir or Madam, this is plain text.", "is not a PDF, Word (DOCX), JPEG or PNG file"),
        ("scan.pdf", png_bytes(), "is named like a PDF file, but its content is PNG"),
        ("photo.png", JPEG, "is named like a PNG file, but its content is JPEG"),
        ("table.docx", XLSX, "is not a PDF, Word (DOCX), JPEG or PNG file"),
        ("macro.docx", office_zip("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"), "is not a"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_upload_refuses_wrong_content_with_a_clear_message_and_saves_nothing(
    english, case_worker, candidate, private_media, name, content, message
):
    english.force_login(case_worker)

    response = upload(english, candidate, name, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(private_media) == []
    assert Candidate.objects.get().rescore_requested_at is None


def test_the_message_says_which_types_are_allowed(english, case_worker, candidate):
    english.force_login(case_worker)

    response = upload(english, candidate, "setup.exe", EXE)

    assert "Allowed are PDF, Word (DOCX), JPEG and PNG files." in response.content.decode()


def test_upload_refuses_a_file_over_the_size_limit(english, case_worker, candidate, private_media, settings):
    settings.DOCUMENT_MAX_BYTES = 50
    english.force_login(case_worker)

    response = upload(english, candidate, "big.pdf", PDF + b"%" * 100)

    assert response.status_code == 200
    assert "files may be at most 50\xa0bytes" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(private_media) == []


def test_upload_without_a_file_is_refused(english, case_worker, candidate):
    english.force_login(case_worker)

    response = english.post(reverse("candidates:document_upload", args=[candidate.pk]), {"kind": "cv"})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Document.objects.exists()


def test_the_service_refuses_what_the_form_would_refuse(candidate, case_worker, private_media):
    with pytest.raises(documents.ValidationError) as error:
        documents.document_add(
            candidate=candidate,
            uploaded_file=SimpleUploadedFile("cv.pdf", png_bytes()),
            kind="cv",
            title="",
            actor=case_worker,
        )

    assert error.value.code == "mismatch"
    assert stored_files(private_media) == []


def test_a_failing_database_write_removes_the_stored_file(candidate, case_worker, private_media, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("database is gone")

    monkeypatch.setattr(documents, "audit_log", broken_audit)

    with pytest.raises(RuntimeError):
        documents.document_add(
            candidate=candidate, uploaded_file=SimpleUploadedFile("cv.pdf", PDF), kind="cv", title="", actor=case_worker
        )

    assert not Document.objects.exists()
    assert stored_files(private_media) == []


def test_the_stored_name_is_random_and_does_not_contain_the_original_name(document, private_media):
    assert "zeugnis" not in document.file.name
    assert document.file.name.startswith("candidates/")
    assert document.file.name.endswith(".pdf")
    [path] = stored_files(private_media)
    assert path.read_bytes() == PDF
    assert "zeugnis" not in str(path)


def test_a_path_in_the_file_name_is_dropped(case_worker, candidate):
    document = documents.document_add(
        candidate=candidate,
        uploaded_file=SimpleUploadedFile("../../etc/cv\r\n.pdf", PDF),
        kind="cv",
        title="",
        actor=case_worker,
    )

    assert document.original_name == "cv.pdf"


# --- Download and delete -----------------------------------------------------


def test_download_returns_the_exact_bytes_as_an_attachment_and_is_audited(client, case_worker, document):
    client.force_login(case_worker)

    response = client.get(reverse("candidates:document_download", args=[document.candidate_id, document.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="zeugnis-haidari.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert event.actor == case_worker
    assert event.target_id == str(document.candidate_id)
    assert str(document.pk) in event.summary


def test_download_of_a_lost_file_is_404(client, case_worker, document):
    document.file.storage.delete(document.file.name)
    client.force_login(case_worker)

    response = client.get(reverse("candidates:document_download", args=[document.candidate_id, document.pk]))

    assert response.status_code == 404


def test_delete_asks_for_confirmation_first(english, case_worker, document):
    english.force_login(case_worker)

    response = english.get(reverse("candidates:document_delete", args=[document.candidate_id, document.pk]))

    assert response.status_code == 200
    assert "Abschlusszeugnis" in response.content.decode()
    assert Document.objects.filter(pk=document.pk).exists()


def test_delete_removes_the_row_and_the_file_and_is_audited(
    client, case_worker, document, private_media, django_capture_on_commit_callbacks
):
    client.force_login(case_worker)
    url = reverse("candidates:document_delete", args=[document.candidate_id, document.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:detail", args=[document.candidate_id])
    assert not Document.objects.exists()
    assert stored_files(private_media) == []
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, target_id=str(document.candidate_id)).exists()
    assert Candidate.objects.get().rescore_requested_at is not None


# --- The partial on the detail page --------------------------------------------


def test_documents_partial_lists_documents_with_links_and_the_upload_form(rf, case_worker, document):
    request = rf.get("/")
    request.user = case_worker
    candidate = document.candidate

    html = render_to_string(
        "candidates/_documents.html", {"candidate": candidate, "form": DocumentForm()}, request=request
    )

    assert "Abschlusszeugnis" in html
    assert reverse("candidates:document_download", args=[candidate.pk, document.pk]) in html
    assert reverse("candidates:document_delete", args=[candidate.pk, document.pk]) in html
    assert 'enctype="multipart/form-data"' in html
    assert reverse("candidates:document_upload", args=[candidate.pk]) in html
    assert 'type="file"' in html
