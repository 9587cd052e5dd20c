"""`make bench` end to end at a tiny size, so that the matching benchmark cannot rot: the engine in
memory, the population written to a throw-away PostgreSQL database and rescored there through
`matching.services` (full runs and single records), a full run by a real Celery worker process,
the figures printed and the last line JSON; the throw-away database is dropped."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import _database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.django_db


def test_the_matching_benchmark_runs_end_to_end_at_a_tiny_size():
    # Its own database name per test process (pytest-xdist), apart from the suite's.
    name = f"bridges_bench_smoke_{os.environ.get('PYTEST_XDIST_WORKER', 'gw')}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url({**settings.DATABASES["default"], "NAME": name}),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CACHE_URL": settings.CACHES["default"].get("LOCATION", ""),
    }
    command = [sys.executable, "-m", "benchmarks.matching_engine", "--candidates", "400", "--positions", "40"]
    command += ["--sample-candidates", "100", "--sample-positions", "20", "--no-scenario"]
    command += ["--workers", "1", "--repeat", "1", "--block-candidates", "150"]

    run = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    for key in ("full_rescore_s", "full_rescore_db_s", "one_candidate_db_ms", "one_position_db_ms"):
        assert figures[key] > 0, key
    assert figures["full_rescore_1_workers_s"] > 0
    assert figures["db_rows_written"] > 0
    assert "through services: one-candidate rescore" in run.stdout
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [f"test_{name}"])
        assert cursor.fetchone() == (0,)
