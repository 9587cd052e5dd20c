"""The only ways audit entries are removed or changed: the retention purge and the scrub of an
erased candidate's summaries.

On PostgreSQL a trigger refuses every other UPDATE and DELETE of an audit row (migration
bridges 0007); these two functions go through the SECURITY DEFINER functions that trigger lets
through, and the trigger checks a purged row's age against the retention floor itself. On SQLite
(the development mode) they are plain queries.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bridges.models import AuditEvent


def retention_limit() -> datetime:
    """Entries older than this are due for deletion (AUDIT_RETENTION_DAYS before now)."""
    return timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)


def purge_audit_events(before: datetime | None = None) -> int:
    """Delete the audit entries older than `before` and older than the retention limit (a later
    `before` is held back to the limit); return how many went. The retention job calls this."""
    cutoff = min(before, retention_limit()) if before is not None else retention_limit()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT bridges_audit_purge(%s)", [cutoff])
                return cursor.fetchone()[0]
        return AuditEvent.objects.filter(at__lt=cutoff).delete()[0]


def scrub_audit_summaries(target_type: str, target_id: str) -> int:
    """Blank the summaries of the entries about one record (an erased candidate: an entry written
    before the portal kept names out of summaries may hold one). Who, what, when and from where
    stay. Returns how many entries changed."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT bridges_audit_scrub(%s, %s)", [target_type, str(target_id)])
                return cursor.fetchone()[0]
        entries = AuditEvent.objects.filter(target_type=target_type, target_id=str(target_id))
        return entries.exclude(summary="", summary_data=None).update(summary="", summary_data=None)


def audit_policy_sync(using: str = "default") -> None:
    """Write AUDIT_RETENTION_DAYS into the database's retention floor (bridges_audit_policy), which
    only the role that runs migrations may change; run after every `migrate`."""
    from django.db import connections

    target = connections[using]
    if target.vendor != "postgresql":
        return
    with target.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bridges_audit_policy') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute("UPDATE bridges_audit_policy SET retention_days = %s", [settings.AUDIT_RETENTION_DAYS])
