"""Use cases of the way from a match to a placement: introduce a candidate, move an introduction
along the stages, propose and confirm interviews, record the placement and its follow-ups.

Each runs in one transaction, validates (ValidationError, nothing written), writes the
introduction's timeline (`IntroductionEvent`) and the audit trail. Stages move only through
`introduction_move`, along the table in `matching.pipeline`. The machine never calls these:
a person introduces, answers, confirms and places (`matching.review` explains why).

Sharing needs a standing consent of the candidate for the position's organisation
(`candidates.Consent`, purpose "sharing"): checked here when an introduction is made, and by
`matching.introduction_selectors` at every request an employer makes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridges.models import AuditEvent, User
from bridges.services import audit_log
from bridges.tasks import enqueue
from bridges.working_language import in_working_language
from candidates.models import Candidate, Consent, Document, Status
from employers.models import Membership, Position
from matching import notifications, pipeline
from matching.models import (
    FollowUp,
    Interview,
    Introduction,
    IntroductionEvent,
    Match,
    MatchDecision,
    Placement,
    ScoringConfig,
    SharedSection,
)
from matching.pipeline import Stage
from matching.review import match_decision_check

# --- who is acting ------------------------------------------------------------------------------


def actor_side(user: User) -> str:
    """pipeline.EMPLOYER or pipeline.STAFF; anybody else may not act on introductions."""
    if user.is_authenticated and user.works_cases:
        return pipeline.STAFF
    if user.is_authenticated and user.is_employer:
        return pipeline.EMPLOYER
    raise PermissionDenied


def _require_staff(user: User) -> None:
    if actor_side(user) != pipeline.STAFF:
        raise PermissionDenied


def _require_employer_may_answer(introduction: Introduction, actor: User, side: str) -> None:
    """An employer user acts only on their own organisation's introductions, and only while the
    candidate's consent to share with it stands (the pages check it too; this is the last guard)."""
    if side != pipeline.EMPLOYER:
        return
    employer_id = introduction.position.employer_id
    if not Membership.objects.filter(user=actor, employer_id=employer_id).exists():
        raise PermissionDenied
    if sharing_consent(candidate_id=introduction.candidate_id, employer_id=employer_id) is None:
        raise PermissionDenied


def sharing_consent(*, candidate_id: int, employer_id: int) -> Consent | None:
    """The candidate's standing consent to share their profile with this organisation, if any."""
    return Consent.objects.filter(candidate_id=candidate_id).sharing_with(employer_id).order_by("-given_at").first()


def _event(introduction: Introduction, actor: User | None, kind: str, **fields) -> IntroductionEvent:
    return IntroductionEvent.objects.create(
        introduction=introduction, kind=kind, actor=actor if actor and actor.is_authenticated else None, **fields
    )


def _audit(introduction: Introduction, actor: User | None, summary, **params) -> None:
    audit_log(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=introduction.candidate,
        summary=summary,
        params={"position": introduction.position.title, **params},
    )


# --- introducing --------------------------------------------------------------------------------


def _clean_sharing(candidate: Candidate, sections: Iterable[str], documents: Iterable[Document | int]) -> tuple:
    sections = list(dict.fromkeys(sections))
    unknown = [s for s in sections if s not in SharedSection.values]
    if unknown:
        raise ValidationError({"shared_sections": _("Unknown section: %(name)s") % {"name": unknown[0]}})
    ids = {doc.pk if isinstance(doc, Document) else int(doc) for doc in documents}
    found = set(Document.objects.filter(candidate=candidate, pk__in=ids).values_list("pk", flat=True))
    if found != ids:
        raise ValidationError({"shared_documents": _("A chosen document does not belong to this candidate.")})
    return [s for s in SharedSection.values if s in sections], sorted(ids)


def consent_refusal(candidate: Candidate, position: Position) -> str:
    return _(
        "%(name)s has not consented to share the profile with %(employer)s. Record the consent first "
        "(purpose: sharing, employer: %(employer)s)."
    ) % {"name": candidate.full_name, "employer": position.employer.name}


