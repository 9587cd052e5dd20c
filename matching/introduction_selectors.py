"""Read-only queries on introductions, scoped to the user.

Case workers and admins see every introduction. An employer user sees the introductions to
their own organisation's positions; the candidate's shared profile only while the introduction
is open and the candidate's consent to share with that organisation stands, checked here at
every request. Another organisation's introduction is a 404.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from bridges.models import User
from bridges.permissions import require_case_work
from candidates.models import Candidate, CandidateLanguage, Consent, Document
from employers.selectors import employer_for_user
from matching import pipeline
from matching.models import FollowUp, Interview, Introduction, IntroductionEvent


def _consent_stands() -> Exists:
    """Per introduction row: the candidate's standing consent to share with the position's organisation."""
    return Exists(
        Consent.objects.active().filter(
            purpose=Consent.Purpose.SHARING,
            candidate_id=OuterRef("candidate_id"),
            employer_id=OuterRef("position__employer_id"),
        )
    )


def introductions_for_user(*, user: User) -> QuerySet[Introduction]:
    """Every introduction the user may list, with `shared_now` (open and consented) annotated."""
    queryset = Introduction.objects.select_related("candidate", "position__employer", "case_worker").annotate(
        consent_stands=_consent_stands()
    )
    if user.is_authenticated and user.works_cases:
        return queryset
    employer = employer_for_user(user=user)
    if employer is None:
        return queryset.none()
    return queryset.filter(position__employer=employer)


def introduction_get_for_user(*, user: User, pk: int) -> Introduction:
    """One introduction the user may open; another organisation's is a 404."""
    queryset = introductions_for_user(user=user).prefetch_related(
        Prefetch("interviews", queryset=Interview.objects.select_related("proposed_by", "confirmed_by")),
        Prefetch("events", queryset=IntroductionEvent.objects.select_related("actor")),
    )
    return get_object_or_404(queryset, pk=pk)


def employer_may_see_profile(introduction: Introduction) -> bool:
    """The employer sees the shared profile only while the introduction is open and consent stands."""
    stands = getattr(introduction, "consent_stands", None)
    if stands is None:
        stands = (
            Consent.objects.filter(candidate_id=introduction.candidate_id)
            .sharing_with(introduction.position.employer_id)
            .exists()
        )
    return introduction.is_open and bool(stands)


def shared_introduction_for_employer(*, user: User, pk: int) -> Introduction:
    """The introduction whose shared profile an employer user opens: their own organisation's,
    open, with the consent standing at this very request; anything else is a 404."""
    if not (user.is_authenticated and user.is_employer):
        raise PermissionDenied
    introduction = introduction_get_for_user(user=user, pk=pk)
    if not employer_may_see_profile(introduction):
        raise Http404
    return introduction


def shared_candidate(introduction: Introduction):
    """The candidate with exactly the related rows the shared sections need (nothing else loaded)."""
    sections = set(introduction.shared_sections)
    queryset = Candidate.objects.select_related("place", "region_of_origin", "return_region")
    prefetch = []
    if "languages" in sections:
        prefetch.append(Prefetch("languages", queryset=CandidateLanguage.objects.select_related("language")))
    if "education" in sections:
        prefetch.append("education")
    if "experience" in sections:
        prefetch.append("experience__occupation")
    if "skills" in sections:
        prefetch += ["skills", "desired_occupations"]
    return queryset.prefetch_related(*prefetch).get(pk=introduction.candidate_id)


def shared_document_for_employer(*, user: User, pk: int, doc: int) -> Document:
    """A document shared in an introduction the employer may see right now; else a 404."""
    introduction = shared_introduction_for_employer(user=user, pk=pk)
    return get_object_or_404(introduction.shared_documents.all(), pk=doc)


def introductions_due(*, user: User, days: int = 0) -> QuerySet[Introduction]:
    """Open introductions of the user's own responsibility whose next step is due (or overdue),
    with their candidate, position and employer."""
    require_case_work(user)
    limit = timezone.localdate() + datetime.timedelta(days=days)
    return (
        Introduction.objects.filter(case_worker=user, stage__in=pipeline.OPEN_STAGES, next_step_due__lte=limit)
        .select_related("candidate", "position__employer")
        .order_by("next_step_due", "pk")
    )


def follow_ups_due(*, user: User) -> QuerySet[FollowUp]:
    """Follow-ups due and not recorded, of the user's introductions or the user's candidates."""
    require_case_work(user)
    queryset = FollowUp.objects.filter(outcome="", due_on__lte=timezone.localdate()).select_related(
        "placement__candidate", "placement__position__employer"
    )
    return queryset.filter(Q(placement__introduction__case_worker=user) | Q(placement__candidate__case_worker=user))
