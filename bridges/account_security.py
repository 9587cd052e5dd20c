"""Accounts and sessions: the second factor case workers and admins must have, the limits of a
staff session, and ending every session of a user at logout, password change and deactivation.

A session remembers what was checked at login (the user has a second factor; when they logged
in; when they were last seen, to the minute), so that a page costs no extra query for it.
"""

from __future__ import annotations

import logging
import time

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from bridges.models import Role, User

logger = logging.getLogger("bridges.security")

STAFF_ROLES = (Role.CASE_WORKER, Role.ADMIN)
MFA_SESSION_KEY = "bridges_mfa"
LOGIN_AT_SESSION_KEY = "bridges_login_at"
SEEN_AT_SESSION_KEY = "bridges_seen_at"
# A staff session's "last seen" is written at most this often (seconds), not on every page.
SEEN_RESOLUTION = 60


def is_staff_role(user) -> bool:
    return getattr(user, "role", None) in STAFF_ROLES


def mfa_required(user) -> bool:
    return settings.MFA_REQUIRED_FOR_STAFF and is_staff_role(user)


def user_has_mfa(user) -> bool:
    return Authenticator.objects.filter(
        user_id=user.pk, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


@transaction.atomic
def user_totp_activate(*, user: User, secret: str) -> Authenticator:
    """Give `user` an authenticator app with a known `secret` (base32), replacing one they had.

    For the demo accounts and the test personas; people set theirs up at /accounts/2fa/.
    """
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    return TOTP.activate(user, secret).instance


def user_sessions_end(*, user: User) -> None:
    """End every session of `user`, on every device.

    Each session carries a hash over the user's password and `session_epoch`; Django ends a
    session whose hash no longer matches at its next request. Raising the epoch ends them all.
    """
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


def _staff_session_start(request: HttpRequest, user) -> None:
    now = time.time()
    request.session[LOGIN_AT_SESSION_KEY] = now
    request.session[SEEN_AT_SESSION_KEY] = now
    request.session.set_expiry(settings.STAFF_SESSION_IDLE_MINUTES * 60)


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    """At login: a staff session starts its clocks, and remembers whether the user has a second factor."""
    if request is None or not hasattr(request, "session"):
        return
    if is_staff_role(user):
        _staff_session_start(request, user)
        if mfa_required(user) and user_has_mfa(user):
            request.session[MFA_SESSION_KEY] = True


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    """Logging out ends the user's sessions on every device."""
    if user is not None:
        user_sessions_end(user=user)


def on_authenticator_added(sender, request, user, **kwargs) -> None:
    if request is not None and getattr(request, "user", None) == user:
        request.session[MFA_SESSION_KEY] = True


def on_authentication_failed(sender, request, user, **kwargs) -> None:
    address = get_account_adapter(request).get_client_ip(request)
    logger.warning("Second factor failed (user %s, address %s)", user.pk, address)


def _end_this_session(request: HttpRequest) -> None:
    # Not django.contrib.auth.logout: a session that timed out on one device ends only there.
    request.session.flush()
    request.user = AnonymousUser()


class StaffSessionMiddleware:
    """A case worker's or admin's session ends after STAFF_SESSION_IDLE_MINUTES without a request
    and STAFF_SESSION_MAX_HOURS after the login, whatever they do. Employers keep the default."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and is_staff_role(user):
            session = request.session
            now = time.time()
            login_at = session.get(LOGIN_AT_SESSION_KEY)
            seen_at = session.get(SEEN_AT_SESSION_KEY)
            if login_at is None or seen_at is None:
                _staff_session_start(request, user)
            elif (
                now - seen_at > settings.STAFF_SESSION_IDLE_MINUTES * 60
                or now - login_at > settings.STAFF_SESSION_MAX_HOURS * 3600
            ):
                _end_this_session(request)
                messages.info(request, _("Your session has ended. Please log in again."))
            elif now - seen_at >= SEEN_RESOLUTION:
                session[SEEN_AT_SESSION_KEY] = now
                session.set_expiry(settings.STAFF_SESSION_IDLE_MINUTES * 60)
        return self.get_response(request)


def _mfa_exempt_prefixes() -> tuple[str, ...]:
    return (
        reverse("mfa_index"),
        reverse("account_logout"),
        reverse("account_reauthenticate"),
        reverse("healthz"),
        reverse("set_language"),
        reverse("favicon"),
        "/" + settings.STATIC_URL.lstrip("/"),
    )


class StaffMfaMiddleware:
    """Until a case worker or admin has set up their second factor, every page leads to its setup
    (except the setup itself, logging out, the language switch, static files and /healthz)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self._exempt: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and mfa_required(user) and not request.session.get(MFA_SESSION_KEY):
            if self._exempt is None:
                self._exempt = _mfa_exempt_prefixes()
            if not request.path_info.startswith(self._exempt):
                if user_has_mfa(user):
                    request.session[MFA_SESSION_KEY] = True
                else:
                    url = reverse("mfa_activate_totp")
                    if request.headers.get("HX-Request"):
                        return HttpResponseClientRedirect(url)
                    return HttpResponseRedirect(url)
        return self.get_response(request)
