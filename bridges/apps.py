"""App configs: the shared `bridges` app (users, roles) and the admin site."""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class BridgesConfig(AppConfig):
    name = "bridges"
    verbose_name = _("Users and roles")
    default_auto_field = "django.db.models.BigAutoField"


class BridgesAdminConfig(AdminConfig):
    default_site = "bridges.admin_site.BridgesAdminSite"
