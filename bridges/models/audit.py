"""The audit trail: who saw or changed which personal data, and when."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One entry of the audit trail.

    `summary` is the entry in English as written (searchable). Entries written with a
    message id also keep it in `summary_data` ({"msgid": ..., "params": {...}}; a parameter
    that is itself a message id is {"msgid": ...}), so that each reader sees the entry in
    their own language.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        DOWNLOAD = "download", _("downloaded")
        EXPORT = "export", _("exported")
        IMPORT = "import", _("imported")
        CONSENT = "consent", _("consent recorded")
        REFUSED = "refused", _("access refused")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    # PROTECT: the trail keeps who did it. Deleting a user would rewrite their rows, which the
    # database refuses (the trigger of migration 0007); deactivate the account instead.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target_type = models.CharField(_("record type"), max_length=100)
    target_id = models.CharField(_("record id"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=255, blank=True)
    summary_data = models.JSONField(_("summary for translation"), null=True, blank=True, editable=False)
    # The client's address as the portal determines it for rate limits (allauth's
    # `get_client_ip`, which honours ALLAUTH_TRUSTED_PROXY_COUNT behind a proxy); empty outside a request.
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
            models.Index(fields=["actor", "at"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_type}#{self.target_id}"

    def summary_params(self) -> dict[str, str]:
        """The values of the summary, each in the active language (empty for a summary written as text)."""
        params = (self.summary_data or {}).get("params") or {}
        return {
            key: gettext(value["msgid"]) if isinstance(value, dict) else str(value) for key, value in params.items()
        }

    def summary_text(self) -> str:
        """The summary in the active language where it was written with a message id, else as written;
        a page it names ("me:introduction pk=3") as a person reads it (`bridges.audit.page_label`)."""
        from bridges.audit import page_label  # bridges.audit imports this module

        msgid = (self.summary_data or {}).get("msgid")
        if not msgid:
            return self.summary
        params = self.summary_params()
        if "page" in params:
            params["page"] = page_label(params["page"])
        try:
            return gettext(msgid) % params
        except (KeyError, TypeError, ValueError):
            return self.summary  # a translation whose placeholders do not fit: the English text
