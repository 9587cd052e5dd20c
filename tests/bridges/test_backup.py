"""Backup and restore (`manage.py backup`, `manage.py restore`): a dump of the demo data with its
documents restores into an empty database and folder with every table's rows and every file's
bytes; a restore refuses anything but an empty target, and a damaged backup before it restores."""

import hashlib
import io
import tarfile
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bridges import backup
from bridges.models import Role, User
from candidates import documents
from candidates.models import Candidate, Document
from tests.candidates.factories import PDF_BYTES, CandidateFactory
from tests.factories import CaseWorkerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _admin(db: dict):
    return closing(backup.connect(db, autocommit=True))


@pytest.fixture
def empty_database():
    """An empty database beside the test database (Django's settings of it), dropped afterwards."""
    db = dict(connection.settings_dict)
    name = f"{db['NAME']}_restored"
    with _admin(db) as conn, conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield {**db, "NAME": name}
    with _admin(db) as conn, conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _counts(db: dict) -> dict[str, int]:
    with closing(backup.connect(db)) as conn, conn.cursor() as cursor:
        return backup.row_counts(cursor)


def _checksums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def _backup(private_media, tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """Two documents and a staged import file beside the data, backed up; (folder, live counts)."""
    candidates = list(Candidate.objects.order_by("pk")[:2])
    case_worker = User.objects.filter(role=Role.CASE_WORKER).order_by("pk").first()
    for number, candidate in enumerate(candidates):
        upload = SimpleUploadedFile(f"Lebenslauf {number}.pdf", PDF_BYTES + f"% {number}\n".encode(), "application/pdf")
        documents.document_add(candidate=candidate, uploaded_file=upload, kind="cv", title="", actor=case_worker)
    (private_media / "imports").mkdir(exist_ok=True)
    (private_media / "imports" / "staged.csv").write_text("first_name;last_name\nAmina;Haddad\n")
    out = io.StringIO()
    call_command("backup", output=tmp_path_factory.mktemp("backups"), stdout=out)
    folder = Path(out.getvalue().split(":")[0])
    return folder, _counts(connection.settings_dict)


@pytest.fixture
def demo_backup(private_media, tmp_path_factory, eager_celery):
    call_command("seed_demo", stdout=io.StringIO())
    return _backup(private_media, tmp_path_factory)


@pytest.fixture
def small_backup(private_media, tmp_path_factory, eager_celery):
    CaseWorkerFactory()
    CandidateFactory.create_batch(2)
    return _backup(private_media, tmp_path_factory)


def test_the_demo_data_restores_with_every_row_and_every_document(
    demo_backup, empty_database, private_media, tmp_path_factory
):
    folder, live = demo_backup
    manifest = backup.read_manifest(folder)
    assert manifest["tables"] == live  # counted in the dump's own snapshot
    assert manifest["tables"]["candidates_candidate"] > 10
    assert manifest["tables"]["candidates_document"] == 2
    assert manifest["tables"]["bridges_auditevent"] > 0
    target = tmp_path_factory.mktemp("restore") / "restored-media"  # beside, not inside, the live media
    out = io.StringIO()

    call_command("restore", folder, database_url=_url(empty_database), media_root=target, stdout=out)

    assert _counts(empty_database) == live
    assert _checksums(target) == _checksums(private_media)
    assert len(_checksums(target)) == 3
    for document in Document.objects.all():
        assert (target / document.file.name).read_bytes() == document.file.read()
    assert f"{len(manifest['tables'])} tables" in out.getvalue()
    assert "3 media files" in out.getvalue()
    # The restored audit trail is as unchangeable as the original (its trigger came along).
    with (
        closing(backup.connect(empty_database)) as conn,
        conn.cursor() as cursor,
        pytest.raises(psycopg2.Error, match="cannot be changed"),
    ):
        cursor.execute("UPDATE bridges_auditevent SET summary = 'rewritten'")


def _url(db: dict) -> str:
    from tests.conftest import _database_url

    return _database_url(db)


def test_a_database_that_is_not_empty_is_refused_and_nothing_changes(small_backup, tmp_path):
    folder, live = small_backup
    target = tmp_path / "media"

    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", folder, database_url=_url(connection.settings_dict), media_root=target)

    assert _counts(connection.settings_dict) == live
    assert not target.exists()


def test_a_media_folder_that_is_not_empty_is_refused(small_backup, empty_database, tmp_path):
    folder, _live = small_backup
    target = tmp_path / "media"
    target.mkdir()
    (target / "kept.txt").write_text("a file someone still needs")

    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", folder, database_url=_url(empty_database), media_root=target)

    assert _counts(empty_database) == {}
    assert [path.name for path in target.iterdir()] == ["kept.txt"]


def test_a_damaged_dump_is_refused_before_anything_is_restored(small_backup, empty_database, tmp_path):
    folder, _live = small_backup
    dump = folder / backup.DUMP
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    target = tmp_path / "media"

    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", folder, database_url=_url(empty_database), media_root=target)

    assert _counts(empty_database) == {}
    assert not target.exists()


def test_a_changed_document_in_the_archive_is_refused_and_the_database_stays_empty(
    small_backup, empty_database, tmp_path
):
    folder, _live = small_backup
    archive = folder / backup.MEDIA
    with tarfile.open(archive, "r:gz") as original:
        members = [(member, original.extractfile(member).read()) for member in original.getmembers()]
    with tarfile.open(archive, "w:gz") as changed:
        for member, content in members:
            if member.name.endswith(".pdf"):
                content = content.replace(b"%PDF-1.4", b"%PDF-1.7")
            member.size = len(content)
            changed.addfile(member, io.BytesIO(content))
    target = tmp_path / "media"

    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", folder, database_url=_url(empty_database), media_root=target)

    assert _counts(empty_database) == {}
    assert not target.exists()
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".restoring-")]


def test_a_folder_without_a_manifest_is_not_a_backup(tmp_path):
    with pytest.raises(CommandError, match="not a backup folder"):
        call_command("restore", tmp_path, media_root=tmp_path / "media")


def test_only_postgresql_urls_are_restored_into():
    with pytest.raises(backup.BackupError, match="Not a PostgreSQL URL"):
        backup.parse_database_url("sqlite:////tmp/db.sqlite3")
