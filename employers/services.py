"""Use cases that write employer data. Each runs in one transaction, validates,
and sets the re-scoring mark where matching needs to know."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridges.models import AuditEvent, Occupation, OccupationSkill, User
from bridges.services import audit_log, mail_after_commit
from bridges.tasks import enqueue
from employers.models import Employer, Invitation, LanguageRequirement, Membership, Position, PositionSkill

# --- organisations -----------------------------------------------------------------


@transaction.atomic
def employer_register(*, employer: Employer, actor: User) -> Employer:
    """An employer user registers their company: it is pending until a case worker approves it."""
    if not actor.is_employer:
        raise ValidationError(_("Only employer users register a company."))
    if Membership.objects.filter(user=actor).exists():
        raise ValidationError(_("You belong to a company already."))
    employer.verification = Employer.Verification.PENDING
    employer.full_clean()
    employer.save()
    Membership.objects.create(user=actor, employer=employer)
    audit_log(actor=actor, action=AuditEvent.Action.CREATE, target=employer, summary=employer.name)
    return employer


@transaction.atomic
def employer_create_on_behalf(*, employer: Employer, actor: User, formsets: Iterable = ()) -> Employer:
    """A case worker or admin records a company (e.g. after a phone call): approved at once."""
    employer.verification = Employer.Verification.APPROVED
    employer.reviewed_by, employer.reviewed_at = actor, timezone.now()
    employer.full_clean()
    employer.save()
    for formset in formsets:
        formset.instance = employer
        formset.save()
    audit_log(actor=actor, action=AuditEvent.Action.CREATE, target=employer, summary=employer.name)
    return employer


@transaction.atomic
def employer_update(*, employer: Employer, actor: User, formsets: Iterable = ()) -> Employer:
    """Save a company's profile, contacts or regions of engagement.

    Its open positions are marked for re-scoring: regions of engagement feed the
    return perspective of matching.
    """
    employer.full_clean()
    employer.save()
    for formset in formsets:
        formset.instance = employer
        formset.save()
    employer.positions.filter(status=Position.Status.OPEN).update(rescore_requested_at=timezone.now())
    enqueue("matching.sweep")
    audit_log(actor=actor, action=AuditEvent.Action.UPDATE, target=employer, summary=employer.name)
    return employer


class Review(NamedTuple):
    employer: Employer
    informed: int  # the company's users the decision is mailed to; none before anyone joined


@transaction.atomic
def employer_review(*, employer: Employer, approve: bool, note: str, actor: User, request: HttpRequest) -> Review:
    """Approve or reject a company; its users get an e-mail with the note."""
    if not actor.works_cases:
        raise ValidationError(_("Only case workers and admins review companies."))
    if not approve and not note.strip():
        raise ValidationError(_("Please give the company a reason for the rejection."))
    employer = Employer.objects.select_for_update().get(pk=employer.pk)
    employer.verification = Employer.Verification.APPROVED if approve else Employer.Verification.REJECTED
    employer.review_note = note.strip()
    employer.reviewed_by, employer.reviewed_at = actor, timezone.now()
    employer.save(update_fields=["verification", "review_note", "reviewed_by", "reviewed_at", "updated_at"])
    # Positions become matchable (or stop being matchable) with the decision.
    employer.positions.update(rescore_requested_at=timezone.now())
    enqueue("matching.sweep")
    members = [membership.user for membership in employer.members.select_related("user")]
    template = "employers/email/approved" if approve else "employers/email/rejected"
    dashboard = request.build_absolute_uri(reverse("employers:dashboard"))
    mail_after_commit(
        request=request,
        template=template,
        to=members,
        context={"employer": employer, "note": employer.review_note, "dashboard_url": dashboard},
    )
    log_review(employer=employer, actor=actor)
    return Review(employer=employer, informed=len(members))


def log_review(*, employer: Employer, actor: User) -> None:
    """The company's review decision in its audit trail (the history on its page)."""
    audit_log(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=employer,
        summary=gettext_lazy("review: %(decision)s, %(note)s")
        if employer.review_note
        else gettext_lazy("review: %(decision)s"),
        params={"decision": Employer.Verification(employer.verification).label, "note": employer.review_note},
    )


# --- colleagues ----------------------------------------------------------------------


