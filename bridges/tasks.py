"""Wiring tasks: a health ping that proves a worker takes tasks from the broker, `enqueue`,
the after-commit queueing helper for apps that must not import each other, and the sending of
e-mail notifications from the outbox (`bridges.notifications`)."""

import logging
import os
import socket

from django.db import connection, transaction

from bridges.celery import app, database_task

logger = logging.getLogger(__name__)


@database_task(name="bridges.ping")
def ping(token: str) -> dict:
    """Answer with the token, the worker's host and process id, and a database round trip."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (db_ok,) = cursor.fetchone()
    return {"token": token, "hostname": socket.gethostname(), "pid": os.getpid(), "database": db_ok == 1}


@database_task(name="bridges.send_notification")
def send_notification(notification_id: int) -> bool:
    """Send one outbox row (queued after the commit that wrote it); True if it went out now."""
    from bridges.notifications import notification_send  # it queues through this module

    return notification_send(notification_id=int(notification_id))


@database_task(name="bridges.send_pending_notifications")
def send_pending_notifications() -> int:
    """Send what is still unsent and due (beat, every few minutes); returns how many went out."""
    from bridges.notifications import notifications_send_pending

    return notifications_send_pending()


@database_task(name="bridges.prune_notifications")
def prune_notifications() -> int:
    """Delete old sent notifications (beat, daily); returns how many."""
    from bridges.notifications import notifications_prune

    return notifications_prune()


def enqueue(task_name: str, *args) -> None:
    """Queue the task registered as `task_name` with `args` once the current transaction commits.

    By name, so that `candidates` and `employers` can queue `matching` tasks without importing
    it. Queueing never fails the caller: if the broker cannot be reached, a warning is logged
    and the database mark that asked for the task stays for the periodic sweep. Without a
    broker (eager mode, `make run`) the task runs here, right after the commit.
    """
    transaction.on_commit(lambda: _send(task_name, args))


def _send(task_name: str, args: tuple) -> None:
    task = app.tasks.get(task_name)
    if task is None:
        # The web process may not have imported the apps' task modules yet. Imported directly:
        # `app.loader.import_default_modules()` would also re-run django.setup() and the checks.
        app.autodiscover_tasks(force=True)
        task = app.tasks.get(task_name)
    try:
        # Nobody waits for the result here; not subscribing to it keeps the result store out of the way.
        if task is None:
            app.send_task(task_name, args=list(args), ignore_result=True)
        else:
            task.apply_async(args, ignore_result=True)
    except Exception:
        # Deliberately broad: the save has committed already, and the mark is the safety net.
        if app.conf.task_always_eager:
            logger.exception("task %s%r failed; the sweep will retry it", task_name, args)
        else:
            logger.warning("could not queue %s%r; the sweep will catch up", task_name, args, exc_info=True)
