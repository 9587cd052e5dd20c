"""The Celery app. Configuration comes from Django settings under the CELERY_ namespace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridges.settings")

app = Celery("bridges")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def database_task(name: str, **options):
    """`shared_task` for the portal's tasks: a task whose database connection broke (the server
    restarted, a failover, the connection was terminated) is tried again with a growing delay
    (about 2, 4, 8 … up to 60 s, jittered; six times) on a new connection. Every task is
    idempotent, so a run that got halfway does no harm."""
    from celery import shared_task
    from django.db import InterfaceError, OperationalError

    retry = {
        "autoretry_for": (OperationalError, InterfaceError),
        "retry_backoff": 2,
        "retry_backoff_max": 60,
        "retry_jitter": True,
        "max_retries": 6,
    }
    return shared_task(name=name, **{**retry, **options})
