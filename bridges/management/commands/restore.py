"""restore: a backup folder (manage.py backup) into an empty database and an empty media folder."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridges import backup


class Command(BaseCommand):
    help = (
        "Restore a folder made by `manage.py backup` into an empty PostgreSQL database and an empty private "
        "media folder: checksums first, the database in one transaction, the media moved into place after it, "
        "then every table's row count compared with the backup's. By default into the portal's own database "
        "and PRIVATE_MEDIA_ROOT; --database-url and --media-root restore elsewhere (a restore drill)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="a bridges-backup-<time> folder")
        parser.add_argument("--database-url", help="an empty PostgreSQL database (default: DATABASE_URL)")
        parser.add_argument("--media-root", type=Path, help="an empty or missing folder (default: PRIVATE_MEDIA_ROOT)")

    def handle(self, *args, folder: Path, database_url: str | None, media_root: Path | None, **options) -> None:
        try:
            db = backup.parse_database_url(database_url) if database_url else None
            restored = backup.restore(folder, db=db, media_root=media_root)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        if restored.mismatches:
            raise CommandError(
                "restored, but the row counts differ from the backup's:\n" + "\n".join(restored.mismatches)
            )
        self.stdout.write(
            f"restored {restored.tables} tables ({restored.rows:,} rows, every count as in the backup) and "
            f"{restored.files} media files (checksums as in the backup)"
        )
