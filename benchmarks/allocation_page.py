"""Benchmark of the suggested allocation (issue #14): the task that computes it and the page that shows it.

    DATABASE_URL=postgres://127.0.0.1:5432/bridges_bench python -m benchmarks.allocation_page \
        [--candidates 10000 --positions 2000] [--keep] [--reuse] [--requests 20]

Fills a throw-away database `test_<name>` of DATABASE_URL with the synthetic population of
benchmarks/matching_engine.py (COPY), gives the positions 1–3 openings, rescores it fully through
`matching.services` (the stored matches), then measures

- `allocate_s`, `allocate_peak_rss_mb`: `allocation_service.run_allocation` (read the matches as
  arrays, optimum and greedy, write the run's rows), in this process;
- `page_ms_median` / `page_ms_p95` and `page_queries`: GET /dashboard/allocation/ as a case worker
  (Django's test client, in process), first page and a filtered later page;
- `bare_ms_median`: GET of a view that renders an almost empty template, for the ratio the issue asks for.

`--keep` keeps the database (to measure another version of the code against it), `--reuse` takes the
kept one instead of filling a new one. Prints its figures and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import time


def _fill(args) -> None:
    import numpy as np

    from benchmarks import matching_engine as bench

    rng = np.random.default_rng(args.seed)
    taxonomy = bench.make_taxonomy(rng)
    towns = bench.make_towns(rng)
    candidates, _profiles = bench.make_candidates(rng, taxonomy, towns, args.candidates)
    positions = bench.make_positions(rng, taxonomy, towns, args.positions)
    started = time.perf_counter()
    counts = bench.fill_database(taxonomy, towns, candidates, positions)
    print(f"  filled with COPY in {time.perf_counter() - started:.1f} s: {sum(counts.values()):,} rows")


def _rescore() -> None:
    """1–3 openings per position, and the stored matches of a full rescore."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE employers_position SET openings = 1 + id % 3")
    from matching import services
    from matching.models import MatchRun

    started = time.perf_counter()
    run = services.rescore_all(trigger=MatchRun.Trigger.FULL)
    print(f"  full rescore: {time.perf_counter() - started:.1f} s, {run.rows_written:,} matches stored")


def _measure(args) -> dict:
    from django.db import connection
    from django.template import engines
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from benchmarks.matching_engine import _reset_peak_rss, _vm_mb, peak_rss_mb
    from matching import allocation_service
    from matching.models import AllocationRun, Match
    from tests.factories import CaseWorkerFactory

    measured: dict = {"matches": Match.objects.count()}
    gc.collect()
    exact = _reset_peak_rss()
    run = AllocationRun.objects.create()  # not queued: computed here, where its memory is measured
    started = time.perf_counter()
    allocation_service.run_allocation(run.pk)
    measured["allocate_s"] = round(time.perf_counter() - started, 3)
    measured["allocate_peak_rss_mb"] = round(_vm_mb() if exact else peak_rss_mb(), 1)
    run = AllocationRun.objects.get(pk=run.pk)
    measured.update(
        positions=run.positions,
        openings=run.openings,
        suggested_filled=run.suggested_filled,
        greedy_filled=run.greedy_filled,
        suggested_total=round(run.suggested_total, 1),
        greedy_total=round(run.greedy_total, 1),
    )
    print(
        f"  allocate: {measured['allocate_s']:.2f} s, peak RSS {measured['allocate_peak_rss_mb']:.0f} MB; "
        f"{run.pairs:,} pairs, {run.positions:,} positions, filled {run.suggested_filled:,}/{run.openings:,} "
        f"(greedy {run.greedy_filled:,}), total {run.suggested_total:,.0f} (greedy {run.greedy_total:,.0f})"
    )

    # What autovacuum does within a minute of the run's writes: without statistics on the new rows the
    # planner takes the 2,000 rows of a run for 4 and joins them all before the sort (50 ms instead of 1).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE matching_allocationposition; ANALYZE matching_allocationpair")
    from bridges.models import User

    user = User.objects.filter(role="case_worker").first() or CaseWorkerFactory()
    client = Client()
    client.force_login(user)
    url = reverse("matching:allocation")

    def timings(path: str, params: dict) -> tuple[list[float], int, int]:
        client.get(path, params)  # warm up
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(path, params)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, params)
        return times, len(queries), len(response.content)

    def p95(times: list[float]) -> float:
        return sorted(times)[max(0, round(0.95 * len(times)) - 1)]

    times, queries, size = timings(url, {})
    filtered, filtered_queries, _size = timings(url, {"page": 3, "suggested": "on", "title": "stelle 1"})
    # The baseline: a view of this project that renders a near-empty template for the same user.
    template = engines["django"].from_string("<p>{{ user.pk }}</p>")
    from django.http import HttpResponse
    from django.urls import path

    from bridges import urls as root

    root.urlpatterns.append(path("__bare__/", lambda r: HttpResponse(template.render({"user": r.user}, r))))
    from django.urls import clear_url_caches

    clear_url_caches()
    bare, _bare_queries, _bare_size = timings("/__bare__/", {})
    measured.update(
        page_ms_median=round(statistics.median(times), 1),
        page_ms_p95=round(p95(times), 1),
        page_queries=queries,
        page_kb=round(size / 1024, 1),
        filtered_page_ms_median=round(statistics.median(filtered), 1),
        filtered_page_queries=filtered_queries,
        bare_ms_median=round(statistics.median(bare), 1),
        bare_ms_p95=round(p95(bare), 1),
    )
    print(
        f"  page: median {measured['page_ms_median']} ms, p95 {measured['page_ms_p95']} ms, {queries} queries, "
        f"{measured['page_kb']} kB; filtered page 3: median {measured['filtered_page_ms_median']} ms, "
        f"{filtered_queries} queries; bare view: median {measured['bare_ms_median']} ms, "
        f"p95 {measured['bare_ms_p95']} ms"
    )
    return measured


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--positions", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the filled database")
    parser.add_argument("--reuse", action="store_true", help="measure in the kept database")
    args = parser.parse_args(argv)
    os.environ.setdefault("DATABASE_URL", "postgres://127.0.0.1:5432/bridges_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridges.settings_test")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(f"needs PostgreSQL, DATABASE_URL points at {connection.vendor}")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=not args.reuse, keepdb=args.reuse, serialize=False
    )
    print(f"database: {test_name} ({'kept' if args.reuse else 'created and migrated'})")
    try:
        if not args.reuse:
            _fill(args)
        from matching.models import Match

        if not Match.objects.exists():
            _rescore()
        measured = _measure(args)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            print(f"database: dropped {test_name}")
    print(json.dumps(measured))
    return measured


if __name__ == "__main__":
    main()
