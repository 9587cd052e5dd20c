"""`make load`: the load test (issue #14). Seeds a population with `manage.py seed_scale`, serves it
with gunicorn (DEBUG off, production settings) and a Celery worker, runs locust headless
(benchmarks/load/locustfile.py) and prints per page the requests, p50/p95/p99, the error rate and
the ratio of the page's p95 to the floor's (a bare Django view, /ping/, asked for in the same run),
then whether each page meets the target: errors < 0.1 % and p95 ≤ 3 × the floor's. Last line: one
JSON line with the figures.

Like the other benchmarks it never touches the database named in DATABASE_URL (default
postgres://127.0.0.1:5432/bridges_load): it creates `test_<name>`, migrates and seeds it, and drops
it at the end; `--keep` keeps it and reuses it next time (seeding 10,000 candidates takes minutes).
Everything it starts (gunicorn, the worker, locust) is stopped at the end, on an error and on Ctrl-C.

    .venv/bin/python -m benchmarks.load --candidates 2000 --users 10 --run-time 60
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from benchmarks.load.pages import FLOOR, PAGES

BASE_DIR = Path(__file__).resolve().parent.parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
DEFAULT_DATABASE_URL = "postgres://127.0.0.1:5432/bridges_load"
# A throw-away key for a throw-away database; fixed, so that a kept database's sessions and
# encrypted values stay readable next time.
SECRET_KEY = "load-test-only-secret-key-never-used-in-production-0123456789"
TARGET_RATIO = 3.0
TARGET_ERROR_RATE = 0.001  # 0.1 %
SAMPLE = 500  # ids of each kind handed to the users


def _environment(args: argparse.Namespace) -> dict[str, str]:
    """The environment of every process of the run: production settings, DEBUG off, on the throw-away
    database; plain HTTP on the loopback (a TLS proxy's place), the worker on a queue of its own."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bridges.settings",
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SITE_URL": f"http://127.0.0.1:{args.port}",
        "STATIC_ROOT": str(args.static_root),
        "REDIS_URL": args.redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": args.queue,
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    if args.cache_url is not None:
        env["CACHE_URL"] = args.cache_url
    return env


def _setup_django(args: argparse.Namespace) -> None:
    os.environ.update(_environment(args))
    os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()


def _database(args: argparse.Namespace) -> tuple[str, str]:
    """Create (or with --keep, reuse) test_<name> and migrate it; (old name, test name)."""
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=args.keep)
    return old_name, test_name


def _seeded() -> int:
    from candidates.models import Candidate

    return Candidate.objects.count()


