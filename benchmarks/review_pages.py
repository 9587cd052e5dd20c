"""Benchmark of the case workers' review pages at programme scale (issue #14): the dashboard, the
matches overview (first page, page 50, "not decided yet", a search), the explanation of a pair,
a position's and a candidate's ranked matches, and the public job board, each fetched through
`django.test.Client` as a logged-in case worker (anonymous for the job board), timed and with its
number of queries.

    DATABASE_URL=postgres://127.0.0.1:5432/bridges_bench_review .venv/bin/python -m benchmarks.review_pages
    # smaller: --candidates 2000 --positions 400; --keep keeps the database to EXPLAIN a query

Like the other benchmarks it creates and migrates `test_<name>` of DATABASE_URL (never touching
the database named there) and drops it at the end unless `--keep`. The population: the programme
of `benchmarks.report` (candidates, 300 employers, positions, introductions, placements, measures,
decisions), then in SQL an ESCO-sized taxonomy (14,000 skills, 3,000 occupations with ~42 skills
each), skills on every candidate (15) and position (12), `--per-position` stored matches of each
position (default 77: ~150,000 at 2,000 positions, all computed in the last days, as after a
nightly rescore) and decisions on 5,000 of them. Each page is fetched `--repeats` times after one
warm-up; it prints best, median and the slowest of them and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("DATABASE_URL", "postgres://127.0.0.1:5432/bridges_bench_review")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridges.settings_test")

SKILLS, OCCUPATIONS, SKILLS_PER_OCCUPATION = 14_000, 2_950, 42
DECISIONS = 5_000


def _table(model) -> str:
    from django.db import connection

    return connection.ops.quote_name(model._meta.db_table)


def _pick(table: str, outer: str) -> str:
    """SQL joining each row of `outer` × g to a random row `s` of `table` (ids drawn between the
    smallest and the largest, re-drawn for every row; a gap in the ids loses the draw)."""
    return (
        f"CROSS JOIN LATERAL (SELECT lo + floor(random() * n)::bigint + 0 * g + 0 * {outer}.id AS pick "
        f"FROM (SELECT min(id) AS lo, max(id) - min(id) + 1 AS n FROM {table}) AS r) AS x "
        f"JOIN {table} s ON s.id = x.pick"
    )


def seed_matches(
    *, per_position: int, seed: int, skills: int = SKILLS, occupations: int = OCCUPATIONS, decisions: int = DECISIONS
) -> dict[str, int]:
    """The taxonomy, the skills of both sides, the stored matches and decisions on some of them
    (PostgreSQL only: written by INSERT … SELECT with random())."""
    from bridges.models import Occupation, OccupationSkill, Skill, User
    from candidates.models import Candidate
    from employers.models import Position, PositionSkill
    from matching.models import Match, MatchDecision, MatchRun

    skill, occupation, relation = _table(Skill), _table(Occupation), _table(OccupationSkill)
    candidate, position, match = _table(Candidate), _table(Position), _table(Match)
    candidate_skills = _table(Candidate.skills.through)
    from django.db import connection, transaction

    run = MatchRun.objects.create(trigger=MatchRun.Trigger.FULL, status=MatchRun.Status.SUCCEEDED, progress=100)
    statements = [
        ("SELECT setseed(%s)", [(seed % 1000) / 1000]),
        (
            f"INSERT INTO {skill} (uri, labels, skill_type, reuse_level) SELECT 'bench:skill:' || g, "
            "jsonb_build_object('de', 'Fähigkeit ' || g, 'en', 'Skill ' || g), 'skill/competence', "
            "(ARRAY['sector-specific', 'occupation-specific', 'cross-sector', 'transversal'])[1 + g %% 4] "
            "FROM generate_series(1, %s) g",
            [skills],
        ),
        (
            f"INSERT INTO {occupation} (uri, labels, code, isco_group) SELECT 'bench:occupation:' || g, "
            "jsonb_build_object('de', 'Beruf B' || g, 'en', 'Occupation B' || g), '', (7000 + g %% 430)::text "
            "FROM generate_series(1, %s) g",
            [occupations],
        ),
        (
            f"INSERT INTO {relation} (relation_type, occupation_id, skill_id) "
            "SELECT DISTINCT ON (o.id, s.id) CASE WHEN random() < 0.5 THEN 'essential' ELSE 'optional' END, o.id, s.id "
            f"FROM {occupation} o CROSS JOIN generate_series(1, %s) g {_pick(skill, 'o')} ON CONFLICT DO NOTHING",
            [SKILLS_PER_OCCUPATION],
        ),
        (
            f"INSERT INTO {_table(PositionSkill)} (position_id, skill_id, relation_type) "
            "SELECT DISTINCT ON (o.id, s.id) o.id, s.id, "
            "CASE WHEN random() < 0.6 THEN 'essential' ELSE 'optional' END "
            f"FROM {position} o CROSS JOIN generate_series(1, 12) g {_pick(skill, 'o')} ON CONFLICT DO NOTHING",
            [],
        ),
        (
            f"INSERT INTO {candidate_skills} (candidate_id, skill_id) SELECT DISTINCT ON (o.id, s.id) o.id, s.id "
            f"FROM {candidate} o CROSS JOIN generate_series(1, 15) g {_pick(skill, 'o')} ON CONFLICT DO NOTHING",
            [],
        ),
        (
            # Matches of each position with random candidates, computed within the last six days.
            f"INSERT INTO {match} (candidate_id, position_id, score, components, explanation, run_id, computed_at) "
            "SELECT DISTINCT ON (s.id, o.id) s.id, o.id, round((20 + random() * 80)::numeric, 3)::float, "
            "json_build_array(random(), random(), random(), random(), random(), random(), random(), random(), "
            "random()), '[[], [], [], [], []]'::json, %s, now() - random() * interval '6 days' "
            f"FROM {position} o CROSS JOIN generate_series(1, %s) g {_pick(candidate, 'o')} ON CONFLICT DO NOTHING",
            [run.pk, per_position],
        ),
        (
            # Decisions on stored pairs (the report's seed decided on random pairs, mostly unmatched).
            f"INSERT INTO {_table(MatchDecision)} (candidate_id, position_id, status, reason, note, decided_by_id, "
            "decided_at) SELECT candidate_id, position_id, "
            "(ARRAY['shortlisted', 'shortlisted', 'shortlisted', 'pinned', 'dismissed'])[1 + id %% 5], "
            "CASE WHEN id %% 5 = 4 THEN 'skills' ELSE '' END, '', %s, now() - random() * interval '300 days' "
            f"FROM {match} ORDER BY random() LIMIT %s ON CONFLICT DO NOTHING",
            [User.objects.order_by("pk").values_list("pk", flat=True).first(), decisions],
        ),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "skills": Skill.objects.count(),
        "matches": Match.objects.count(),
        "decisions": MatchDecision.objects.count(),
    }


def pages() -> dict[str, tuple[str, bool]]:
    """name: (URL, as a case worker)."""
    from django.urls import reverse

    from matching.models import Match

    best = Match.objects.order_by("-score", "pk").first()
    overview = reverse("matching:overview")
    return {
        "dashboard": (reverse("matching:dashboard"), True),
        "overview": (overview, True),
        "overview_page_50": (f"{overview}?page=50", True),
        "overview_undecided": (f"{overview}?decision=open", True),
        "overview_search": (f"{overview}?q=Stelle+12", True),
        "explanation": (reverse("matching:explain", args=[best.candidate_id, best.position_id]), True),
        "position_matches": (reverse("matching:position_matches", args=[best.position_id]), True),
        "candidate_matches": (reverse("matching:candidate_matches", args=[best.candidate_id]), True),
        "job_board": (reverse("jobs:list"), False),
    }


def measure(*, repeats: int) -> dict[str, float | int]:
    """Each page: one warm-up, then `repeats` timed requests (best, median, slowest) and its queries."""
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bridges.account_security import user_totp_activate
    from bridges.models import Role, User

    case_worker = User.objects.filter(role=Role.CASE_WORKER).order_by("pk").first()
    # Case workers see no page before they have a second factor (bridges.account_security).
    user_totp_activate(user=case_worker, secret=generate_totp_secret())
    staff, anonymous = Client(), Client()
    staff.force_login(case_worker)
    results: dict[str, float | int] = {}
    for name, (url, as_staff) in pages().items():
        client = staff if as_staff else anonymous
        assert client.get(url).status_code == 200, url
        times = []
        for _k in range(repeats):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(url)
                times.append(time.perf_counter() - started)
        results[f"{name}_best_ms"] = round(min(times) * 1000, 1)
        results[f"{name}_median_ms"] = round(statistics.median(times) * 1000, 1)
        results[f"{name}_slowest_ms"] = round(max(times) * 1000, 1)
        results[f"{name}_queries"] = len(queries.captured_queries)
    return results


def main(argv: list[str] | None = None) -> dict:
    from benchmarks.report import Sizes

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=Sizes.candidates)
    parser.add_argument("--positions", type=int, default=Sizes.positions)
    parser.add_argument("--employers", type=int, default=Sizes.employers)
    parser.add_argument("--per-position", type=int, default=77, help="stored matches per position")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database test_<name> (for EXPLAIN)")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection

    from benchmarks.report import seed

    if connection.vendor != "postgresql":
        parser.error("the population is written in PostgreSQL's SQL: set DATABASE_URL to a PostgreSQL database")
    old_name = connection.settings_dict["NAME"]
    started = time.perf_counter()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"database: created and migrated {test_name} in {time.perf_counter() - started:.1f} s")
    try:
        started = time.perf_counter()
        sizes = Sizes(candidates=args.candidates, employers=args.employers, positions=args.positions)
        counts = seed(sizes, seed=args.seed)
        counts.update(seed_matches(per_position=args.per_position, seed=args.seed))
        fill = time.perf_counter() - started
        print(f"seeded in {fill:.1f} s: " + ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in counts.items()))
        results = measure(repeats=args.repeats)
    finally:
        if args.keep:
            print(f"database: kept {test_name}")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            print(f"database: dropped {test_name}")

    print(f"{'page':<20} {'best':>9} {'median':>9} {'slowest':>9} {'queries':>8}")
    for name in [key.removesuffix("_best_ms") for key in results if key.endswith("_best_ms")]:
        print(
            f"{name:<20} {results[f'{name}_best_ms']:>6.1f} ms {results[f'{name}_median_ms']:>6.1f} ms "
            f"{results[f'{name}_slowest_ms']:>6.1f} ms {results[f'{name}_queries']:>8}"
        )
    line = {"scope": "review_pages", "seed": args.seed, **counts, "fill_s": round(fill, 2), **results}
    print(json.dumps(line))
    return line


if __name__ == "__main__":
    main()
