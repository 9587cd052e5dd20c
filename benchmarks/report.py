"""Benchmark of the funder's report: a synthetic programme of realistic size, then the report's
figures, the fairness table, the anonymised rows and (when it exists) the report page, timed.

It creates a throw-away database the way the test runner does (`test_<name>` of DATABASE_URL),
migrates it, writes the population with `bulk_create` (dates then spread by one `UPDATE … FROM
unnest(…)` per table), runs every measure three times (best and median) and drops the database.
The population is reproducible with `--seed`.

    DATABASE_URL=postgres://127.0.0.1:5432/bridges_bench_report .venv/bin/python -m benchmarks.report
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import time
from dataclasses import dataclass
from decimal import Decimal

# The settings read the environment at import time; a distinct default keeps the benchmark's
# database (test_bridges_bench_report) apart from the suite's.
os.environ.setdefault("DATABASE_URL", "postgres://127.0.0.1:5432/bridges_bench_report")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridges.settings_test")

BATCH = 2000
# Nationalities in rough order of frequency (weights below), as in the programme's intake.
COUNTRIES = ("SY", "AF", "UA", "TR", "IQ", "ER", "IR", "SO", "NG", "VN", "IN", "PH", "MA", "TN", "GE", "AL")
COUNTRY_WEIGHTS = (30, 18, 12, 8, 7, 5, 4, 3, 3, 2, 2, 2, 1, 1, 1, 1)
DAYS = 730  # the population spans two years; the report's period is the last 365 days


@dataclass(frozen=True)
class Sizes:
    candidates: int = 10_000
    employers: int = 300
    positions: int = 2_000
    introductions: int = 3_000
    placements: int = 600
    measures: int = 2_000
    shortlists: int = 5_000
    case_workers: int = 20


def _moment(today: datetime.date, days_ago: float) -> datetime.datetime:
    from django.utils import timezone

    base = timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))
    return base - datetime.timedelta(days=days_ago)


def _set_times(model, column: str, ids: list[int], values: list[datetime.datetime]) -> None:
    """Set an auto_now(_add) column that bulk_create filled with now: one UPDATE for the table."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {table} SET "{column}" = v.at FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) '
            f"WHERE {table}.id = v.id",
            [ids, values],
        )