def _seed(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    call_command(
        "seed_scale",
        candidates=args.candidates,
        employers=args.employers,
        positions=args.positions,
        case_workers=args.case_workers,
        seed=args.seed,
        password=args.password,
        verbosity=1 if args.verbose else 0,
    )


def _vacuum() -> float:
    """VACUUM the seeded database, as autovacuum does some time after a bulk load (it may be off, as on
    the development machines): with the visibility map set, a count over an index need not read the
    rows (the active candidates on the dashboard: 2.0 -> 0.3 ms). Seconds taken."""
    from django.db import connection

    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")
    return time.perf_counter() - started


def _data(args: argparse.Namespace, path: Path) -> dict:
    """The accounts and the ids the simulated users ask for, written to `path` for the locustfile."""
    from allauth.mfa.models import Authenticator

    from bridges.models import Role, User
    from candidates.models import Candidate
    from employers.models import Position
    from employers.selectors import public_positions
    from matching.models import Match

    rng = random.Random(args.seed)

    def sample(ids: list) -> list:
        return rng.sample(ids, min(SAMPLE, len(ids)))

    with_totp = Authenticator.objects.filter(type=Authenticator.Type.TOTP).values("user_id")
    case_workers = list(
        User.objects.filter(role=Role.CASE_WORKER, is_active=True, pk__in=with_totp)
        .order_by("pk")
        .values_list("email", flat=True)
    )
    positions_by_employer: dict[int, list[int]] = {}
    for employer_id, pk in Position.objects.filter(status=Position.Status.OPEN).values_list("employer_id", "pk"):
        positions_by_employer.setdefault(employer_id, []).append(pk)
    employers = []
    for email, employer_id in (
        User.objects.filter(role=Role.EMPLOYER, is_active=True, membership__employer_id__in=list(positions_by_employer))
        .order_by("pk")
        .values_list("email", "membership__employer_id")
    ):
        employers.append({"email": email, "positions": positions_by_employer[employer_id]})
    pairs = list(
        Match.objects.filter(position__status=Position.Status.OPEN)
        .order_by("pk")
        .values_list("candidate_id", "position_id")
    )
    open_positions = [pk for ids in positions_by_employer.values() for pk in ids]
    candidates = list(Candidate.objects.filter(erased_at=None).values_list("pk", flat=True))
    pairs = sample(pairs)
    if len(pairs) < 50 and candidates and open_positions:
        # A small population has few stored matches: any pair has an explanation page too.
        pairs += [(rng.choice(candidates), rng.choice(open_positions)) for _ in range(50 - len(pairs))]
    data = {
        "password": args.password,
        "totp_secret": args.totp_secret,
        "case_workers": case_workers,
        "employers": sample(employers),
        "candidates": sample(candidates),
        "positions": sample(open_positions),
        "pairs": [list(pair) for pair in pairs],
        "jobs": sample(list(public_positions().values_list("pk", flat=True))),
    }
    missing = [key for key, value in data.items() if not value]
    if missing:
        raise SystemExit(f"the seeded database has no {', '.join(missing)} for the load test")
    path.write_text(json.dumps(data), encoding="utf-8")
    return data


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args[2]} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def _idle_floor(url: str, count: int = 20) -> float:
    """The floor's median time without load, in ms: under load its p95 also holds the time a request
    waits for a free gunicorn worker; far above this, the server is saturated."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[len(times) // 2]


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        # A process group of its own: stopping it stops its children (gunicorn's workers) too.
        return subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _percentile(row: dict, key: str) -> float:
    value = row.get(key, "")
    return float(value) if value not in ("", "N/A") else float("nan")


def results(stats_csv: Path, pages: list[str], floor: str) -> dict:
    """Per request name from locust's CSV: requests, errors, p50/p95/p99 (ms); the floor's p95;
    each page's ratio and whether it meets the target."""
    rows = {row["Name"]: row for row in csv.DictReader(stats_csv.open(encoding="utf-8")) if row["Name"] != "Aggregated"}

    def figures(row: dict) -> dict:
        requests, failures = int(row["Request Count"]), int(row["Failure Count"])
        return {
            "requests": requests,
            "errors": failures,
            "error_rate": failures / requests if requests else 0.0,
            "p50_ms": _percentile(row, "50%"),
            "p95_ms": _percentile(row, "95%"),
            "p99_ms": _percentile(row, "99%"),
        }

    floor_figures = figures(rows[floor]) if floor in rows else None
    floor_p95 = floor_figures["p95_ms"] if floor_figures else float("nan")
    per_page = {}
    for name in [*pages, *sorted(set(rows) - set(pages) - {floor})]:
        if name not in rows:
            per_page[name] = {"requests": 0, "errors": 0, "error_rate": 0.0, "meets_target": False}
            continue
        page = figures(rows[name])
        page["ratio"] = page["p95_ms"] / floor_p95 if floor_p95 > 0 else float("nan")
        key = name in pages
        page["key_page"] = key
        if key:
            page["meets_target"] = page["error_rate"] < TARGET_ERROR_RATE and page["ratio"] <= TARGET_RATIO
        per_page[name] = page
    total = sum(int(row["Request Count"]) for row in rows.values())
    errors = sum(int(row["Failure Count"]) for row in rows.values())
    return {
        "floor": floor_figures,
        "pages": per_page,
        "requests": total,
        "errors": errors,
        "error_rate": errors / total if total else 0.0,
        "meets_target": bool(floor_figures)
        and all(page.get("meets_target", True) for page in per_page.values())
        and (errors / total if total else 1.0) < TARGET_ERROR_RATE,
    }


