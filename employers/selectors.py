"""Read-only queries on employers and positions, scoped to the user who asks.

Employer users reach only their own organisation: another organisation's record
is a 404, whatever id a URL or form field carries. Case workers and admins see all.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Prefetch, Q, QuerySet, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_countries import countries

from bridges.models import AuditEvent, Language, User
from bridges.permissions import require_case_work
from employers.models import (
    ContactPerson,
    Employer,
    EngagementRegion,
    Invitation,
    LanguageRequirement,
    Membership,
    Position,
    PositionSkill,
)


def employer_for_user(*, user: User) -> Employer | None:
    """The organisation of an employer user, or None while they have not registered one."""
    if not (user.is_authenticated and user.is_employer):
        raise PermissionDenied
    membership = Membership.objects.select_related("employer", "employer__place").filter(user=user).first()
    return membership.employer if membership else None


def employer_get_for_user(*, user: User, pk: int | None = None) -> Employer:
    """An employer record the user may work on: their own, or any for case workers and admins."""
    if user.is_authenticated and user.works_cases:
        return get_object_or_404(Employer.objects.select_related("place", "reviewed_by"), pk=pk)
    employer = employer_for_user(user=user)
    if employer is None or (pk is not None and employer.pk != pk):
        raise Http404
    return employer


def employers_visible_to(*, user: User) -> QuerySet[Employer]:
    if user.is_authenticated and user.works_cases:
        return Employer.objects.select_related("place")
    employer = employer_for_user(user=user)
    return Employer.objects.filter(pk=employer.pk if employer else None)


def positions_visible_to(*, user: User) -> QuerySet[Position]:
    """Positions the user may manage, with what lists show prefetched."""
    queryset = Position.objects.select_related("employer", "occupation", "place", "region").prefetch_related(
        Prefetch("language_requirements", queryset=LanguageRequirement.objects.select_related("language"))
    )
    if user.is_authenticated and user.works_cases:
        return queryset
    employer = employer_for_user(user=user)
    if employer is None:
        return queryset.none()
    return queryset.filter(employer=employer)


def position_get_for_user(*, user: User, pk: int) -> Position:
    """One position the user may manage; another organisation's is a 404."""
    queryset = positions_visible_to(user=user).prefetch_related(
        Prefetch("skill_requirements", queryset=PositionSkill.objects.select_related("skill"))
    )
    return get_object_or_404(queryset, pk=pk)


def public_positions() -> QuerySet[Position]:
    """The job board: open positions of approved employers, no internal fields needed."""
    return (
        Position.objects.public()
        .select_related("employer", "occupation", "place", "region")
        .prefetch_related(
            Prefetch("language_requirements", queryset=LanguageRequirement.objects.select_related("language"))
        )
        .order_by("-created_at", "pk")
    )


# --- case workers' lists and the public job board --------------------------------------


def employers_for_staff(*, user: User) -> QuerySet[Employer]:
    """All employers for case workers and admins: pending first, with their number of open positions."""
    require_case_work(user)
    return (
        Employer.objects.select_related("place")
        .annotate(
            open_positions=Count("positions", filter=Q(positions__status=Position.Status.OPEN)),
            pending_first=Case(When(verification=Employer.Verification.PENDING, then=0), default=1),
        )
        .order_by("pending_first", "name", "pk")
    )


def employer_get_for_staff(*, user: User, pk: int) -> Employer:
    """One employer with everything its staff page shows: contacts, regions, members, positions."""
    require_case_work(user)
    queryset = Employer.objects.select_related("place", "reviewed_by").prefetch_related(
        "contacts",
        Prefetch("engagement_regions", queryset=EngagementRegion.objects.select_related("region")),
        Prefetch("members", queryset=Membership.objects.select_related("user").order_by("joined_at")),
        Prefetch("invitations", queryset=Invitation.objects.filter(accepted_at__isnull=True)),
        Prefetch(
            "positions",
            queryset=Position.objects.select_related("occupation", "place", "region").prefetch_related(
                Prefetch("language_requirements", queryset=LanguageRequirement.objects.select_related("language"))
            ),
        ),
    )
    return get_object_or_404(queryset, pk=pk)


def employer_history(*, employer: Employer) -> QuerySet[AuditEvent]:
    """The audit trail of an employer record: registration, changes and reviews, newest first."""
    return AuditEvent.objects.filter(target_type=Employer._meta.label_lower, target_id=str(employer.pk)).select_related(
        "actor"
    )


def public_position_get(*, pk: int) -> Position:
    """One position of the job board with its public contact persons only; anything else is a 404."""
    queryset = public_positions().prefetch_related(
        Prefetch("skill_requirements", queryset=PositionSkill.objects.select_related("skill")),
        Prefetch(
            "employer__contacts", queryset=ContactPerson.objects.filter(is_public=True), to_attr="public_contacts"
        ),
    )
    return get_object_or_404(queryset, pk=pk)


def public_position_languages() -> QuerySet[Language]:
    """Languages that positions on the job board ask for, for the board's language filter."""
    asked = LanguageRequirement.objects.filter(position__in=Position.objects.public()).values("language_id")
    return Language.objects.filter(pk__in=asked).in_name_order()


def public_position_countries() -> list[tuple[str, str]]:
    """Countries of the job board's positions abroad, as (code, name) in the active language."""
    codes = (
        Position.objects.public()
        .filter(location=Position.Location.ABROAD)
        .exclude(country="")
        # Without clearing the model's ordering, DISTINCT would also take created_at and list a
        # country once per position.
        .order_by()
        .values_list("country", flat=True)
        .distinct()
    )
    return sorted(((code, str(countries.name(code))) for code in codes), key=lambda choice: choice[1])


def invitation_get_by_token(*, token: str) -> Invitation:
    """An invitation by its secret token, in whatever state; an unknown token is a 404."""
    return get_object_or_404(Invitation.objects.select_related("employer", "invited_by"), token=token)


def employer_colleagues(*, employer: Employer) -> QuerySet[Membership]:
    """The members of one organisation, for its colleagues page."""
    return Membership.objects.filter(employer=employer).select_related("user").order_by("joined_at", "pk")


def employer_open_invitations(*, employer: Employer) -> QuerySet[Invitation]:
    """Invitations of one organisation that can still be accepted."""
    from django.utils import timezone

    return employer.invitations.filter(accepted_at__isnull=True, expires_at__gt=timezone.now()).select_related(
        "invited_by"
    )


def invitation_has_account(*, invitation: Invitation) -> bool:
    """Whether the invited address has an account already (then they log in instead of signing up)."""
    return User.objects.filter(email__iexact=invitation.email).exists()
