"""Benchmark of the ESCO import at full size: generated data in the official format, two runs.

It writes about 3,000 occupations, 14,000 skills and 125,000 relations per language
(de, en) into a temporary folder, creates a throw-away database the way the test
runner does (`test_<name>` of DATABASE_URL), imports twice (fresh, then the idempotent
re-run), prints rows, seconds and peak memory, and drops the database again.

    DATABASE_URL=postgres://127.0.0.1:5432/bridges_bench .venv/bin/python -m benchmarks.esco_import
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

# The settings read the environment at import time; a distinct default keeps the
# benchmark's database (test_bridges_bench) apart from the suite's.
os.environ.setdefault("DATABASE_URL", "postgres://127.0.0.1:5432/bridges_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridges.settings_test")

WORDS = (
    "assembly machine metal wood food care patient child data network vehicle truck warehouse stock quality "
    "safety hygiene electrical solar roof concrete steel plastic textile print paper glass chemical water "
    "energy power plant farm animal crop forest garden hotel kitchen restaurant office account sales customer "
    "service repair maintenance installation inspection production process control system software hardware "
    "cleaning transport logistics construction building road rail air sea port laboratory medical nursing"
)
GERMAN = (
    "Montage Maschine Metall Holz Lebensmittel Pflege Patient Kind Daten Netzwerk Fahrzeug Lkw Lager Bestand "
    "Qualität Sicherheit Hygiene Elektro Solar Dach Beton Stahl Kunststoff Textil Druck Papier Glas Chemie "
    "Wasser Energie Kraftwerk Hof Tier Ernte Forst Garten Hotel Küche Restaurant Büro Konto Verkauf Kunde "
    "Service Reparatur Wartung Installation Prüfung Produktion Prozess Steuerung System Software Hardware "
    "Reinigung Transport Logistik Bau Gebäude Straße Schiene Luft See Hafen Labor Medizin Krankenpflege"
)
OCCUPATION_HEADER = [
    "conceptType",
    "conceptUri",
    "iscoGroup",
    "preferredLabel",
    "altLabels",
    "hiddenLabels",
    "status",
    "modifiedDate",
    "regulatedProfessionNote",
    "scopeNote",
    "definition",
    "inScheme",
    "description",
    "code",
]
SKILL_HEADER = [
    "conceptType",
    "conceptUri",
    "skillType",
    "reuseLevel",
    "preferredLabel",
    "altLabels",
    "hiddenLabels",
    "status",
    "modifiedDate",
    "scopeNote",
    "definition",
    "inScheme",
    "description",
]
RELATION_HEADER = ["occupationUri", "occupationLabel", "relationType", "skillType", "skillUri", "skillLabel"]
ISCO_HEADER = ["conceptType", "conceptUri", "code", "preferredLabel", "altLabels", "inScheme", "description"]


def _uri(rng: random.Random, kind: str) -> str:
    return f"http://data.europa.eu/esco/{kind}/{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def _phrase(rng: random.Random, words: list[str], serial: int, size: int) -> str:
    # The serial number keeps labels unique per concept, as in ESCO.
    return " ".join(rng.choices(words, k=size)) + f" {serial}"


def generate(
    directory: Path, *, occupations: int, skills: int, relations: int, languages: list[str], seed: int = 2026
) -> None:
    """Write ESCO-shaped CSV files (official columns, multi-line altLabels) into `directory`."""
    rng = random.Random(seed)
    occupation_uris = [_uri(rng, "occupation") for _ in range(occupations)]
    skill_uris = [_uri(rng, "skill") for _ in range(skills)]
    isco_codes = sorted({f"{rng.randint(1000, 9629):04d}" for _ in range(436)})
    occupation_isco = [rng.choice(isco_codes) for _ in occupation_uris]
    skill_types = [rng.choice(("skill/competence",) * 6 + ("knowledge",) * 3 + ("",)) for _ in skill_uris]
    reuse_levels = [
        rng.choice(("sector-specific", "occupation-specific", "cross-sector", "transversal")) for _ in skill_uris
    ]
    # Relations grouped by occupation, as in the official file; every pair once.
    per_occupation = [relations // occupations + (index < relations % occupations) for index in range(occupations)]
    pairs = [
        (occupation, skill, "essential" if rng.random() < 0.55 else "optional")
        for occupation, count in enumerate(per_occupation)
        for skill in rng.sample(range(skills), count)
    ]
    for lang in languages:
        words = (GERMAN if lang == "de" else WORDS).split()
        lrng = random.Random(f"{seed}-{lang}")
        occupation_labels = [_phrase(lrng, words, index, 3) for index in range(occupations)]
        skill_labels = [_phrase(lrng, words, index, 4) for index in range(skills)]
        scheme = "http://data.europa.eu/esco/concept-scheme/occupations,\nhttp://data.europa.eu/esco/concept-scheme/member-occupations"
        with (directory / f"occupations_{lang}.csv").open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(OCCUPATION_HEADER)
            for index, uri in enumerate(occupation_uris):
                alternatives = "\n".join(_phrase(lrng, words, index, 3) for _ in range(lrng.randint(3, 15)))
                description = _phrase(lrng, words, index, 45)
                writer.writerow(
                    [
                        "Occupation",
                        uri,
                        occupation_isco[index],
                        occupation_labels[index],
                        alternatives,
                        "",
                        "released",
                        "2023-11-29T14:23:48.14Z",
                        "http://data.europa.eu/esco/regulated-professions/unregulated",
                        "",
                        "",
                        scheme,
                        description,
                        f"{occupation_isco[index]}.{index % 9 + 1}",
                    ]
                )
        with (directory / f"skills_{lang}.csv").open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(SKILL_HEADER)
            for index, uri in enumerate(skill_uris):
                alternatives = "\n".join(_phrase(lrng, words, index, 4) for _ in range(lrng.randint(0, 10)))
                writer.writerow(
                    [
                        "KnowledgeSkillCompetence",
                        uri,
                        skill_types[index],
                        reuse_levels[index],
                        skill_labels[index],
                        alternatives,
                        "",
                        "released",
                        "2023-11-30T09:10:11Z",
                        "",
                        "",
                        "http://data.europa.eu/esco/concept-scheme/skills",
                        _phrase(lrng, words, index, 30),
                    ]
                )
        with (directory / f"ISCOGroups_{lang}.csv").open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(ISCO_HEADER)
            for code in isco_codes:
                writer.writerow(
                    [
                        "ISCOGroup",
                        f"http://data.europa.eu/esco/isco/C{code}",
                        code,
                        _phrase(lrng, words, int(code), 4),
                        "",
                        "http://data.europa.eu/esco/concept-scheme/isco",
                        "",
                    ]
                )
        with (directory / f"occupationSkillRelations_{lang}.csv").open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(RELATION_HEADER)
            for occupation, skill, relation in pairs:
                writer.writerow(
                    [
                        occupation_uris[occupation],
                        occupation_labels[occupation],
                        relation,
                        skill_types[skill],
                        skill_uris[skill],
                        skill_labels[skill],
                    ]
                )


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--occupations", type=int, default=3_000)
    parser.add_argument("--skills", type=int, default=14_000)
    parser.add_argument("--relations", type=int, default=125_000)
    parser.add_argument("--lang", action="append", dest="languages", help="default: de and en")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also measure the Python heap peak (slows the import down)"
    )
    args = parser.parse_args(argv)
    languages = args.languages or ["de", "en"]

    import django

    django.setup()
    from django.db import connection

    from bridges.models import Occupation, OccupationLabel, OccupationSkill, Skill, SkillLabel
    from bridges.taxonomy_import import esco_import

    with tempfile.TemporaryDirectory(prefix="esco-bench-") as folder:
        directory = Path(folder)
        started = time.monotonic()
        generate(
            directory,
            occupations=args.occupations,
            skills=args.skills,
            relations=args.relations,
            languages=languages,
        )
        size = sum(path.stat().st_size for path in directory.iterdir()) / 1e6
        print(
            f"data: {args.occupations:,} occupations, {args.skills:,} skills, {args.relations:,} relations "
            f"per language ({', '.join(languages)}); {size:.1f} MB of CSV, generated in "
            f"{time.monotonic() - started:.1f} s; peak RSS so far {_peak_rss_mb():.0f} MB"
        )

        old_name = connection.settings_dict["NAME"]
        test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        print(f"database: {connection.vendor} {test_name}")
        try:
            for label in ("run 1 (fresh)", "run 2 (re-run, idempotent)"):
                if args.tracemalloc:
                    tracemalloc.start()
                result = esco_import(directory=directory, languages=languages)
                heap = ""
                if args.tracemalloc:
                    heap = f", Python heap peak {tracemalloc.get_traced_memory()[1] / 1e6:.0f} MB"
                    tracemalloc.stop()
                rows = {
                    "occupations": Occupation.objects.count(),
                    "skills": Skill.objects.count(),
                    "relations": OccupationSkill.objects.count(),
                    "labels": OccupationLabel.objects.count() + SkillLabel.objects.count(),
                }
                print(
                    f"{label}: {result.seconds:.1f} s for {result.rows_read:,} rows read "
                    f"({result.rows_read / result.seconds:,.0f} rows/s); peak RSS {_peak_rss_mb():.0f} MB{heap}"
                )
                for kind in ("isco_groups", "occupations", "skills", "relations"):
                    counts = getattr(result, kind)
                    print(
                        f"    {kind:<12} {counts.created:>7,} created {counts.updated:>7,} updated "
                        f"{counts.unchanged:>7,} unchanged"
                    )
                print(f"    {'labels':<12} {result.labels_created:>7,} written {result.labels_deleted:>7,} replaced")
                print(f"    in the database: {', '.join(f'{n:,} {kind}' for kind, n in rows.items())}")
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
