"""Candidate documents: which uploads are allowed (decided by content, not by name) and
the services that store, open and delete them.

Files live in the private storage of `Document.file` under random names; they are
only ever served by the download view, which checks permission and writes the audit.
"""

from __future__ import annotations

import logging
import unicodedata
import zipfile
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from bridges.models import AuditEvent, User
from bridges.services import audit_log
from candidates.models import Candidate, Document, SupportMeasure
from candidates.services import candidate_touch

logger = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
JPEG = "image/jpeg"
PNG = "image/png"

# The content type each allowed extension must have.
EXTENSION_TYPES = {".pdf": PDF, ".docx": DOCX, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG}
TYPE_NAMES = {PDF: "PDF", DOCX: "Word (DOCX)", JPEG: "JPEG", PNG: "PNG"}
ACCEPT = ",".join(EXTENSION_TYPES)  # for <input type="file" accept="…">

ALLOWED_HINT = _("Allowed are PDF, Word (DOCX), JPEG and PNG files.")
# filetype needs at most this many bytes to recognise a type.
HEAD_BYTES = 8192


def _content_type(uploaded_file: UploadedFile) -> str | None:
    """The allowed content type that the file's bytes show, or None."""
    uploaded_file.seek(0)
    head = uploaded_file.read(HEAD_BYTES)
    uploaded_file.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return DOCX if _is_docx(uploaded_file) else None
    kind = filetype.guess(head)
    if kind is None or kind.mime not in (PDF, JPEG, PNG):
        return None
    return kind.mime


def _is_docx(uploaded_file: UploadedFile) -> bool:
    # A DOCX is a ZIP with these two parts; other Office files and plain archives are not.
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError):
        return False
    finally:
        uploaded_file.seek(0)
    # A macro-enabled document renamed to .docx is refused as well.
    return {"[Content_Types].xml", "word/document.xml"} <= names and "word/vbaProject.bin" not in names


def clean_file_name(name: str) -> str:
    """The file name without any path and without control characters, at most 255 characters."""
    name = Path(name.replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > 255:
        suffix = Path(name).suffix[:20]
        name = name[: 255 - len(suffix)] + suffix
    return name or "document"


def document_check_file(uploaded_file: UploadedFile) -> str:
    """Check an upload and return its content type; raise ValidationError saying what is allowed.

    The type is decided by the file's content (magic bytes), and it must match the
    file's extension: a PNG named .pdf and a program renamed .pdf are both refused.
    """
    name = clean_file_name(uploaded_file.name or "")
    size = uploaded_file.size or 0
    if size == 0:
        raise ValidationError(_("The file “%(name)s” is empty."), code="empty", params={"name": name})
    if size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The file “%(name)s” is %(size)s; files may be at most %(max)s."),
            code="too_large",
            params={
                "name": name,
                "size": filesizeformat(size),
                "max": filesizeformat(settings.DOCUMENT_MAX_BYTES),
            },
        )
    expected = EXTENSION_TYPES.get(Path(name).suffix.lower())
    if expected is None:
        raise ValidationError(
            _("The file “%(name)s” has a type that cannot be uploaded. %(allowed)s"),
            code="extension",
            params={"name": name, "allowed": ALLOWED_HINT},
        )
    actual = _content_type(uploaded_file)
    if actual is None:
        raise ValidationError(
            _("The content of “%(name)s” is not a PDF, Word (DOCX), JPEG or PNG file. %(allowed)s"),
            code="content",
            params={"name": name, "allowed": ALLOWED_HINT},
        )
    if actual != expected:
        raise ValidationError(
            _(
                "The file “%(name)s” is named like a %(expected)s file, but its content is %(actual)s. "
                "Correct the file name or upload the right file."
            ),
            code="mismatch",
            params={"name": name, "expected": TYPE_NAMES[expected], "actual": TYPE_NAMES[actual]},
        )
    return actual


def document_add(
    *,
    candidate: Candidate,
    uploaded_file: UploadedFile,
    kind: str,
    title: str,
    actor: User | None,
    measure: SupportMeasure | None = None,
) -> Document:
    """Check and store an uploaded document for `candidate` (an offer or invoice with the support
    measure it is for).

    The file is written to private storage under a random name first; if anything
    after that fails, the stored file is removed again, so that no orphan is left.
    """
    content_type = document_check_file(uploaded_file)
    if measure is not None and measure.candidate_id != candidate.pk:
        raise ValidationError(_("Choose one of this candidate's support measures."), code="measure")
    document = Document(
        candidate=candidate,
        measure=measure,
        kind=kind,
        title=(title or "").strip(),
        original_name=clean_file_name(uploaded_file.name or ""),
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=actor,
    )
    document.full_clean(exclude=["file", "measure"])
    stored_name = None
    try:
        with transaction.atomic():
            document.file.save(document.original_name, uploaded_file, save=False)
            stored_name = document.file.name
            document.save()
            candidate_touch(candidate=candidate)
            audit_log(
                actor=actor,
                action=AuditEvent.Action.UPDATE,
                target=candidate,
                summary=_("document %(id)s added (%(kind)s)"),
                params={"id": document.pk, "kind": Document.Kind(document.kind).label},
            )
    except BaseException:
        if stored_name:
            document.file.storage.delete(stored_name)
        raise
    return document


def document_open(*, document: Document, actor: User | None) -> File:
    """Open a document's file for download and record who read it (FileNotFoundError if it is gone)."""
    handle = document.file.open("rb")
    audit_log(
        actor=actor,
        action=AuditEvent.Action.DOWNLOAD,
        target=document.candidate,
        summary=_("document %(id)s downloaded"),
        params={"id": document.pk},
    )
    return handle


@transaction.atomic
def document_delete(*, document: Document, actor: User | None) -> None:
    """Delete a document; its file is removed once the deletion is committed."""
    candidate = document.candidate
    storage, stored_name, pk = document.file.storage, document.file.name, document.pk
    document.delete()
    candidate_touch(candidate=candidate)
    audit_log(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        target=candidate,
        summary=_("document %(id)s deleted"),
        params={"id": pk},
    )

    def remove_file() -> None:
        try:
            storage.delete(stored_name)
        except OSError:
            # The row is gone either way; a file left behind is only logged.
            logger.exception("Could not remove the file of deleted document %s", pk)

    transaction.on_commit(remove_file)
