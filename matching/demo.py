"""Demo introductions for `make run`: the demo employer's positions receive introductions at every
stage — proposed, interested, interview, trial, offer, placed (with a follow-up due), declined,
withdrawn and closed — made through the same services a person uses, from the best stored matches.
One candidate matched to the demo employer is left for a person to introduce.

Idempotent: once the demo employer has introductions, nothing more is added.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, Count, Q, When
from django.utils import timezone

from bridges.models import User
from candidates.models import Candidate, Consent
from candidates.services import consent_give
from employers.models import Employer, Position
from matching import introductions as svc
from matching.models import Introduction, Match, MatchDecision, Placement, SharedSection
from matching.pipeline import Reason, Stage
from matching.review import match_decision_check

# (stage reached, closing stage or "", reason) in the order the demo pairs take them.
# The demo employer's positions come first, so the demo employer account sees most stages.
PLAN = [
    (Stage.PROPOSED, "", ""),
    (Stage.INTERESTED, "", ""),
    (Stage.INTERVIEW, "", ""),
    (Stage.OFFER, "", ""),
    (Stage.PLACED, "", ""),
    (Stage.TRIAL, "", ""),
    (Stage.PROPOSED, Stage.DECLINED, Reason.LANGUAGE),
    (Stage.INTERESTED, Stage.WITHDRAWN, Reason.CANDIDATE_WITHDREW),
    (Stage.PROPOSED, Stage.CLOSED, Reason.NOT_REACHED),
    (Stage.PROPOSED, "", ""),
    (Stage.INTERESTED, "", ""),
    (Stage.PLACED, "", ""),
]
SHARED = [
    SharedSection.CONTACT,
    SharedSection.LANGUAGES,
    SharedSection.EDUCATION,
    SharedSection.EXPERIENCE,
    SharedSection.SKILLS,
    SharedSection.MOBILITY,
]


def _pairs(employer: Employer, count: int) -> list[Match]:
    """The best stored matches of open positions, the demo employer's first, one pair per candidate."""
    matches = (
        Match.objects.filter(position__status=Position.Status.OPEN)
        .select_related("candidate", "position__employer")
        .order_by(Case(When(position__employer=employer, then=0), default=1), "rank_for_position", "-score")
    )
    # One candidate of the demo employer is left without introduction and consent, to try it out.
    consented = Consent.objects.sharing_with(employer.pk).values("candidate_id")
    reserved = (
        matches.filter(position__employer=employer)
        .exclude(candidate_id__in=consented)
        .order_by("-rank_for_position", "score")
        .values("candidate_id")[:1]
    )
    chosen, candidates = [], set(reserved.values_list("candidate_id", flat=True))
    for match in matches.iterator():
        if match.candidate_id in candidates:
            continue
        try:
            match_decision_check(
                candidate_id=match.candidate_id, position_id=match.position_id, status=MatchDecision.Status.SHORTLISTED
            )
        except Exception:
            continue
        chosen.append(match)
        candidates.add(match.candidate_id)
        if len(chosen) == count:
            break
    return chosen


def _walk(introduction, stage: str, case_worker: User, employer_user: User):
    """Move a fresh introduction along the usual way to `stage`, as the people involved would."""
    soon = timezone.localtime() + datetime.timedelta(days=3)  # dates at 10:00 and 14:00 German time
    if stage == Stage.PROPOSED:
        return introduction
    introduction = svc.introduction_move(introduction=introduction, to=Stage.INTERESTED, actor=employer_user)
    if stage == Stage.INTERESTED:
        return introduction
    interviews = svc.interviews_propose(
        introduction=introduction,
        actor=employer_user,
        slots=[
            svc.Slot(soon.replace(hour=10, minute=0, second=0, microsecond=0), place=introduction.position.where),
            svc.Slot(
                (soon + datetime.timedelta(days=1)).replace(hour=14, minute=0, second=0, microsecond=0),
                online_link="https://video.example.org/bridges-demo",
            ),
        ],
        comment="Wir freuen uns auf das Gespräch.",
    )
    svc.interview_confirm(interview=interviews[0], actor=case_worker)
    introduction.refresh_from_db()
    if stage == Stage.INTERVIEW:
        return introduction
    introduction = svc.introduction_move(
        introduction=introduction, to=Stage.TRIAL, actor=case_worker, comment="Zwei Tage Probearbeit vereinbart."
    )
    if stage == Stage.TRIAL:
        return introduction
    introduction = svc.introduction_move(introduction=introduction, to=Stage.OFFER, actor=employer_user)
    if stage == Stage.OFFER:
        return introduction
    start = timezone.localdate() - datetime.timedelta(days=200)
    svc.placement_record(
        introduction=introduction,
        actor=case_worker,
        kind=svc.placement_kind_for(introduction.position),
        start_date=start,
        place=introduction.position.where,
    )
    introduction.refresh_from_db()
    return introduction


def demo_sharing_consent(candidate, position: Position, case_worker: User) -> None:
    """The candidate's consent to share the profile with the position's organisation, given in
    person, unless it stands already."""
    if not Consent.objects.filter(candidate=candidate).sharing_with(position.employer_id).exists():
        consent_give(
            candidate=candidate,
            purpose=Consent.Purpose.SHARING,
            wording_version="2026-01",
            method=Consent.Method.IN_PERSON,
            actor=case_worker,
            employer=position.employer,
        )


def demo_introductions_load(*, case_worker: User, employer_user: User) -> dict[str, int]:
    """Introductions at every stage to the demo employer's positions; returns counts."""
    employer = Employer.objects.filter(members__user=employer_user).first()
    if employer is None or Introduction.objects.exists():
        return {"introductions": 0}
    made = 0
    for match, (stage, closing, reason) in zip(_pairs(employer, len(PLAN)), PLAN, strict=False):
        candidate = match.candidate
        position = Position.objects.select_related("employer").get(pk=match.position_id)
        demo_sharing_consent(candidate, position, case_worker)
        if position.status != Position.Status.OPEN:
            continue  # filled by a demo placement a moment ago
        introduction = svc.introduction_create(
            candidate=candidate,
            position=position,
            actor=case_worker,
            sections=SHARED,
            documents=candidate.documents.all(),
            message=f"Wir schlagen Ihnen {candidate.first_name} für die Stelle „{position.title}“ vor.",
        )
        # The demo employer answers online; for the other companies the case worker records their answer.
        answering = employer_user if position.employer_id == employer.pk else case_worker
        introduction = _walk(introduction, stage, case_worker, answering)
        if closing:
            actor = answering if closing == Stage.DECLINED else case_worker
            svc.introduction_move(introduction=introduction, to=closing, actor=actor, reason=reason)
        made += 1
    return {"introductions": made, "placements": Placement.objects.count()}


def demo_candidate_login(*, user: User) -> str:
    """Tie the demo candidate login to the candidate with the most introductions (open ones first), so
    that the own view shows introductions, consents and an explanation. Idempotent."""
    current = Candidate.objects.filter(user=user).first()
    if current is not None:
        return current.full_name
    candidate = (
        Candidate.objects.filter(user__isnull=True, erased_at__isnull=True)
        .annotate(
            open_count=Count("introductions", filter=Q(introductions__closed_at__isnull=True)),
            total=Count("introductions"),
        )
        .order_by("-open_count", "-total", "pk")
        .first()
    )
    if candidate is None:
        return "-"
    User.objects.filter(pk=user.pk).update(first_name=candidate.first_name, last_name=candidate.last_name)
    candidate.user = user
    candidate.save(update_fields=["user"])
    return candidate.full_name
