"""Backup and restore: the PostgreSQL database (pg_dump, custom format) and the private media.

A backup is a folder `bridges-backup-<UTC time>` with three files:

- `database.dump`: `pg_dump --format=custom` of the whole database (schema, data, the audit
  trigger and functions), without owners and grants, so that it restores under any role;
- `private-media.tar.gz`: every file under PRIVATE_MEDIA_ROOT (the candidates' documents);
- `manifest.json`: when and from where, the row count of every table and the SHA-256 and size of
  the dump and of every media file.

The row counts are read in the same snapshot the dump is made from (`pg_export_snapshot`), so they
agree with the dump even while the portal keeps writing. The media are archived after the snapshot:
every document the dump knows was on disk by then (a document deleted in between is reported).

A restore goes only into an empty database and an empty (or missing) media folder. It checks the
checksums before it touches anything, restores the dump in one transaction (`pg_restore
--single-transaction`: all or nothing), unpacks the media into a folder beside the target and
moves it into place only after the database is in, then compares every table's row count with the
manifest. A failure leaves the database empty and the media folder as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
from django.conf import settings
from django.db import connections

FORMAT = 1
DUMP = "database.dump"
MEDIA = "private-media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (for the operator)."""


@dataclass
class Restored:
    tables: int
    rows: int
    files: int
    mismatches: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def database_settings(alias: str = "default") -> dict:
    db = connections[alias].settings_dict
    if connections[alias].vendor != "postgresql":
        raise BackupError(
            "Backup and restore need PostgreSQL (DATABASE_URL). The SQLite development database is one "
            f"file: copy {db['NAME']} instead."
        )
    return db


def parse_database_url(url: str) -> dict:
    """The connection settings of a postgres:// URL, as Django's DATABASES entry names them."""
    import environ

    parsed = environ.Env.db_url_config(url)
    if "postgresql" not in parsed.get("ENGINE", ""):
        raise BackupError(f"Not a PostgreSQL URL: {url.split('@')[-1]}")
    return parsed


def _libpq_env(db: dict) -> dict[str, str]:
    """The connection as libpq's environment variables (the password stays off the command line)."""
    env = {**os.environ, "PGDATABASE": str(db["NAME"])}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[name] = str(db[key])
    return env


def connect(db: dict, *, autocommit: bool = False):
    """A psycopg2 connection of its own to the database of Django's settings `db` (closing() it)."""
    options = {"dbname": db["NAME"]}
    for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):
        if db.get(key):
            options[name] = db[key]
    conn = psycopg2.connect(**options)
    conn.autocommit = autocommit
    return conn


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
    )
    return [name for (name,) in cursor.fetchall()]


def row_counts(cursor) -> dict[str, int]:
    """The number of rows of every table in the current schema (exact: count(*))."""
    counts = {}
    for table in _tables(cursor):
        cursor.execute(f"SELECT count(*) FROM {psycopg2.extensions.quote_ident(table, cursor)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client programs are needed)") from error
    if finished.returncode != 0:
        raise BackupError(f"{command[0]} failed: {finished.stderr.strip()[-2000:]}")


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


def backup(output: Path, *, media_root: Path | None = None, alias: str = "default") -> Path:
    """Write a backup folder under `output`; returns its path."""
    db = database_settings(alias)
    media_root = Path(media_root or settings.PRIVATE_MEDIA_ROOT)
    started = datetime.now(UTC)
    target = Path(output) / f"bridges-backup-{started:%Y%m%d-%H%M%S}"
    target.mkdir(parents=True, exist_ok=False)
    try:
        with closing(connect(db)) as conn:
            conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
                snapshot, server = cursor.fetchone()
                # pg_dump reads the same snapshot while this transaction stays open.
                _run(
                    [
                        "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        f"--file={target / DUMP}",
                    ],
                    _libpq_env(db),
                )
                counts = row_counts(cursor)
            conn.rollback()
        files = []
        with tarfile.open(target / MEDIA, "w:gz") as archive:
            for path in _media_files(media_root):
                name = path.relative_to(media_root).as_posix()
                archive.add(path, arcname=name, recursive=False)
                files.append({"name": name, "size": path.stat().st_size, "sha256": _sha256(path)})
        manifest = {
            "format": FORMAT,
            "created_at": started.isoformat(),
            "database": db["NAME"],
            "server_version": server,
            "dump": {"file": DUMP, "size": (target / DUMP).stat().st_size, "sha256": _sha256(target / DUMP)},
            "media": {"file": MEDIA, "files": files},
            "tables": counts,
        }
        (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # no half-written backup left to be trusted
        raise
    return target


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} is missing: not a backup folder")
    try:
        manifest = json.loads(path.read_text())
    except ValueError as error:
        raise BackupError(f"{path} is not valid JSON: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}")
    return manifest


def _check_dump(folder: Path, manifest: dict) -> Path:
    dump = Path(folder) / manifest["dump"]["file"]
    if not dump.is_file():
        raise BackupError(f"{dump} is missing")
    if _sha256(dump) != manifest["dump"]["sha256"]:
        raise BackupError(f"{dump} does not match its checksum in the manifest: damaged or changed")
    return dump


def _unpack_media(folder: Path, manifest: dict, into: Path) -> int:
    """Unpack the media archive into `into` and check every file against the manifest."""
    archive_path = Path(folder) / manifest["media"]["file"]
    if not archive_path.is_file():
        raise BackupError(f"{archive_path} is missing")
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(into, filter="data")  # no absolute paths, no links out, no devices
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{archive_path} cannot be unpacked: {error}") from error
    expected = {entry["name"]: entry["sha256"] for entry in manifest["media"]["files"]}
    found = {path.relative_to(into).as_posix(): path for path in _media_files(into)}
    if set(found) != set(expected):
        missing, extra = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
        raise BackupError(f"the media archive does not match the manifest (missing {missing}, not listed {extra})")
    for name, path in found.items():
        if _sha256(path) != expected[name]:
            raise BackupError(f"{name} in the media archive does not match its checksum: damaged or changed")
    return len(found)


def restore(folder: Path, *, db: dict | None = None, media_root: Path | None = None) -> Restored:
    """Restore the backup in `folder` into an empty database (`db`, Django's settings of one; the
    portal's own by default) and an empty media folder (PRIVATE_MEDIA_ROOT by default)."""
    folder = Path(folder)
    db = db or database_settings()
    media_root = Path(media_root or settings.PRIVATE_MEDIA_ROOT)
    manifest = read_manifest(folder)
    dump = _check_dump(folder, manifest)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"the media folder {media_root} is not empty: restore only into an empty folder")
    with closing(connect(db)) as conn, conn.cursor() as cursor:
        tables = _tables(cursor)
    if tables:
        raise BackupError(
            f"the database {db['NAME']} is not empty ({len(tables)} tables): restore only into an empty database"
        )
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restoring-", dir=media_root.parent))
    try:
        files = _unpack_media(folder, manifest, staging)
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={db['NAME']}",
                str(dump),
            ],
            _libpq_env(db),
        )
        with closing(connect(db)) as conn, conn.cursor() as cursor:
            counts = row_counts(cursor)
        if media_root.exists():
            media_root.rmdir()  # empty, checked above
        staging.rename(media_root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    expected = manifest["tables"]
    mismatches = [
        f"{table}: {counts.get(table)} rows, the backup had {rows}"
        for table, rows in sorted(expected.items())
        if counts.get(table) != rows
    ]
    mismatches += [f"{table}: not in the backup" for table in sorted(set(counts) - set(expected))]
    return Restored(tables=len(counts), rows=sum(counts.values()), files=files, mismatches=mismatches)