@transaction.atomic
def invitation_send(*, employer: Employer, email: str, actor: User, request: HttpRequest) -> Invitation:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email, membership__isnull=False).exists():
        raise ValidationError(_("This person already belongs to a company on bridges."))
    if User.objects.filter(email__iexact=email).exclude(role="employer").exists():
        raise ValidationError(_("This address belongs to a programme account and cannot be invited."))
    invitation = Invitation.objects.create(employer=employer, email=email, invited_by=actor)
    link = request.build_absolute_uri(reverse("employers:invitation_accept", kwargs={"token": invitation.token}))
    mail_after_commit(
        request=request,
        template="employers/email/invitation",
        to=[email],
        context={"employer": employer, "inviter": actor, "accept_url": link, "invitation": invitation},
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """The invited colleague joins the organisation of the invitation, and no other."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation is no longer valid."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(_("This invitation was sent to another e-mail address."))
    if not user.is_employer:
        raise ValidationError(_("Only employer users can join a company."))
    if Membership.objects.filter(user=user).exists():
        raise ValidationError(_("You belong to a company already."))
    membership = Membership.objects.create(user=user, employer=invitation.employer)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


# --- positions -----------------------------------------------------------------------


def skills_for_occupation(*, occupation: Occupation) -> list[tuple[int, str]]:
    """The occupation's ESCO skills as (skill id, relation), to prefill a new position."""
    return list(
        OccupationSkill.objects.filter(occupation=occupation).values_list("skill_id", "relation_type").order_by("pk")
    )


def _mark(position: Position) -> None:
    Position.objects.filter(pk=position.pk).update(rescore_requested_at=timezone.now())
    enqueue("matching.rescore_position", position.pk)


@transaction.atomic
def position_save(
    *,
    position: Position,
    actor: User,
    skills: Iterable[tuple[int, str]] | None = None,
    formsets: Iterable = (),
) -> Position:
    """Create or change a position with its skills (id, relation) and language requirements.

    A new position may not start in the past; a changed one keeps its start date.
    """
    created = position.pk is None
    if created:
        position.created_by = actor
        if position.start_date and position.start_date < timezone.localdate():
            raise ValidationError({"start_date": _("The start date of a new position cannot be in the past.")})
    position.full_clean()
    position.save()
    if skills is not None:
        position.skill_requirements.all().delete()
        PositionSkill.objects.bulk_create(
            PositionSkill(position=position, skill_id=skill_id, relation_type=relation) for skill_id, relation in skills
        )
    for formset in formsets:
        formset.instance = position
        formset.save()
    _mark(position)
    audit_log(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=position,
        summary=position.title,
    )
    return position


ALLOWED_TRANSITIONS = {
    Position.Status.DRAFT: {Position.Status.OPEN, Position.Status.CLOSED},
    Position.Status.OPEN: {Position.Status.PAUSED, Position.Status.FILLED, Position.Status.CLOSED},
    Position.Status.PAUSED: {Position.Status.OPEN, Position.Status.FILLED, Position.Status.CLOSED},
    Position.Status.FILLED: {Position.Status.OPEN, Position.Status.CLOSED},
    Position.Status.CLOSED: {Position.Status.OPEN},
}


@transaction.atomic
def position_set_status(*, position: Position, status: str, actor: User) -> Position:
    position = Position.objects.select_for_update().get(pk=position.pk)
    if status not in ALLOWED_TRANSITIONS[Position.Status(position.status)]:
        raise ValidationError(
            _("A position that is “%(old)s” cannot become “%(new)s”.")
            % {"old": position.get_status_display(), "new": Position.Status(status).label}
        )
    if status == Position.Status.OPEN and position.expires_on and position.expires_on < timezone.localdate():
        raise ValidationError(_("The position's closing date has passed: set a new one before opening it."))
    position.status = status
    position.save(update_fields=["status", "updated_at"])
    _mark(position)
    audit_log(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=position,
        summary=gettext_lazy("status: %(status)s"),
        params={"status": Position.Status(status).label},
    )
    return position


@transaction.atomic
def position_duplicate(*, position: Position, actor: User) -> Position:
    """A copy as a draft, with skills and language requirements, for a similar opening."""
    skills = list(position.skill_requirements.values_list("skill_id", "relation_type"))
    languages = list(position.language_requirements.values("language_id", "min_level", "required"))
    copy = Position.objects.get(pk=position.pk)
    copy.pk = None
    copy.title = _("%(title)s (copy)") % {"title": position.title}
    copy.status = Position.Status.DRAFT
    copy.created_by = actor
    if copy.start_date and copy.start_date < timezone.localdate():
        copy.start_date = None
    copy.full_clean()
    copy.save()
    PositionSkill.objects.bulk_create(
        PositionSkill(position=copy, skill_id=skill_id, relation_type=relation) for skill_id, relation in skills
    )
    LanguageRequirement.objects.bulk_create(LanguageRequirement(position=copy, **row) for row in languages)
    audit_log(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=copy,
        summary=gettext_lazy("copy of position %(id)s"),
        params={"id": position.pk},
    )
    return copy


@transaction.atomic
def positions_close_expired(*, today: date | None = None) -> int:
    """Close open and paused positions whose closing date has passed; returns how many."""
    today = today or timezone.localdate()
    expired = Position.objects.filter(status__in=[Position.Status.OPEN, Position.Status.PAUSED], expires_on__lt=today)
    closed = expired.update(
        status=Position.Status.CLOSED, rescore_requested_at=timezone.now(), updated_at=timezone.now()
    )
    if closed:
        enqueue("matching.sweep")
    return closed


# --- changes made in the Django admin ------------------------------------------------


@transaction.atomic
def employer_changed_in_admin(*, employer: Employer, actor: User) -> None:
    """An admin saved a company in the Django admin: mark its open positions, write the audit row.

    The admin form saved the row already; regions of engagement feed matching as in `employer_update`.
    """
    employer.positions.filter(status=Position.Status.OPEN).update(rescore_requested_at=timezone.now())
    audit_log(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=employer,
        summary=gettext_lazy("changed in the admin: %(name)s"),
        params={"name": employer.name},
    )


@transaction.atomic
def position_changed_in_admin(*, position: Position, actor: User) -> None:
    """An admin saved a position in the Django admin: set the re-scoring mark, write the audit row."""
    _mark(position)
    audit_log(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=position,
        summary=gettext_lazy("changed in the admin: %(name)s"),
        params={"name": position.title},
    )
