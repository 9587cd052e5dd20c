"""WSGI entry point (gunicorn bridges.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridges.settings")
application = get_wsgi_application()


def freeze_loaded_objects() -> None:
    """Load every view module (the URLconf), then keep what the process has loaded out of the
    garbage collector's full collections (`gc.freeze`).

    Some 190,000 objects live as long as the process (modules, functions, classes, the URL
    patterns); Python's full collection walked all of them every few dozen requests, 100 ms each
    time, added to whichever request triggered it (benchmarks/README.md). Frozen objects are still
    freed by reference counting; only garbage cycles among them would stay, and what is loaded at
    start-up lives as long as the process anyway.
    """
    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and with it every view module
    gc.collect()
    gc.freeze()


freeze_loaded_objects()
