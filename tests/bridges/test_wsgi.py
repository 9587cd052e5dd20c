"""gunicorn's entry point (bridges/wsgi.py) loads every view module and then takes what the process
has loaded out of the garbage collector's full collections (`gc.freeze`): a full collection walked
~190,000 long-lived objects every few dozen requests, 100 ms each time. That it still serves pages
is tests/bridges/test_project_files.py's gunicorn test."""

import json
import os
import subprocess
import sys

from django.conf import settings

REPORT = """
import gc, json, sys
import bridges.wsgi
print(json.dumps({
    "application": type(bridges.wsgi.application).__name__,
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "views_loaded": all(name in sys.modules for name in ("matching.views", "candidates.views", "selfservice.views")),
}))
"""


def test_what_the_wsgi_module_loaded_is_out_of_the_full_collections():
    env = {**os.environ, "DEBUG": "true"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", REPORT], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.splitlines()[-1])
    assert figures["application"] == "WSGIHandler"
    assert figures["views_loaded"], "the URLconf (and with it every view module) is loaded before the freeze"
    # Nearly everything is frozen: what a full collection still walks is a small remainder.
    assert figures["frozen"] > 10 * figures["tracked"], figures
