"""allauth hooks: public sign-up creates employer users only; each role has its start page;
mails name the portal SITE_NAME."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.requests import RequestSite
from django.http import HttpRequest
from django.utils import translation

from bridges.models import Role


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        # Whatever a sign-up POST carries, public sign-up makes an employer user:
        # staff roles are created by admins only.
        user.role = Role.EMPLOYER
        user.is_staff = False
        user.is_superuser = False
        language = translation.get_language() or "de"
        user.language = "en" if language.startswith("en") else "de"
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return request.user.get_start_url()

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return request.user.get_start_url()

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Without django.contrib.sites allauth's mails name the site after the request's host
        # ("127.0.0.1:8000"); the host stays the site's address, its name is the portal's.
        site = RequestSite(allauth_context.request)
        site.name = settings.SITE_NAME
        super().send_mail(template_prefix, email, {"current_site": site, **context})