# The next step of a new introduction when the person gives none (the API, bulk, the demo; the
# form offers it in the case worker's language).
DEFAULT_NEXT_STEP = gettext_lazy("Wait for the employer's answer")


@transaction.atomic
def introduction_create(
    *,
    candidate: Candidate,
    position: Position,
    actor: User,
    sections: Sequence[str] = (),
    documents: Iterable[Document | int] = (),
    message: str = "",
    next_step: str = "",
    next_step_due: datetime.date | None = None,
    case_worker: User | None = None,
) -> Introduction:
    """Introduce a candidate to a position: a person acts on a match (or introduces directly).

    Refused without the candidate's standing consent for the position's organisation, for a
    position that is not open, for a pair the matching rules exclude, and when the pair has an
    open introduction already (two case workers at the same moment: one row, the other is told).
    """
    _require_staff(actor)
    if position.status != Position.Status.OPEN:
        raise ValidationError(_("Only an open position can receive introductions."), code="position_not_open")
    if sharing_consent(candidate_id=candidate.pk, employer_id=position.employer_id) is None:
        raise ValidationError(consent_refusal(candidate, position), code="no_consent")
    match_decision_check(candidate_id=candidate.pk, position_id=position.pk, status=MatchDecision.Status.SHORTLISTED)
    sections, document_ids = _clean_sharing(candidate, sections, documents)
    match = Match.objects.filter(candidate=candidate, position=position).first()
    config = match.run.config if match and match.run and match.run.config else ScoringConfig.active()
    introduction = Introduction(
        candidate=candidate,
        position=position,
        shared_sections=sections,
        message=message.strip(),
        case_worker=case_worker or candidate.case_worker or actor,
        next_step=next_step.strip() or in_working_language(DEFAULT_NEXT_STEP),
        next_step_due=next_step_due or timezone.localdate() + datetime.timedelta(days=7),
        score=match.score if match else None,
        rank_for_position=match.rank_for_position if match else None,
        rank_for_candidate=match.rank_for_candidate if match else None,
        scoring_config=config,
        scoring_snapshot=scoring_snapshot(config),
        created_by=actor,
    )
    introduction.full_clean(exclude=["candidate", "position"], validate_constraints=False)
    try:
        with transaction.atomic():
            introduction.save()
    except IntegrityError as error:
        raise ValidationError(
            _("%(name)s already has an open introduction to this position.") % {"name": candidate.full_name},
            code="duplicate",
        ) from error
    introduction.shared_documents.set(document_ids)
    _event(introduction, actor, IntroductionEvent.Kind.STAGE, to_stage=Stage.PROPOSED)
    _audit(introduction, actor, gettext_lazy("introduced to the position %(position)s"))
    notifications.introduction_created(introduction)
    return introduction


def scoring_snapshot(config: ScoringConfig) -> dict:
    """What the machine used to rank: the configuration's name, weights and thresholds."""
    return {
        "name": config.name,
        "weights": config.weights(),
        "max_language_gap": config.max_language_gap,
        "min_score": config.min_score,
        "relevance_gate": config.relevance_gate,
        "lateral_entry_factor": config.lateral_entry_factor,
    }


@transaction.atomic
def sharing_set(
    *, introduction: Introduction, actor: User, sections: Sequence[str], documents: Iterable[Document | int]
) -> Introduction:
    """Change what the employer sees of an open introduction."""
    _require_staff(actor)
    introduction = _locked(introduction)
    if not introduction.is_open:
        raise ValidationError(_("This introduction is closed."), code="closed")
    introduction.shared_sections, document_ids = _clean_sharing(introduction.candidate, sections, documents)
    introduction.save(update_fields=["shared_sections", "updated_at"])
    introduction.shared_documents.set(document_ids)
    _event(introduction, actor, IntroductionEvent.Kind.SHARING)
    _audit(introduction, actor, gettext_lazy("shared data changed: introduction to %(position)s"))
    return introduction


