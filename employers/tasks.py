"""Celery tasks of the employers app: thin wrappers around services."""

from bridges.celery import database_task
from employers import services


@database_task(name="employers.close_expired_positions")
def close_expired_positions() -> int:
    """Close positions past their closing date (scheduled hourly by beat)."""
    return services.positions_close_expired()
