"""Personal API tokens: made, checked and revoked here (the settings page and the API's
authentication call these). A token reads `brg_<prefix>_<secret>`; only its SHA-256 is stored,
so a leaked database does not leak usable tokens. Staff tokens need the second factor set up."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridges.account_security import is_staff_role, user_has_mfa
from bridges.models import ApiToken, AuditEvent, User
from bridges.services import audit_log

SCHEME = "brg"
VALIDITY_DAYS = (30, 90, 365)
USED_EVERY = timedelta(minutes=1)  # `last_used_at` is written at most this often


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token for `user`, valid for `days`; returns it and the token text (shown once)."""
    if user.is_candidate:
        # The candidate's own view has no API: their data are theirs to read on the pages and download.
        raise ValidationError(_("Candidates have no API tokens."), code="role")
    if days not in VALIDITY_DAYS:
        raise ValidationError({"days": _("Choose one of the offered periods.")})
    if is_staff_role(user) and not user_has_mfa(user):
        raise ValidationError(
            _("Set up the authenticator app first: case workers and admins need it for API tokens."),
            code="mfa_required",
        )
    prefix = secrets.token_hex(6)
    text = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=prefix,
        key_hash=_hash(text),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_log(actor=user, action=AuditEvent.Action.CREATE, target=token, summary=token.name)
    return token, text


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(actor=actor, action=AuditEvent.Action.UPDATE, target=token, summary=_("revoked"))
    return token


def api_token_check(text: str) -> ApiToken | None:
    """The active token that `text` is, with its user; None for anything else."""
    parts = text.split("_", 2)
    if len(parts) != 3 or parts[0] != SCHEME:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(text)):
        return None
    if not token.active or not token.user.is_active:
        return None
    if is_staff_role(token.user) and not user_has_mfa(token.user):
        return None  # the second factor was removed since: the token stops working
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
