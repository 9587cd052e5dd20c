"""allauth hooks: public sign-up creates employer users only; each role has its start page;
mails name the portal SITE_NAME; failed logins are throttled per account and address, and logged;
staff cannot switch off their second factor."""

import hashlib
import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.internal.ratelimit import get_ip as ratelimit_source_ip
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.sites.requests import RequestSite
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation

from bridges.models import Role

logger = logging.getLogger("bridges.security")


def _login_fingerprint(login: str) -> str:
    """A short stand-in for the address someone tried, so the log can tie attempts together
    without keeping what may be a stranger's e-mail address."""
    return hashlib.sha256(login.lower().encode()).hexdigest()[:12]


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        # Whatever a sign-up POST carries, public sign-up makes an employer user:
        # staff roles are created by admins only.
        user.role = Role.EMPLOYER
        user.is_staff = False
        user.is_superuser = False
        # The mails come in the language the person signed up in.
        language = (translation.get_language() or "de")[:2]
        user.language = language if language in dict(user._meta.get_field("language").choices) else "de"
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return request.user.get_start_url()

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return request.user.get_start_url()

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials) -> str:
        # allauth keys the per-"key" limit of "login_failed" by the account alone, so five wrong
        # passwords from anywhere locked the owner out; keyed by account and client address,
        # a guesser only locks themselves out. (The password reset clears the same key.) The address
        # is allauth's, as in its per-address limit: an IPv6 address counts as its /64 network.
        return f"{ratelimit_source_ip(request)}:{super()._get_login_attempts_cache_key(request, **credentials)}"

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            logger.warning(
                "Login refused: too many failed attempts (account %s, address %s, path %s)",
                _login_fingerprint(credentials.get("email", "")),
                self.get_client_ip(request),
                request.path,
            )
            raise

    def authentication_failed(self, request: HttpRequest, **credentials) -> None:
        logger.warning(
            "Login failed: wrong e-mail address or password (account %s, address %s, path %s)",
            _login_fingerprint(credentials.get("email", "")),
            self.get_client_ip(request),
            request.path,
        )

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Without django.contrib.sites allauth's mails name the site after the request's host
        # ("127.0.0.1:8000"); the host stays the site's address, its name is the portal's.
        site = RequestSite(allauth_context.request)
        site.name = settings.SITE_NAME
        super().send_mail(template_prefix, email, {"current_site": site, **context})


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        # Case workers and admins must keep their second factor (they may replace it by
        # generating new recovery codes); employers may switch it off again.
        user = authenticator.user
        return not (settings.MFA_REQUIRED_FOR_STAFF and user.role in (Role.CASE_WORKER, Role.ADMIN))
