"""gunicorn's settings for the portal: `gunicorn bridges.wsgi -c python:bridges.gunicorn_conf` (the
Procfile's web process, `make load`). The command line sets the rest (bind, workers)."""

import gc


def post_worker_init(worker) -> None:
    """Once a worker has loaded the application: `freeze_loaded_objects()`."""
    freeze_loaded_objects()


def freeze_loaded_objects() -> None:
    """Load every view module (the URLconf), then keep what the process has loaded out of the
    garbage collector's full collections (`gc.freeze`).

    Some 190,000 objects live as long as a worker (modules, functions, classes, the URL patterns);
    Python's full collection walked all of them every few dozen requests, 100 ms each time, added
    to whichever request triggered it (benchmarks/README.md). Frozen objects are still freed by
    reference counting; only garbage cycles among them would stay, and what is loaded at start-up
    lives as long as the process anyway.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and with it every view module
    gc.collect()
    gc.freeze()
