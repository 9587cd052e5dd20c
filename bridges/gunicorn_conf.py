"""gunicorn's settings for the portal: `gunicorn bridges.wsgi -c python:bridges.gunicorn_conf` (the
Procfile's web process, `make load`). The command line sets the rest (bind, workers)."""

import gc


def post_worker_init(worker) -> None:
    """Once a worker has loaded the application: `freeze_loaded_objects()`."""
    freeze_loaded_objects()


# After how many requests of a worker what it has kept since is frozen too (`post_request`).
FREEZE_AFTER_REQUESTS = frozenset({10, 100, 1000})


def post_request(worker, req, environ, resp) -> None:
    """After a worker's 10th, 100th and 1,000th request (the response is sent by then): collect
    and freeze again.

    What a worker loads on its first requests stays for its lifetime too — the compiled templates
    (a node object per tag), the translation catalogues, the forms' and filters' class-level
    fields: some 70,000 objects after one request of each page. Python's full collection walked
    them, about 30 ms each time on a 2-core machine, added to whichever request triggered it
    (benchmarks/README.md, session 32); after the second freeze it walks about a thousand. The
    later freezes take in what rarer pages load; after the 1,000th request nothing more is frozen,
    so that a cycle of objects kept after it is still collected."""
    if worker.nr in FREEZE_AFTER_REQUESTS:
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
