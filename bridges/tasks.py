"""Wiring tasks: a health ping that proves a worker takes tasks from the broker."""

import os
import socket

from celery import shared_task
from django.db import connection


@shared_task(name="bridges.ping")
def ping(token: str) -> dict:
    """Answer with the token, the worker's host and process id, and a database round trip."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (db_ok,) = cursor.fetchone()
    return {"token": token, "hostname": socket.gethostname(), "pid": os.getpid(), "database": db_ok == 1}
