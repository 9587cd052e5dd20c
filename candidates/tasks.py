"""Celery tasks of candidates: thin wrappers around the services, taking ids."""

from celery import shared_task

from candidates import privacy


@shared_task(name="candidates.retention_sweep")
def retention_sweep() -> dict:
    """Flag inactive candidates, clear flags after activity, anonymise those flagged long enough
    (scheduled nightly by beat); returns the counts."""
    result = privacy.retention_sweep()
    return {"cleared": result.cleared, "flagged": result.flagged, "erased": result.erased}