def seed(sizes: Sizes, *, seed: int = 2026) -> dict[str, int]:
    """Write the synthetic programme into the (migrated, empty) database; returns row counts."""
    from dateutil.relativedelta import relativedelta
    from django.db import connection, transaction
    from django.utils import timezone

    from bridges.models import CEFRLevel, Language, Occupation, Place, Role, User
    from candidates.models import Candidate, CandidateLanguage, Gender, Perspective, SupportMeasure
    from employers.models import Employer, Position, Sector
    from matching import pipeline
    from matching.models import FollowUp, Introduction, IntroductionEvent, MatchDecision, Placement

    rng = random.Random(seed)
    today, now = timezone.localdate(), timezone.now()
    counts: dict[str, int] = {}

    with transaction.atomic():
        place = Place.objects.create(
            geonameid=2929670, name="Erfurt", country="DE", latitude=50.98, longitude=11.03, population=200_000
        )
        german, _created = Language.objects.get_or_create(
            code="de", defaults={"name_en": "German", "name_de": "Deutsch"}
        )
        occupations = Occupation.objects.bulk_create(
            Occupation(labels={"de": f"Beruf {k}", "en": f"Occupation {k}"}, isco_group=f"{7000 + k}")
            for k in range(50)
        )
        staff = User.objects.bulk_create(
            User(email=f"berater{k}@bench.example", role=Role.CASE_WORKER, first_name="Berater", last_name=str(k))
            for k in range(sizes.case_workers)
        )

        genders = [Gender.FEMALE, Gender.MALE, Gender.DIVERSE, ""]
        candidates = []
        for k in range(sizes.candidates):
            nationality = rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0] if rng.random() > 0.03 else ""
            perspective = rng.choices([Perspective.STAY, Perspective.RETURN, Perspective.OPEN], (60, 15, 25))[0]
            candidates.append(
                Candidate(
                    first_name=f"Vorname{k}",
                    last_name=f"Nachname{k}",
                    date_of_birth=today - datetime.timedelta(days=rng.randint(18 * 365, 64 * 365)),
                    gender=rng.choices(genders, (40, 50, 2, 8))[0],
                    nationality=nationality,
                    country_of_origin=nationality,
                    residence_status="aufenthaltserlaubnis",
                    work_permission="allowed",
                    perspective=perspective,
                    return_country=(nationality or "SY") if perspective == Perspective.RETURN else "",
                    case_worker=rng.choice(staff),
                    status="inactive" if rng.random() < 0.1 else "active",
                    place=place,
                )
            )
        candidates = Candidate.objects.bulk_create(candidates, batch_size=BATCH)
        intake = {c.pk: _moment(today, rng.uniform(0, DAYS)) for c in candidates}
        _set_times(Candidate, "created_at", list(intake), list(intake.values()))
        counts["candidates"] = len(candidates)
        levels = [level.value for level in CEFRLevel]
        counts["candidate_languages"] = len(
            CandidateLanguage.objects.bulk_create(
                (
                    CandidateLanguage(candidate=c, language=german, level=rng.choice(levels))
                    for c in candidates
                    if rng.random() < 0.8
                ),
                batch_size=BATCH,
            )
        )

        sectors = list(Sector.values)
        employers = Employer.objects.bulk_create(
            Employer(
                name=f"Betrieb {k}",
                sector=rng.choice(sectors),
                postal_code="99084",
                place=place,
                verification=Employer.Verification.APPROVED,
            )
            for k in range(sizes.employers)
        )
        counts["employers"] = len(employers)
        positions = []
        for k in range(sizes.positions):
            abroad = rng.random() < 0.15
            positions.append(
                Position(
                    employer=rng.choice(employers),
                    title=f"Stelle {k}",
                    description="Synthetische Stelle",
                    occupation=rng.choice(occupations),
                    position_type=Position.PositionType.RETURN_ABROAD if abroad else Position.PositionType.EMPLOYMENT,
                    location=Position.Location.ABROAD if abroad else Position.Location.GERMANY,
                    country=rng.choice(COUNTRIES[:6]) if abroad else "",
                    postal_code="" if abroad else "99084",
                    place=None if abroad else place,
                    status=Position.Status.OPEN,
                )
            )
        positions = Position.objects.bulk_create(positions, batch_size=BATCH)
        counts["positions"] = len(positions)

        # Shortlists and other decisions on pairs (unique per pair).
        pairs = set()
        while len(pairs) < sizes.shortlists:
            pairs.add((rng.randrange(len(candidates)), rng.randrange(len(positions))))
        statuses = [MatchDecision.Status.SHORTLISTED, MatchDecision.Status.PINNED, MatchDecision.Status.DISMISSED]
        decisions = []
        for ci, pi in sorted(pairs):
            status = rng.choices(statuses, (70, 10, 20))[0]
            decisions.append(
                MatchDecision(
                    candidate=candidates[ci],
                    position=positions[pi],
                    status=status,
                    reason=MatchDecision.Reason.SKILLS if status == MatchDecision.Status.DISMISSED else "",
                    decided_by=rng.choice(staff),
                )
            )
        decisions = MatchDecision.objects.bulk_create(decisions, batch_size=BATCH)
        _set_times(
            MatchDecision,
            "decided_at",
            [d.pk for d in decisions],
            [_moment(today, rng.uniform(0, DAYS - 30)) for _d in decisions],
        )
        counts["match_decisions"] = len(decisions)

        # Introductions along the stages: some placed, some still open, the rest closed with a reason.
        active = [c for c in candidates if c.status == "active"]
        pairs = set()
        while len(pairs) < sizes.introductions:
            pairs.add((rng.randrange(len(active)), rng.randrange(len(positions))))
        pairs = sorted(pairs)
        rng.shuffle(pairs)
        placed_count = min(sizes.placements, len(pairs))
        introductions, paths = [], []
        for n, (ci, pi) in enumerate(pairs):
            candidate, position = active[ci], positions[pi]
            created = max(intake[candidate.pk], _moment(today, rng.uniform(0, DAYS - 60)))
            if n < placed_count:
                reached = pipeline.Stage.OFFER
                final = pipeline.Stage.PLACED
            else:
                reached = rng.choices(pipeline.OPEN_STAGES, (35, 25, 25, 5, 10))[0]
                final = rng.choice([None, *pipeline.CLOSING_STAGES, pipeline.Stage.DECLINED])
            path = list(pipeline.OPEN_STAGES[: pipeline.OPEN_STAGES.index(reached) + 1])
            moments, at = [], created
            for _stage in path:
                moments.append(min(at, now))
                at = at + datetime.timedelta(days=rng.uniform(1, 20))
            reason = ""
            if final is not None:
                path.append(final)
                moments.append(min(at, now))
                reason = rng.choice(pipeline.reasons_for(final)) if final != pipeline.Stage.PLACED else ""
            introductions.append(
                Introduction(
                    candidate=candidate,
                    position=position,
                    stage=path[-1],
                    reached_stage=pipeline.Stage.PLACED if final == pipeline.Stage.PLACED else reached,
                    close_reason=reason,
                    closed_at=moments[-1] if final else None,
                    case_worker=candidate.case_worker,
                    created_by=candidate.case_worker,
                )
            )
            paths.append((path, moments))
        introductions = Introduction.objects.bulk_create(introductions, batch_size=BATCH)
        _set_times(Introduction, "created_at", [i.pk for i in introductions], [m[0] for _p, m in paths])
        counts["introductions"] = len(introductions)
        events = []
        for introduction, (path, moments) in zip(introductions, paths, strict=True):
            previous = ""
            for stage, at in zip(path, moments, strict=True):
                events.append(
                    IntroductionEvent(
                        introduction=introduction,
                        kind=IntroductionEvent.Kind.STAGE,
                        from_stage=previous,
                        to_stage=stage,
                        reason=introduction.close_reason if stage in pipeline.CLOSING_STAGES else "",
                        actor=introduction.case_worker,
                        at=at,
                    )
                )
                previous = stage
        counts["introduction_events"] = len(IntroductionEvent.objects.bulk_create(events, batch_size=BATCH))

        placements = []
        for introduction, (_path, moments) in zip(introductions[:placed_count], paths[:placed_count], strict=True):
            abroad = introduction.position.location == Position.Location.ABROAD
            placements.append(
                Placement(
                    introduction=introduction,
                    candidate=introduction.candidate,
                    position=introduction.position,
                    kind=Placement.Kind.RETURN if abroad else Placement.Kind.EMPLOYMENT,
                    start_date=timezone.localdate(moments[-1]) + datetime.timedelta(days=rng.randint(0, 30)),
                    place="Arbeitsort",
                    recorded_by=introduction.case_worker,
                )
            )
        placements = Placement.objects.bulk_create(placements, batch_size=BATCH)
        counts["placements"] = len(placements)
        follow_ups = []
        outcomes = list(FollowUp.Outcome.values)
        for placement in placements:
            for months in FollowUp.MONTHS:
                due = placement.start_date + relativedelta(months=months)
                recorded = due <= today and rng.random() < 0.85
                follow_ups.append(
                    FollowUp(
                        placement=placement,
                        months=months,
                        due_on=due,
                        outcome=rng.choices(outcomes, (60, 15, 15, 10))[0] if recorded else "",
                        recorded_at=_moment(today, (today - due).days) if recorded else None,
                    )
                )
        counts["follow_ups"] = len(FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH))

        measures = []
        kinds = ["language_course", "training", "recognition", "travel", "accommodation", "equipment"]
        for _k in range(sizes.measures):
            status = rng.choices(list(SupportMeasure.Status.values), (20, 20, 50, 10))[0]
            planned = Decimal(rng.randint(50, 3000))
            planner, approver = rng.sample(staff, 2)
            measures.append(
                SupportMeasure(
                    candidate=rng.choice(candidates),
                    kind=rng.choice(kinds),
                    title="Maßnahme",
                    start_date=today - datetime.timedelta(days=rng.randint(0, DAYS)),
                    planned_cost=planned,
                    actual_cost=(planned * Decimal(rng.uniform(0.8, 1.2))).quantize(Decimal("0.01"))
                    if status == SupportMeasure.Status.DONE
                    else None,
                    status=status,
                    planned_by=planner,
                    approved_by=approver if status in ("approved", "done") else None,
                    approved_at=timezone.now() if status in ("approved", "done") else None,
                )
            )
        counts["support_measures"] = len(SupportMeasure.objects.bulk_create(measures, batch_size=BATCH))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts


