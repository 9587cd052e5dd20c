"""backup: the database (pg_dump, custom format) and the private media in one folder, with a manifest."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridges import backup


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database (pg_dump, custom format) and the private media (the candidates' "
        "documents) into a new folder bridges-backup-<time> under --output, with a manifest of every table's "
        "row count and every file's checksum. Run it with the owner's DATABASE_URL (docs/database-roles.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, default=Path(settings.BASE_DIR) / "backups", help="where to make the folder"
        )

    def handle(self, *args, output: Path, **options) -> None:
        try:
            folder = backup.backup(output)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        manifest = backup.read_manifest(folder)
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"{folder}: {len(manifest['tables'])} tables, {rows:,} rows, dump {manifest['dump']['size']:,} bytes, "
            f"{len(manifest['media']['files'])} media files"
        )
