"""import_esco: load the official ESCO CSV download into the taxonomy (see bridges.taxonomy_import)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridges.taxonomy_import import EscoImportError, EscoImportResult, KindCounts, esco_import

DEFAULT_LANGUAGES = ["de", "en"]


class Command(BaseCommand):
    help = (
        "Import the ESCO classification from the official CSV download in DIR. Per language it reads "
        "occupations_<lang>.csv, skills_<lang>.csv and, optionally, ISCOGroups_<lang>.csv; the "
        "occupation-skill relations are language-independent and come from occupationSkillRelations_<lang>.csv "
        "of the first language that has it. Languages: --lang de --lang en (the default). "
        "Rules: concepts are upserted by URI (ISCO groups by code); each language adds its preferred label "
        "to `labels` and replaces that language's preferred and alternative labels; other languages are kept. "
        "Idempotent: a second run changes nothing. All or nothing: a missing file or header column, or any "
        "malformed row (empty URI or label, unknown relation type, relation to an unknown URI) is reported "
        "with file and line, nothing is written, and the command exits with an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="Folder with the unpacked ESCO CSV files.")
        parser.add_argument(
            "--lang",
            action="append",
            dest="languages",
            metavar="LANG",
            help="Language to import; repeat for several (default: de and en).",
        )

    def handle(self, *args, directory: Path, languages: list[str] | None, **options) -> None:
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder.")
        languages = languages or DEFAULT_LANGUAGES
        verbose = options["verbosity"] >= 1
        self.stdout.write(f"Importing ESCO ({', '.join(languages)}) from {directory} …")
        try:
            result = esco_import(
                directory=directory,
                languages=languages,
                progress=(lambda message: self.stdout.write(f"  {message}")) if verbose else None,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        except EscoImportError as exc:
            lines = [f"ESCO import failed with {exc.total} error(s); nothing was imported."]
            lines += [f"  {error}" for error in exc.errors]
            if exc.total > len(exc.errors):
                lines.append(f"  … and {exc.total - len(exc.errors)} more.")
            raise CommandError("\n".join(lines)) from exc
        self._summary(result)

    def _summary(self, result: EscoImportResult) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"ESCO import done in {result.seconds:.1f} s: {result.rows_read:,} rows read "
                f"(languages {', '.join(result.languages)}; relations from {result.relations_language})."
            )
        )

        def line(kind: str, counts: KindCounts) -> str:
            return (
                f"  {kind:<13} {counts.created:>8,} created {counts.updated:>8,} updated "
                f"{counts.unchanged:>8,} unchanged"
            )

        self.stdout.write(line("ISCO groups", result.isco_groups))
        self.stdout.write(line("occupations", result.occupations))
        self.stdout.write(line("skills", result.skills))
        self.stdout.write(line("relations", result.relations))
        self.stdout.write(f"  {'labels':<13} {result.labels_created:>8,} written {result.labels_deleted:>8,} replaced")
