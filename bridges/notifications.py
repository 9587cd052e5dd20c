"""E-mail notifications through an outbox: written with the change, sent after the commit.

`notify` writes one `Notification` row per recipient inside the caller's transaction and queues
the task `bridges.send_notification` for each once it commits (`bridges.tasks.enqueue`). A
rolled-back change leaves no row and sends nothing. The task renders the mail in the
recipient's language (subject, plain text and HTML) and marks the row sent; a failure is
recorded on the row and tried again later by the sweep (`notifications_send_pending`, every
few minutes by beat), which also sends what a lost message left. A row is sent at most once:
the sender holds its lock (`select_for_update(skip_locked=True)`) until `sent_at` is written.

Templates come in threes under one name: `<name>_subject.txt`, `<name>_message.txt` and
`<name>_message.html`. The stored context holds primitives only; lazily translated strings,
dates and times are stored in a form that is turned back into them when the mail is rendered.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise

from bridges.models import Notification, User
from bridges.tasks import enqueue

logger = logging.getLogger(__name__)

SEND_TASK = "bridges.send_notification"
# After this many failed attempts a row is left for an admin to look at (Notifications in the admin).
MAX_ATTEMPTS = 10
# The sweep leaves fresh rows to the task their commit queued.
SWEEP_GRACE = timedelta(minutes=1)
SWEEP_BATCH = 200
# The first retry after this, then twice as long each time, at most RETRY_MAX apart.
RETRY_FIRST = timedelta(minutes=5)
RETRY_MAX = timedelta(hours=6)

_MSGID, _DATE, _DATETIME = "__msgid__", "__date__", "__datetime__"


def absolute_url(path: str) -> str:
    """A link for an e-mail: the path on the portal's address (SITE_URL)."""
    return settings.SITE_URL + path


# --- writing -----------------------------------------------------------------------------------


def notify(*, users: Iterable[User], template: str, context: Mapping) -> list[Notification]:
    """Write one outbox row per active recipient with an address, and queue each for sending
    once the current transaction commits. Call it inside the transaction of the change."""
    stored = encode(context)
    recipients = {user.pk: user for user in users if user.is_active and user.email}
    if not recipients:
        return []
    with transaction.atomic():
        rows = Notification.objects.bulk_create(
            Notification(recipient=user, template=template, context=stored) for user in recipients.values()
        )
    for row in rows:
        enqueue(SEND_TASK, row.pk)
    return rows


def requeue(notification: Notification) -> None:
    """Queue a row again after the commit (its context changed before it was sent)."""
    enqueue(SEND_TASK, notification.pk)


def encode(value):
    """The context as JSON: lazily translated strings as their message id, dates as ISO text."""
    if isinstance(value, Promise):
        with translation.override(None):
            return {_MSGID: str(value)}
    if isinstance(value, datetime.datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, datetime.date):
        return {_DATE: value.isoformat()}
    if isinstance(value, Mapping):
        return {str(key): encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"a notification's context holds primitives only, not {type(value).__name__}")


def decode(value):
    """The stored context for rendering, in the active language."""
    if isinstance(value, dict):
        if set(value) == {_MSGID}:
            return translation.gettext(value[_MSGID])
        if set(value) == {_DATETIME}:
            return datetime.datetime.fromisoformat(value[_DATETIME])
        if set(value) == {_DATE}:
            return datetime.date.fromisoformat(value[_DATE])
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


# --- sending -----------------------------------------------------------------------------------


def render(notification: Notification) -> EmailMultiAlternatives:
    """The mail of a row, in its recipient's language: subject, plain text, and HTML."""
    recipient = notification.recipient
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        context = {
            **decode(notification.context),
            "recipient": recipient,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "settings_url": absolute_url(reverse("notification_settings")),
            "language_code": translation.get_language(),
        }
        subject = render_to_string(f"{notification.template}_subject.txt", context)
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
        context["subject"] = subject
        text = render_to_string(f"{notification.template}_message.txt", context)
        html = render_to_string(f"{notification.template}_message.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [recipient.email], headers={"Message-ID": message_id(notification)}
    )
    message.attach_alternative(html, "text/html")
    return message


def message_id(notification: Notification) -> str:
    """The same Message-ID every time the row is sent. A sender that dies after the mail server
    took the mail but before the row says so sends it again when the sweep finds the row: mail
    programs and servers recognise the second copy as the same message by this header."""
    domain = urlsplit(settings.SITE_URL).hostname or "bridges.localhost"
    return f"<notification.{notification.pk}.{notification.created_at:%Y%m%d%H%M%S}@{domain}>"


def notification_send(*, notification_id: int) -> bool:
    """Send one row if it is still unsent and nobody else is sending it; True if it went out.

    A failure is recorded on the row (attempts, error, when to try again) for the sweep.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("recipient")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        notification.attempts += 1
        if not notification.recipient.is_active or not notification.recipient.email:
            notification.attempts = max(notification.attempts, MAX_ATTEMPTS)
            notification.next_attempt_at = None
            notification.last_error = "recipient inactive or without an e-mail address"
            notification.save(update_fields=["attempts", "next_attempt_at", "last_error"])
            return False
        try:
            render(notification).send()
        except Exception as error:
            # Deliberately broad: whatever went wrong (mail server, a template), the row keeps
            # the error and the sweep tries again; the other rows are not held up.
            logger.warning("notification %s could not be sent", notification.pk, exc_info=True)
            notification.last_error = f"{type(error).__name__}: {error}"[:2000]
            notification.next_attempt_at = _next_attempt(notification.attempts)
            notification.save(update_fields=["attempts", "next_attempt_at", "last_error"])
            return False
        notification.sent_at = timezone.now()
        notification.next_attempt_at = None
        notification.save(update_fields=["attempts", "sent_at", "next_attempt_at"])
        return True


def _next_attempt(attempts: int) -> datetime.datetime | None:
    if attempts >= MAX_ATTEMPTS:
        return None
    return timezone.now() + min(RETRY_FIRST * 2 ** (attempts - 1), RETRY_MAX)


def notifications_send_pending(*, limit: int = SWEEP_BATCH) -> int:
    """Send the unsent rows that are due (the sweep, every few minutes); returns how many went out."""
    now = timezone.now()
    due = (
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, created_at__lte=now - SWEEP_GRACE)
        .exclude(next_attempt_at__gt=now)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(notification_send(notification_id=pk) for pk in list(due))


def notifications_prune() -> int:
    """Delete rows sent (or given up) more than NOTIFICATIONS_KEPT_DAYS ago; returns how many."""
    before = timezone.now() - timedelta(days=settings.NOTIFICATIONS_KEPT_DAYS)
    sent = Notification.objects.filter(sent_at__lt=before)
    given_up = Notification.objects.filter(sent_at__isnull=True, attempts__gte=MAX_ATTEMPTS, created_at__lt=before)
    return sent.delete()[0] + given_up.delete()[0]