# --- moving along the stages --------------------------------------------------------------------


def _locked(introduction: Introduction) -> Introduction:
    return (
        Introduction.objects.select_for_update(of=("self",))
        .select_related("candidate", "position__employer")
        .get(pk=introduction.pk)
    )


def move_refusal(introduction: Introduction, to: str) -> str:
    return _("An introduction at “%(stage)s” cannot move to “%(to)s”.") % {
        "stage": Stage(introduction.stage).label,
        "to": Stage(to).label,
    }


@transaction.atomic
def introduction_move(
    *,
    introduction: Introduction,
    to: str,
    actor: User,
    reason: str = "",
    comment: str = "",
    _placing: bool = False,
) -> Introduction:
    """Move an introduction to stage `to`, if the table allows `actor` that move.

    A closing stage needs one of its reasons; "placed" is reached only by `placement_record`.
    One `IntroductionEvent` records who, when, from, to, reason and comment.
    """
    side = actor_side(actor)
    introduction = _locked(introduction)
    _require_employer_may_answer(introduction, actor, side)
    if to not in Stage.values or not pipeline.may_move(introduction.stage, to, actor=side):
        message = move_refusal(introduction, to) if to in Stage.values else _("Unknown stage.")
        raise ValidationError(message, code="move")
    if to == Stage.PLACED and not _placing:
        raise ValidationError(_("Record the placement to mark an introduction as placed."), code="placement")
    reasons = pipeline.reasons_for(to)
    if reasons and reason not in reasons:
        raise ValidationError({"reason": _("Choose a reason.")}, code="reason")
    if not reasons:
        reason = ""
    before = introduction.stage
    introduction.stage = to
    if to == Stage.PLACED or (
        pipeline.is_open(to) and pipeline.OPEN_STAGES.index(to) > pipeline.OPEN_STAGES.index(introduction.reached_stage)
    ):
        introduction.reached_stage = to
    if to in pipeline.FINAL_STAGES:
        introduction.closed_at = timezone.now()
        introduction.close_reason = reason
        introduction.next_step, introduction.next_step_due = "", None  # nothing is due on a closed introduction
    introduction.save(
        update_fields=[
            "stage",
            "reached_stage",
            "closed_at",
            "close_reason",
            "next_step",
            "next_step_due",
            "updated_at",
        ]
    )
    _event(
        introduction,
        actor,
        IntroductionEvent.Kind.STAGE,
        from_stage=before,
        to_stage=to,
        reason=reason,
        comment=comment.strip(),
    )
    _audit(
        introduction,
        actor,
        gettext_lazy("introduction to %(position)s: %(stage)s"),
        stage=Stage(to).label,
    )
    notifications.introduction_moved(introduction=introduction, actor=actor, comment=comment)
    return introduction


@dataclass
class BulkResult:
    moved: list[Introduction]
    refused: list[tuple[Introduction, str]]


def introductions_close(
    *, introductions: Iterable[Introduction], actor: User, reason: str, comment: str = ""
) -> BulkResult:
    """Close several introductions with one reason (bulk action); each move is its own record.
    The reason decides the closing stage (candidate withdrew → withdrawn, else closed)."""
    to = Stage.WITHDRAWN if reason == pipeline.Reason.CANDIDATE_WITHDREW else Stage.CLOSED
    result = BulkResult([], [])
    for introduction in introductions:
        try:
            result.moved.append(
                introduction_move(introduction=introduction, to=to, actor=actor, reason=reason, comment=comment)
            )
        except ValidationError as error:
            result.refused.append((introduction, " ".join(error.messages)))
    return result


