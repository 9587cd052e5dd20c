"""The outbox of e-mail notifications: one row per recipient and mail, written in the transaction
of the change it reports, sent by a worker after the commit (`bridges.notifications`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One e-mail to one user: which templates, with which context, and whether it went out.

    The context holds primitives only (ids, names, dates, message ids), so that the mail is
    rendered in the recipient's language when it is sent. A rolled-back change leaves no row.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    template = models.CharField(_("template"), max_length=100)
    context = models.JSONField(_("context"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the sweep tries again after a failure (empty: at once, or never after the last attempt).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("e-mail notification")
        verbose_name_plural = _("e-mail notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="notification_unsent"),
            models.Index(fields=["recipient", "template", "-created_at"], name="notification_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
