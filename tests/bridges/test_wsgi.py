"""gunicorn's workers (bridges/gunicorn_conf.py) load every view module and then take what the process
has loaded out of the garbage collector's full collections (`gc.freeze`): a full collection walked
~190,000 long-lived objects every few dozen requests, 100 ms each time. Importing the WSGI module
alone (tests, the development server) leaves the collector as it is. After its 10th, 100th and 1,000th
request a worker freezes again what its first requests loaded (templates, catalogues). That gunicorn serves pages with
the Procfile's command is tests/bridges/test_project_files.py's test."""

import itertools
import json
import os
import subprocess
import sys

from django.conf import settings

REPORT = """
import gc, json, sys
import bridges.wsgi
from bridges import gunicorn_conf
frozen_on_import = gc.get_freeze_count()
gunicorn_conf.post_worker_init(worker=None)
print(json.dumps({
    "frozen_on_import": frozen_on_import,
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "views_loaded": all(name in sys.modules for name in ("matching.views", "candidates.views", "selfservice.views")),
}))
"""


def test_a_gunicorn_worker_keeps_what_it_loaded_out_of_the_full_collections():
    env = {**os.environ, "DEBUG": "true"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", REPORT], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.splitlines()[-1])
    assert figures["frozen_on_import"] == 0
    assert figures["views_loaded"], "the URLconf (and with it every view module) is loaded before the freeze"
    # Nearly everything is frozen: what a full collection still walks is a small remainder.
    assert figures["frozen"] > 10 * figures["tracked"], figures


def test_the_procfile_and_the_load_test_run_gunicorn_with_these_settings():
    web = (settings.BASE_DIR / "Procfile").read_text().split("web:", 1)[1].splitlines()[0]
    load = (settings.BASE_DIR / "benchmarks/load/__main__.py").read_text()

    assert "-c python:bridges.gunicorn_conf" in web
    assert '"python:bridges.gunicorn_conf"' in load


AFTER_REQUESTS = """
import gc, json, types
import bridges.wsgi
from bridges import gunicorn_conf
from django.test import Client
gunicorn_conf.post_worker_init(worker=None)
worker = types.SimpleNamespace(nr=0)
frozen = {}
client = Client()
for number in range(1, 1002):
    worker.nr = number
    if number <= 12 or number in (99, 100, 101, 1000, 1001):
        client.get("/accounts/login/")  # what a first request loads (templates, catalogues) stays
    gunicorn_conf.post_request(worker, None, {}, None)
    if number <= 12 or 98 <= number <= 102 or number >= 998:  # the count walks every frozen object
        frozen[number] = gc.get_freeze_count()
print(json.dumps({"frozen": frozen, "tracked": len(gc.get_objects())}))
"""


def test_a_worker_freezes_again_what_its_first_requests_loaded():
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": "sqlite://:memory:", "ALLOWED_HOSTS": "testserver"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", AFTER_REQUESTS],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.splitlines()[-1])
    frozen = {int(number): count for number, count in figures["frozen"].items()}
    numbers = sorted(frozen)
    grew = [number for previous, number in itertools.pairwise(numbers) if frozen[number] > frozen[previous]]
    assert grew == [10, 100, 1000], grew
    # The templates and the rest a page loads were taken in by the freeze after the 10th request.
    assert frozen[10] > frozen[9] + 1000
    assert figures["tracked"] < 2000, figures
