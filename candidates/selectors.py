"""Read-only queries on candidates, scoped to the user who asks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
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