def print_table(figures: dict, floor: str) -> None:
    header = (
        f"{'page':<36} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'p95/floor':>9}"
        "  meets target"
    )
    print(header)
    print("-" * len(header))
    floor_row = figures["floor"] or {
        "requests": 0,
        "p50_ms": float("nan"),
        "p95_ms": float("nan"),
        "p99_ms": float("nan"),
        "error_rate": 0,
    }
    print(
        f"{floor:<36} {floor_row['requests']:>8} {floor_row['p50_ms']:>8.0f} {floor_row['p95_ms']:>8.0f} "
        f"{floor_row['p99_ms']:>8.0f} {floor_row['error_rate']:>7.2%} {1:>9.2f}  (the floor)"
    )
    for name, page in figures["pages"].items():
        if not page["requests"]:
            # A key page must be asked for; the logins are all over before the steady state starts.
            verdict = "no: never requested" if page.get("key_page", True) else "(not a key page)"
            print(f"{name:<36} {0:>8} {'–':>8} {'–':>8} {'–':>8} {'–':>7} {'–':>9}  {verdict}")
            continue
        verdict = ("yes" if page["meets_target"] else "no") if page.get("key_page") else "(not a key page)"
        print(
            f"{name:<36} {page['requests']:>8} {page['p50_ms']:>8.0f} {page['p95_ms']:>8.0f} {page['p99_ms']:>8.0f} "
            f"{page['error_rate']:>7.2%} {page['ratio']:>9.2f}  {verdict}"
        )
    print("-" * len(header))
    print(
        f"all requests: {figures['requests']}, errors {figures['errors']} ({figures['error_rate']:.3%}); "
        f"target: errors < {TARGET_ERROR_RATE:.1%} and every key page's p95 ≤ {TARGET_RATIO:g} × the floor's"
    )
    print(f"meets target overall: {'yes' if figures['meets_target'] else 'no'}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--employers", type=int, default=300)
    parser.add_argument("--positions", type=int, default=2_000)
    parser.add_argument("--case-workers", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--password", default="scale-2026", help="the seeded accounts' password")
    parser.add_argument("--totp-secret", default="BRIDGESDEMOTOTPSECRETFORSTAFFXYZ", help="the staff's TOTP key")
    parser.add_argument("--keep", action="store_true", help="keep test_<name>, and reuse it when already seeded")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--timeout", type=int, default=30, help="gunicorn's worker timeout in seconds")
    parser.add_argument("--users", type=int, default=10, help="simulated users (3 case workers to 1 employer)")
    parser.add_argument("--spawn-rate", type=float, default=2, help="users started per second")
    parser.add_argument("--run-time", default="60s", help="locust's --run-time, e.g. 60s, 2m")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument(
        "--tour", action="store_true", help="each user first opens each of its pages once (the smoke test's short run)"
    )
    parser.add_argument("--csv", type=Path, help="keep locust's CSV files under this prefix")
    parser.add_argument("--verbose", action="store_true", help="seed_scale's output and the services' logs")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress shows in a log file too
    args.database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    args.redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    args.cache_url = os.environ.get("CACHE_URL")
    args.port = args.port or _free_port()
    args.queue = f"bridges-load-{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="bridges-load-"))
    args.static_root = work / "static"
    if not args.database_url.startswith("postgres"):
        raise SystemExit("the load test runs on PostgreSQL: set DATABASE_URL=postgres://…")

    _setup_django(args)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    processes: list[subprocess.Popen] = []
    old_name = None
    # Ctrl-C and a TERM end the run through the `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        started = time.perf_counter()
        old_name, test_name = _database(args)
        print(f"database: {test_name} migrated in {time.perf_counter() - started:.1f} s")
        existing = _seeded()
        if existing:
            print(f"database: reusing the seeded population ({existing:,} candidates; --keep)")
        else:
            started = time.perf_counter()
            _seed(args)
            print(
                f"seed_scale: {args.candidates:,} candidates, {args.employers:,} employers, "
                f"{args.positions:,} positions in {time.perf_counter() - started:.1f} s"
            )
        print(f"vacuum: {_vacuum():.1f} s")
        data = _data(args, work / "data.json")
        started = time.perf_counter()
        # The pages need the manifest of hashed names; the compressed copies WhiteNoise would add take
        # a minute to write and are never asked for (locust fetches no assets).
        manifest_only = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
        }
        with override_settings(STORAGES=manifest_only):
            call_command("collectstatic", interactive=False, verbosity=0)
        print(f"collectstatic: {time.perf_counter() - started:.1f} s")
        connection.close()

        env = {
            **_environment(args),
            "DATABASE_URL": _url_with_name(args.database_url, test_name),
            "LOAD_DATA": str(work / "data.json"),
            "PYTHONPATH": str(BASE_DIR),
            # The tour counts every page's first request; else the figures are the steady state.
            **({"LOAD_TOUR": "1"} if args.tour else {"LOAD_STEADY": "1"}),
        }
        bin_dir = Path(sys.executable).parent
        gunicorn = _start(
            [
                str(bin_dir / "gunicorn"),
                "bridges.wsgi",
                "--config",
                "python:bridges.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--timeout",
                str(args.timeout),
                "--log-level",
                "warning",
            ],
            env,
            work / "gunicorn.log",
        )
        processes.append(gunicorn)
        worker = _start(
            [
                str(bin_dir / "celery"),
                "-A",
                "bridges",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "--without-mingle",
                "--without-gossip",
                "-Q",
                args.queue,
                "--hostname",
                f"{args.queue}@%h",
            ],
            env,
            work / "worker.log",
        )
        processes.append(worker)
        host = f"http://127.0.0.1:{args.port}"
        _wait_for(host + "/ping/", gunicorn, work / "gunicorn.log")
        print(
            f"gunicorn: {args.workers} worker(s) × {args.threads} thread(s) on {host}; "
            f"celery worker on queue {args.queue}; "
            f"{len(data['case_workers'])} case worker and {len(data['employers'])} employer accounts"
        )
        idle_ms = _idle_floor(host + "/ping/")
        print(f"floor idle (20 requests one after another, before the load): p50 {idle_ms:.0f} ms")
        csv_prefix = args.csv or work / "locust"
        locust = _start(
            [
                str(bin_dir / "locust"),
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                args.run_time,
                "--host",
                host,
                "--csv",
                str(csv_prefix),
                "--only-summary",
                "--stop-timeout",
                "10",
                "--exit-code-on-error",
                "0",
            ],
            env,
            work / "locust.log",
        )
        processes.append(locust)
        locust.wait()
        if locust.returncode != 0:
            raise SystemExit(f"locust exited with {locust.returncode}:\n{(work / 'locust.log').read_text()[-3000:]}")
        failures = Path(f"{csv_prefix}_failures.csv")
        if failures.exists() and failures.stat().st_size and len(failures.read_text().splitlines()) > 1:
            print("failures (locust):")
            print(failures.read_text()[-3000:])
        server_log = (work / "gunicorn.log").read_text(errors="replace").splitlines()
        timeouts = sum("WORKER TIMEOUT" in line for line in server_log)
        markers = ("[ERROR]", "Internal Server Error", "Traceback")
        errors = [line for line in server_log if any(marker in line for marker in markers)]
        if timeouts or errors:
            # A request past gunicorn's --timeout is killed with its worker; locust sees a 500 or a reset.
            print(f"gunicorn: {timeouts} worker timeout(s) (--timeout {args.timeout} s), {len(errors)} error line(s)")
            for line in errors[-5:]:
                print(f"  {line[:300]}")
        figures = results(Path(f"{csv_prefix}_stats.csv"), PAGES, FLOOR)
        print(
            f"load: {args.users} users (spawn rate {args.spawn_rate}/s) for {args.run_time}; "
            f"{args.candidates:,} candidates seeded"
        )
        print_table(figures, FLOOR)
        summary = {
            "candidates": existing or args.candidates,
            "users": args.users,
            "run_time": args.run_time,
            "gunicorn_workers": args.workers,
            "floor_p95_ms": figures["floor"]["p95_ms"] if figures["floor"] else None,
            "floor_idle_p50_ms": round(idle_ms, 1),
            "requests": figures["requests"],
            "error_rate": figures["error_rate"],
            "meets_target": figures["meets_target"],
            "pages": {
                name: {
                    key: page.get(key)
                    for key in ("requests", "p50_ms", "p95_ms", "p99_ms", "error_rate", "ratio", "meets_target")
                    if key in page
                }
                for name, page in figures["pages"].items()
            },
        }
    finally:
        for proc in reversed(processes):
            _stop(proc)
        if old_name is not None:
            # A kept database must hold a whole population (seed_scale writes it in one transaction).
            keep = args.keep and _seeded() > 0
            connection.close()
            if keep:
                print(f"database: kept {connection.settings_dict['NAME']}")
            else:
                connection.creation.destroy_test_db(old_name, verbosity=0)
                print("database: dropped")
        shutil.rmtree(work, ignore_errors=True)
    # After the clean-up: the JSON line is the last one.
    print(json.dumps(summary))
    return summary


def _url_with_name(url: str, name: str) -> str:
    head, _, tail = url.partition("://")
    netloc, _, rest = tail.partition("/")
    query = rest.partition("?")[2]
    return f"{head}://{netloc}/{name}" + (f"?{query}" if query else "")


if __name__ == "__main__":
    main()