@transaction.atomic
def next_step_set(
    *,
    introduction: Introduction,
    actor: User,
    next_step: str,
    due: datetime.date | None,
    case_worker: User | None = None,
) -> Introduction:
    """Set what happens next, by when, and who is responsible."""
    _require_staff(actor)
    introduction = _locked(introduction)
    if not introduction.is_open:
        raise ValidationError(_("This introduction is closed."), code="closed")
    if next_step.strip() and due is None:
        raise ValidationError({"next_step_due": _("Give the date the next step is due.")})
    introduction.next_step = next_step.strip()
    introduction.next_step_due = due
    introduction.next_step_reminded_on = None
    if case_worker is not None:
        if not case_worker.works_cases:
            raise ValidationError({"case_worker": _("Choose a case worker.")})
        introduction.case_worker = case_worker
    introduction.save(
        update_fields=["next_step", "next_step_due", "next_step_reminded_on", "case_worker", "updated_at"]
    )
    _event(introduction, actor, IntroductionEvent.Kind.NEXT_STEP, comment=introduction.next_step)
    return introduction


def introductions_assign(*, introductions: Iterable[Introduction], actor: User, case_worker: User) -> int:
    """Make `case_worker` responsible for several open introductions (bulk action)."""
    done = 0
    for introduction in introductions:
        if introduction.is_open:
            next_step_set(
                introduction=introduction,
                actor=actor,
                next_step=introduction.next_step,
                due=introduction.next_step_due,
                case_worker=case_worker,
            )
            done += 1
    return done


# --- interviews ---------------------------------------------------------------------------------

INTERVIEW_STAGES = (Stage.PROPOSED, Stage.INTERESTED, Stage.INTERVIEW)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime
    place: str = ""
    online_link: str = ""


@transaction.atomic
def interviews_propose(*, introduction: Introduction, actor: User, slots: Sequence[Slot], comment: str = "") -> list:
    """The employer (or a case worker) proposes interview dates; a proposal from the employer
    at "proposed" also says they are interested (recorded as that move)."""
    side = actor_side(actor)
    introduction = _locked(introduction)
    _require_employer_may_answer(introduction, actor, side)
    if introduction.stage not in INTERVIEW_STAGES:
        raise ValidationError(_("Interviews can be proposed only before an offer."), code="stage")
    if not slots:
        raise ValidationError(_("Propose at least one date."), code="empty")
    now = timezone.now()
    interviews = []
    for slot in slots:
        if slot.starts_at <= now:
            raise ValidationError({"starts_at": _("Propose a date in the future.")})
        interview = Interview(
            introduction=introduction,
            starts_at=slot.starts_at,
            place=slot.place.strip(),
            online_link=slot.online_link.strip(),
            proposed_by=actor,
        )
        interview.full_clean(exclude=["introduction"])
        interviews.append(interview)
    if introduction.stage == Stage.PROPOSED and side == pipeline.EMPLOYER:
        introduction_move(introduction=introduction, to=Stage.INTERESTED, actor=actor, comment=comment)
    Interview.objects.bulk_create(interviews)
    _event(
        introduction,
        actor,
        IntroductionEvent.Kind.INTERVIEW_PROPOSED,
        comment=comment.strip() or ", ".join(str(i) for i in interviews),
    )
    notifications.interviews_proposed(introduction=introduction, interviews=interviews, actor=actor, comment=comment)
    return interviews


@transaction.atomic
def interview_confirm(*, interview: Interview, actor: User) -> Interview:
    """A case worker confirms one proposed date; the others lapse and the stage becomes "interview"."""
    _require_staff(actor)
    introduction = _locked(interview.introduction)
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if interview.status != Interview.Status.PROPOSED or introduction.stage not in INTERVIEW_STAGES:
        raise ValidationError(_("This date can no longer be confirmed."), code="interview")
    if interview.starts_at <= timezone.now():
        raise ValidationError(_("This date has passed."), code="past")
    introduction.interviews.filter(status__in=[Interview.Status.PROPOSED, Interview.Status.CONFIRMED]).exclude(
        pk=interview.pk
    ).update(status=Interview.Status.LAPSED)
    interview.status = Interview.Status.CONFIRMED
    interview.confirmed_by = actor
    interview.save(update_fields=["status", "confirmed_by"])
    if introduction.stage != Stage.INTERVIEW:
        introduction_move(introduction=introduction, to=Stage.INTERVIEW, actor=actor)
    _event(introduction, actor, IntroductionEvent.Kind.INTERVIEW_CONFIRMED, comment=str(interview))
    notifications.interview_confirmed(interview)
    return interview


