"""Benchmark of the case worker's candidate list: the plain list, searches and a filter, timed
through Django's test client as a logged-in case worker, with the number of queries.

It reads the database in DATABASE_URL as it is: fill it first (at scale, e.g. the ESCO-size
taxonomy of `benchmarks.esco_import`'s generator and 10,000 candidates, or `seed_scale`). It
adds one case worker, `bench-list@bridges.example`, if missing (the list's audit events name
it, so it stays), and prints one line per page: median and 95th percentile in ms, queries.

    DATABASE_URL=postgres://127.0.0.1:5432/bridges_scale .venv/bin/python -m benchmarks.candidate_list --runs 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridges.settings_test")

BENCH_USER = "bench-list@bridges.example"
TOTP_SECRET = "BRIDGESBENCHTOTPSECRETFORSTAFFXY"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed requests per page (after 2 warm-ups)")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bridges.account_security import user_totp_activate
    from bridges.models import Language, Role, User
    from candidates.models import Candidate

    user = User.objects.filter(email=BENCH_USER).first()
    if user is None:
        user = User.objects.create_user(email=BENCH_USER, password=None, role=Role.CASE_WORKER)
        user_totp_activate(user=user, secret=TOTP_SECRET)  # staff need a second factor
    client = Client()
    client.force_login(user)
    german = Language.objects.filter(code="de").first()
    language = {"language": german.pk} if german else {}  # without German: the country alone
    pages = [
        ("bare view (/healthz)", "/healthz", {}),
        ("plain list", "/candidates/", {}),
        ("q=Pflege", "/candidates/", {"q": "Pflege"}),
        ("q=Müller", "/candidates/", {"q": "Müller"}),
        ("q=Pfleg, page 3", "/candidates/", {"q": "Pfleg", "page": 3}),
        ("country + language filter", "/candidates/", {"country_of_origin": "SY", **language}),
    ]
    print(f"{connection.vendor}: {Candidate.objects.count():,} candidates; {args.runs} runs per page")
    for name, url, params in pages:
        times = []
        for run in range(args.runs + 2):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, params)
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
            if run >= 2:
                times.append(elapsed)
        times.sort()
        p95 = times[round(0.95 * (len(times) - 1))]
        print(f"{name:28s} median {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  {len(queries)} queries")


if __name__ == "__main__":
    main()
