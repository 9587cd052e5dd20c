"""The candidate's own view (issue #16): invitations, the candidate's login, and what a candidate does
there — confirm the profile, ask the case worker for a correction, a new consent or the erasure.

A case worker invites a candidate by e-mail or prints a one-time code for someone without e-mail. The
code (80 random bits, shown in groups of four) is kept only as a hash; it is valid for
`INVITATION_DAYS`, once, and a new invitation replaces an open one. Accepting it makes a login with the
role "candidate" tied to the candidate (`Candidate.user`); someone invited with a printed code logs in
with a login name in the reserved `.invalid` domain, to which no mail is ever sent. A new invitation
for a candidate who has a login sets a new password on it (a lost password without e-mail).

Every action is written to the audit trail with the candidate's login as the actor.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridges.models import AuditEvent, Role, User
from bridges.notifications import absolute_url, notify
from bridges.services import audit_log, mail_after_commit, user_mark_email_verified
from candidates.models import Candidate, CandidateRequest, Consent, PortalInvitation
from candidates.services import candidate_touch, consent_withdraw

INVITATION_DAYS = 14
# No 0/O, 1/I: a code read from paper is typed without guessing.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16
# Logins of candidates invited without e-mail: RFC 2606 reserves ".invalid", so nothing is ever sent there.
LOGIN_DOMAIN = "konto.bridges.invalid"


def code_normalise(code: str) -> str:
    """The code as typed (spaces, dashes, lower case) in its stored form."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _hash(code: str) -> str:
    return hashlib.sha256(code_normalise(code).encode()).hexdigest()


def is_login_name(email: str) -> bool:
    """A login made for someone without e-mail (no mail goes there)."""
    return email.lower().endswith("@" + LOGIN_DOMAIN)


def invitation_refusal(candidate: Candidate, channel: str) -> str:
    """Why this candidate cannot be invited this way ("" if they can)."""
    if candidate.is_erased:
        return _("The person was anonymised.")
    if channel == PortalInvitation.Channel.EMAIL:
        if not candidate.email:
            return _("The profile has no e-mail address: print a code instead.")
        taken = User.objects.filter(email__iexact=candidate.email)
        if candidate.user_id is not None:
            taken = taken.exclude(pk=candidate.user_id)
        if taken.exists():
            return _("This e-mail address belongs to another login of the portal: print a code instead.")
    return ""


@transaction.atomic
def invitation_create(
    *, candidate: Candidate, channel: str, language: str, actor: User, request: HttpRequest
) -> tuple[PortalInvitation, str]:
    """Invite `candidate`; returns the invitation and its code (shown or sent once, never stored)."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    refusal = invitation_refusal(candidate, channel)
    if refusal:
        raise ValidationError(refusal, code="refused")
    now = timezone.now()
    candidate.portal_invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    invitation = PortalInvitation(
        candidate=candidate,
        channel=channel,
        email=candidate.email if channel == PortalInvitation.Channel.EMAIL else "",
        language=language,
        code_hash=_hash(code),
        created_by=actor,
        expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    if channel == PortalInvitation.Channel.EMAIL:
        mail_after_commit(
            request=request,
            template="candidates/email/portal_invitation",
            to=[invitation.email],
            language=language,
            context={
                "code": code_display(code),
                "url": absolute_url(reverse("me:welcome_code", kwargs={"code": code})),
                "expires_at": invitation.expires_at,
            },
        )
    audit_log(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=candidate,
        summary=gettext_lazy("invited to the own view: %(channel)s"),
        params={"channel": PortalInvitation.Channel(channel).label},
    )
    return invitation, code


def invitation_for_code(code: str) -> PortalInvitation | None:
    """The open invitation with this code, or None (unknown, used, replaced or expired)."""
    if len(code_normalise(code)) != CODE_LENGTH:
        return None
    invitation = PortalInvitation.objects.select_related("candidate").filter(code_hash=_hash(code)).first()
    if invitation is None or not invitation.is_open or invitation.candidate.is_erased:
        return None
    return invitation


def login_for(invitation: PortalInvitation) -> str:
    """The login the invitation makes: the candidate's address, or a login name for a printed code."""
    candidate = invitation.candidate
    if candidate.user_id is not None:
        return candidate.user.email
    if invitation.channel == PortalInvitation.Channel.EMAIL:
        return invitation.email
    return f"k{candidate.pk}-{secrets.token_hex(3)}@{LOGIN_DOMAIN}"


