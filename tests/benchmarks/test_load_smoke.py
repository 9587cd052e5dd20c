"""`make load` end to end at a tiny size, so that the load test cannot rot: the runner seeds with
seed_scale, serves with gunicorn (DEBUG off) and a Celery worker, logs case workers (with their
second factor) and employers in, asks for every key page, saves forms, prints the table and the
JSON line, and leaves neither processes nor its database behind."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from benchmarks.load.pages import FLOOR, PAGES
from tests.conftest import _database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.django_db


def _running(marker: str) -> list[str]:
    """The command lines of this machine's processes that contain `marker`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in text:
            found.append(text)
    return found


def test_the_load_test_runs_end_to_end_at_a_tiny_size():
    # Its own database name (test_bridges_load_smoke), apart from the suite's.
    env = {
        **os.environ,
        "DATABASE_URL": _database_url({**settings.DATABASES["default"], "NAME": "bridges_load_smoke"}),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CACHE_URL": settings.CACHES["default"].get("LOCATION", ""),
    }
    command = [sys.executable, "-m", "benchmarks.load", "--candidates", "60", "--employers", "4"]
    command += ["--positions", "12", "--case-workers", "2", "--users", "2", "--spawn-rate", "2"]
    command += ["--run-time", "12s", "--workers", "1", "--tour"]

    run = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    lines = run.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert "database: dropped" in lines
    assert figures["floor_p95_ms"] > 0
    for page in PAGES:
        assert figures["pages"][page]["requests"] >= 1, page
        assert figures["pages"][page]["error_rate"] == 0, (page, run.stdout[-3000:])
        assert figures["pages"][page]["ratio"] > 0
    assert figures["error_rate"] == 0
    assert any(line.startswith("page ") and "p95/floor" in line for line in lines)
    assert any(line.startswith(FLOOR) for line in lines)
    assert any(line.startswith("meets target overall: ") for line in lines)
    # Nothing left behind: gunicorn, the worker and locust are gone, and so is the database.
    gunicorn = next(line for line in lines if line.startswith("gunicorn: "))
    host = gunicorn.split(" on ")[1].split(";")[0]
    queue = gunicorn.split("queue ")[1].split(";")[0]
    assert _running(host.removeprefix("http://")) == []
    assert _running(queue) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = 'test_bridges_load_smoke'")
        assert cursor.fetchone() == (0,)
