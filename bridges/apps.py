"""App configs: the shared `bridges` app (users, roles, reference data) and the admin site."""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BridgesConfig(AppConfig):
    name = "bridges"
    # The admin's index shows its models under two headings (bridges/admin_site.py); the app's
    # own page and every breadcrumb name the whole.
    verbose_name = _("Users, roles and reference data")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.mfa import signals as mfa_signals
        from django.contrib.auth import signals as auth_signals

        from bridges import account_security, choice_labels

        choice_labels.install()
        auth_signals.user_logged_in.connect(account_security.on_user_logged_in, dispatch_uid="bridges_logged_in")
        auth_signals.user_logged_out.connect(account_security.on_user_logged_out, dispatch_uid="bridges_logged_out")
        mfa_signals.authenticator_added.connect(account_security.on_authenticator_added, dispatch_uid="bridges_mfa")
        mfa_signals.authentication_failed.connect(
            account_security.on_authentication_failed, dispatch_uid="bridges_mfa_failed"
        )
        post_migrate.connect(_sync_audit_policy, sender=self)


def _sync_audit_policy(sender, using: str = "default", **kwargs) -> None:
    # The database's retention floor follows AUDIT_RETENTION_DAYS; only the migrating role may set it.
    from bridges.audit_retention import audit_policy_sync

    audit_policy_sync(using=using)


class BridgesAdminConfig(AdminConfig):
    default_site = "bridges.admin_site.BridgesAdminSite"
