"""Read-only queries on candidates, scoped to the user who asks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from bridges.models import User
from candidates.models import Candidate, CandidateLanguage


def _require_case_work(user: User) -> None:
    # Candidate data is for case workers and admins only; employers see what an
    # introduction shares with them, through the matching app, never these pages.
    if not (user.is_authenticated and user.works_cases):
        raise PermissionDenied


def candidate_list(*, user: User) -> QuerySet[Candidate]:
    """Candidates for list pages and exports, with what a list row shows prefetched."""
    _require_case_work(user)
    return Candidate.objects.select_related("place", "case_worker").prefetch_related(
        Prefetch("languages", queryset=CandidateLanguage.objects.select_related("language")),
        "desired_occupations",
    )


def candidate_get_for_user(*, user: User, pk: int) -> Candidate:
    """One candidate with every section of the detail page; 404 when it does not exist."""
    _require_case_work(user)
    queryset = Candidate.objects.select_related(
        "place", "place__region", "region_of_origin", "return_region", "case_worker"
    ).prefetch_related(
        Prefetch("languages", queryset=CandidateLanguage.objects.select_related("language")),
        "education",
        "experience__occupation",
        "skills",
        "desired_occupations",
        "relocation_regions",
        "documents__uploaded_by",
        "notes__author",
        "consents__recorded_by",
    )
    return get_object_or_404(queryset, pk=pk)


def candidate_find_duplicates(
    *,
    user: User,
    first_name: str = "",
    last_name: str = "",
    date_of_birth=None,
    email: str = "",
    phone: str = "",
    exclude_pk: int | None = None,
) -> list[Candidate]:
    """Profiles that may be the same person: same name and birth date, or same e-mail or phone."""
    _require_case_work(user)
    same = Q(pk__in=[])
    if first_name and last_name and date_of_birth:
        same |= Q(
            first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), date_of_birth=date_of_birth
        )
    if email:
        same |= Q(email__iexact=email.strip())
    if phone:
        same |= Q(phone=phone.strip())
    queryset = Candidate.objects.filter(same)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return list(queryset.select_related("place")[:10])
