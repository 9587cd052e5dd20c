"""App configs: the shared `bridges` app (users, roles) and the admin site."""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BridgesConfig(AppConfig):
    name = "bridges"
    verbose_name = _("Users and roles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_sync_audit_policy, sender=self)


def _sync_audit_policy(sender, using: str = "default", **kwargs) -> None:
    # The database's retention floor follows AUDIT_RETENTION_DAYS; only the migrating role may set it.
    from bridges.audit_retention import audit_policy_sync

    audit_policy_sync(using=using)


class BridgesAdminConfig(AdminConfig):
    default_site = "bridges.admin_site.BridgesAdminSite"
