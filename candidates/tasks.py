"""Celery tasks of candidates: thin wrappers around the services, taking ids."""

import dataclasses

from bridges.celery import database_task
from candidates import privacy


@database_task(name="candidates.retention_sweep")
def retention_sweep() -> dict:
    """Flag inactive candidates, clear flags after activity, anonymise those flagged long enough,
    delete the audit entries past their retention period (scheduled nightly by beat); returns the counts."""
    result = privacy.retention_sweep()
    return dataclasses.asdict(result)