@transaction.atomic
def invitation_accept(*, invitation: PortalInvitation, password: str, login: str) -> User:
    """Make (or give a new password to) the candidate's login; the invitation is used up."""
    invitation = (
        PortalInvitation.objects.select_for_update(of=("self",)).select_related("candidate__user").get(pk=invitation.pk)
    )
    if not invitation.is_open:
        raise ValidationError(_("This code is no longer valid. Ask your case worker for a new one."), code="used")
    candidate = invitation.candidate
    user = candidate.user
    if user is None:
        if User.objects.filter(email__iexact=login).exists():
            raise ValidationError(_("This code cannot be used. Ask your case worker for a new one."), code="taken")
        user = User(
            email=login.lower(),
            role=Role.CANDIDATE,
            first_name=candidate.first_name,
            last_name=candidate.last_name,
            language=invitation.language,
            digest_enabled=False,
        )
    validate_password(password, user)
    user.set_password(password)
    user.is_active = True
    user.full_clean(exclude=["password"])
    user.save()
    user_mark_email_verified(user=user)
    if candidate.user_id != user.pk:
        candidate.user = user
        candidate.save(update_fields=["user"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    audit_log(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        target=candidate,
        summary=gettext_lazy("own view: invitation accepted, password set"),
    )
    return user


def candidate_for_user(user: User) -> Candidate:
    """The candidate record behind a candidate's login (a 404 for anybody else)."""
    if not (user.is_authenticated and user.is_candidate):
        raise Http404
    candidate = Candidate.objects.filter(user=user, erased_at__isnull=True).first()
    if candidate is None:
        raise Http404
    return candidate


@transaction.atomic
def profile_confirm(*, candidate: Candidate, actor: User) -> Candidate:
    """ "This is still correct": the profile counts as fresh again for the matching."""
    candidate.last_confirmed = timezone.localdate()
    candidate.save(update_fields=["last_confirmed"])
    candidate_touch(candidate=candidate)
    audit_log(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=candidate,
        summary=gettext_lazy("own view: profile confirmed"),
    )
    return candidate


@transaction.atomic
def request_send(*, candidate: Candidate, kind: str, text: str, actor: User, consent: Consent | None = None):
    """A request to the case worker (a correction, a new consent, the erasure), who gets an e-mail."""
    text = text.strip()
    if kind == CandidateRequest.Kind.CORRECTION and not text:
        raise ValidationError({"text": _("Please write what is not correct.")}, code="required")
    if consent is not None and consent.candidate_id != candidate.pk:
        raise ValidationError(_("This consent is not yours."), code="invalid")
    open_requests = candidate.requests.filter(done_at__isnull=True, kind=kind, consent=consent)
    if kind != CandidateRequest.Kind.CORRECTION and open_requests.exists():
        raise ValidationError(
            _("You have sent this request already; your case worker will answer it."), code="duplicate"
        )
    row = CandidateRequest(candidate=candidate, kind=kind, text=text, consent=consent)
    row.full_clean()
    row.save()
    audit_log(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=candidate,
        summary=gettext_lazy("own view: request sent: %(kind)s"),
        params={"kind": CandidateRequest.Kind(kind).label},
    )
    if candidate.case_worker is not None:
        notify(
            users=[candidate.case_worker],
            template="candidates/email/candidate_request",
            context={
                "candidate": candidate.full_name,
                "kind": CandidateRequest.Kind(kind).label,
                "text": text,
                "url": absolute_url(candidate.section_url("portal")),
            },
        )
    return row


@transaction.atomic
def request_done(*, request: CandidateRequest, actor: User) -> CandidateRequest:
    request = CandidateRequest.objects.select_for_update().get(pk=request.pk)
    if request.done_at is None:
        request.done_at = timezone.now()
        request.done_by = actor
        request.save(update_fields=["done_at", "done_by"])
        audit_log(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            target=request.candidate,
            summary=gettext_lazy("request of the candidate done: %(kind)s"),
            params={"kind": CandidateRequest.Kind(request.kind).label},
        )
    return request


def own_consent_withdraw(*, candidate: Candidate, consent_id: int, actor: User) -> Consent:
    """The candidate withdraws one of their consents: in effect at once (the pipeline's rule)."""
    consent = Consent.objects.filter(candidate=candidate, pk=consent_id).first()
    if consent is None:
        raise Http404
    return consent_withdraw(consent=consent, actor=actor)
