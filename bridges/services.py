"""Use cases on users that write (staff onboarding, verified addresses), and the mail and
audit helpers every app uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.core.context import request_context
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from bridges.models import AuditEvent, Role, User


def user_mark_email_verified(*, user: User) -> EmailAddress:
    """Record the user's address as verified and primary (accounts an admin made)."""
    address, _ = EmailAddress.objects.update_or_create(
        user=user,
        email__iexact=user.email,
        defaults={"email": user.email, "verified": True, "primary": True},
    )
    return address


@transaction.atomic
def user_invite(*, user: User, request: HttpRequest) -> None:
    """Finish an account an admin created: verified address, and an e-mail to set a password.

    Staff roles (case worker, admin) never come from public sign-up; an admin creates
    them, and the new user chooses a password through the link in the e-mail.
    """
    if user.role == Role.EMPLOYER and user.is_staff:
        raise ValueError("Employer users cannot be staff.")
    user_mark_email_verified(user=user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    url = request.build_absolute_uri(path)
    mail_after_commit(
        request=request,
        template="account/email/staff_invite",
        to=[user],
        context={"user": user, "password_set_url": url},
    )


@transaction.atomic
def user_notification_settings_set(*, user: User, language: str, digest_enabled: bool | None = None) -> User:
    """Change a user's own e-mail settings: the language of their mails and the daily digest."""
    user.language = language
    fields = ["language"]
    if digest_enabled is not None:
        user.digest_enabled = digest_enabled
        fields.append("digest_enabled")
    user.full_clean(exclude=["password"])
    user.save(update_fields=fields)
    return user


def mail_after_commit(
    *, request: HttpRequest, template: str, to: Iterable[User | str], context: dict, language: str = "de"
) -> None:
    """Send an allauth-style templated mail once the transaction commits, in each user's language
    (`language` for bare addresses). A rolled-back change sends nothing."""
    recipients = list(to)

    def send() -> None:
        with request_context(request):
            for recipient in recipients:
                email = recipient if isinstance(recipient, str) else recipient.email
                with translation.override(language if isinstance(recipient, str) else recipient.language):
                    get_adapter(request).send_mail(template, email, context)

    transaction.on_commit(send)


PARAM_MAX_LENGTH = 255


@dataclass
class AuditContext:
    """What the audit trail knows about the request being answered (set by `bridges.audit`)."""

    ip: str | None = None
    written: int = 0  # entries written so far in this request


audit_context: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


def _untranslated(text: Promise) -> str:
    """The message id of a lazily translated string (its English source text)."""
    with translation.override(None):
        return str(text)


def audit_log(
    *,
    actor: User | None,
    action: str,
    target,
    summary: str | Promise = "",
    params: Mapping | None = None,
    target_id: str = "",
) -> None:
    """Write one row of the audit trail for `target` (a model instance, or a record type or label
    such as an export, with `target_id` where it names one record).

    The row records who, what, which record, when and (inside a request) from which IP; never
    the personal data itself: a summary names ids, field names and counts, not values.

    A summary marked with gettext_lazy, with its `params` apart, is shown to each reader in
    their language (a parameter marked with gettext_lazy, such as a choice label, too); a
    plain summary (a company's name, never a person's data) is shown as written.
    """
    if hasattr(target, "_meta"):
        target_type, target_id = target._meta.label_lower, str(target.pk)
    else:
        target_type = str(target)
    data = None
    if isinstance(summary, Promise):
        stored = {
            key: {"msgid": _untranslated(value)} if isinstance(value, Promise) else _param(value)
            for key, value in (params or {}).items()
        }
        data = {"msgid": _untranslated(summary), "params": stored}
        english = {key: value["msgid"] if isinstance(value, dict) else value for key, value in stored.items()}
        summary = data["msgid"] % english
    elif params:
        raise TypeError("params need a summary marked with gettext_lazy")
    context = audit_context.get()
    AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        summary=summary[:255],
        summary_data=data,
        ip=context.ip if context else None,
    )
    if context is not None:
        context.written += 1


def _param(value) -> int | float | str:
    return value if isinstance(value, int | float) else str(value)[:PARAM_MAX_LENGTH]