# --- placement and follow-up --------------------------------------------------------------------


def placement_kind_for(position: Position) -> str:
    """The kind a placement at this position usually is."""
    if position.is_abroad:
        return Placement.Kind.RETURN
    return {
        Position.PositionType.APPRENTICESHIP: Placement.Kind.APPRENTICESHIP,
        Position.PositionType.QUALIFICATION: Placement.Kind.QUALIFICATION,
    }.get(position.position_type, Placement.Kind.EMPLOYMENT)


@transaction.atomic
def placement_record(
    *,
    introduction: Introduction,
    actor: User,
    kind: str,
    start_date: datetime.date,
    place: str,
    fixed_term: bool = False,
    end_date: datetime.date | None = None,
    comment: str = "",
) -> Placement:
    """The candidate starts work: the placement, the stage "placed", follow-ups at 6 and 12 months,
    the candidate placed (or returned), and the position filled once no opening is left."""
    _require_staff(actor)
    introduction = _locked(introduction)
    placement = Placement(
        introduction=introduction,
        candidate=introduction.candidate,
        position=introduction.position,
        kind=kind,
        start_date=start_date,
        place=place.strip(),
        fixed_term=fixed_term,
        end_date=end_date,
        recorded_by=actor,
    )
    placement.full_clean(exclude=["introduction", "candidate", "position"])
    introduction_move(introduction=introduction, to=Stage.PLACED, actor=actor, comment=comment, _placing=True)
    placement.save()
    FollowUp.objects.bulk_create(
        FollowUp(placement=placement, months=months, due_on=start_date + relativedelta(months=months))
        for months in FollowUp.MONTHS
    )
    status = Status.RETURNED if kind == Placement.Kind.RETURN else Status.PLACED
    Candidate.objects.filter(pk=introduction.candidate_id).update(status=status, rescore_requested_at=timezone.now())
    enqueue("matching.rescore_candidate", introduction.candidate_id)
    position = Position.objects.select_for_update().get(pk=introduction.position_id)
    if position.placements.count() >= position.openings and position.status == Position.Status.OPEN:
        Position.objects.filter(pk=position.pk).update(
            status=Position.Status.FILLED, rescore_requested_at=timezone.now()
        )
        enqueue("matching.rescore_position", position.pk)
    _audit(introduction, actor, gettext_lazy("placed: %(position)s"))
    return placement


def openings_left(position: Position) -> int:
    return max(position.openings - position.placements.count(), 0)


@transaction.atomic
def follow_up_record(*, follow_up: FollowUp, actor: User, outcome: str, note: str = "") -> FollowUp:
    """Record whether the person is still in work at a follow-up."""
    _require_staff(actor)
    follow_up = FollowUp.objects.select_for_update().select_related("placement__candidate").get(pk=follow_up.pk)
    if outcome not in FollowUp.Outcome.values:
        raise ValidationError({"outcome": _("Choose what you found out.")})
    follow_up.outcome = outcome
    follow_up.note = note.strip()
    follow_up.recorded_by = actor
    follow_up.recorded_at = timezone.now()
    follow_up.save(update_fields=["outcome", "note", "recorded_by", "recorded_at"])
    audit_log(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=follow_up.placement.candidate,
        summary=gettext_lazy("follow-up after %(months)s months: %(outcome)s"),
        params={"months": follow_up.months, "outcome": FollowUp.Outcome(outcome).label},
    )
    return follow_up