def period() -> object:
    """The report's period: the last 365 days up to today."""
    from django.utils import timezone

    from matching.report_scope import ReportFilters

    today = timezone.localdate()
    return ReportFilters(start=today - datetime.timedelta(days=364), end=today)


def _times(fn, repeats: int) -> tuple[float, float]:
    """Best and median wall time (s) of `repeats` calls."""
    times = []
    for _k in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def measure(filters, *, repeats: int = 3) -> dict[str, float | int | str]:
    """Time report_build, fairness_tables, anonymised_rows (consumed) and the report page."""
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from bridges.account_security import user_totp_activate
    from bridges.models import Role, User
    from matching.fairness import fairness_tables
    from matching.report import report_build
    from matching.report_rows import anonymised_rows

    results: dict[str, float | int | str] = {}
    rows = {"n": 0}

    def consume() -> None:
        rows["n"] = sum(1 for _row in anonymised_rows(filters))

    for key, fn in (
        ("report_build", lambda: report_build(filters)),
        ("fairness_tables", lambda: fairness_tables(filters)),
        ("anonymised_rows", consume),
    ):
        results[f"{key}_best_s"], results[f"{key}_median_s"] = _times(fn, repeats)
    results["anonymised_rows"] = rows["n"]
    try:
        url = reverse("matching:report")
    except NoReverseMatch:
        results["report_page"] = "skipped: the URL matching:report does not exist"
        return results
    client = Client()
    case_worker = User.objects.filter(role=Role.CASE_WORKER).first()
    # Case workers see no page before they have a second factor (bridges.account_security).
    user_totp_activate(user=case_worker, secret=generate_totp_secret())
    client.force_login(case_worker)
    status = {}

    def get() -> None:
        status["code"] = client.get(url).status_code

    results["report_page_best_s"], results["report_page_median_s"] = _times(get, repeats)
    results["report_page_status"] = status["code"]
    return results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=Sizes.candidates)
    parser.add_argument("--positions", type=int, default=Sizes.positions)
    parser.add_argument("--introductions", type=int, default=Sizes.introductions)
    parser.add_argument("--employers", type=int, default=Sizes.employers)
    parser.add_argument("--placements", type=int, help="default: a fifth of the introductions")
    parser.add_argument("--measures", type=int, default=Sizes.measures)
    parser.add_argument("--shortlists", type=int, default=Sizes.shortlists)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database test_<name> (for EXPLAIN)")
    args = parser.parse_args(argv)
    sizes = Sizes(
        candidates=args.candidates,
        employers=args.employers,
        positions=args.positions,
        introductions=args.introductions,
        placements=args.placements if args.placements is not None else args.introductions // 5,
        measures=args.measures,
        shortlists=args.shortlists,
    )

    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    started = time.perf_counter()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"database: created and migrated {connection.vendor} {test_name} in {time.perf_counter() - started:.1f} s")
    try:
        started = time.perf_counter()
        counts = seed(sizes, seed=args.seed)
        fill = time.perf_counter() - started
        print(f"seeded in {fill:.1f} s: " + ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in counts.items()))
        filters = period()
        print(f"period: {filters.start} – {filters.end}; best and median of {args.repeats} runs")
        results = measure(filters, repeats=args.repeats)
    finally:
        if args.keep:
            print(f"database: kept {test_name}")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            print(f"database: dropped {test_name}")

    print(f"{'measure':<22} {'best':>9} {'median':>9}")
    for key in ("report_build", "fairness_tables", "anonymised_rows", "report_page"):
        if f"{key}_best_s" in results:
            print(f"{key:<22} {results[f'{key}_best_s'] * 1000:>7.2f} ms {results[f'{key}_median_s'] * 1000:>6.2f} ms")
    print(f"anonymised rows: {results['anonymised_rows']:,}")
    if "report_page" in results:
        print(f"report page: {results['report_page']}")
    line = {
        "scope": "report",
        "seed": args.seed,
        **counts,
        "fill_s": round(fill, 2),
        **{key: round(value, 5) if isinstance(value, float) else value for key, value in results.items()},
    }
    print(json.dumps(line))
    return line


if __name__ == "__main__":
    main()
