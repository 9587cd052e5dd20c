"""Use cases of the review that write: a person's decision on a candidate–position pair,
activating or saving a scoring configuration, and asking for a full rescore.

The machine proposes; a person decides. Every decision names who took it and is
written to the audit trail under the pair ("matching.pair", "<candidate>-<position>"),
not under the decision row: an undo deletes the row and a rescore replaces the match,
but the history of the pair stays readable.

A pair that the matching rules exclude (work permission, a required language too far
below, staying in Germany for a position abroad, too far and not moving, ...) cannot be
shortlisted or pinned: the rules are checked live, on the current profile and position,
because a stored match may predate the change that excludes it. Dismissing it stays possible.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridges.models import AuditEvent, User
from bridges.services import audit_log
from matching.explain import EXCLUSION_TEXTS
from matching.models import MatchDecision, MatchRun, ScoringConfig

PAIR_AUDIT_TYPE = "matching.pair"
RESCORE_ALL_TASK = "matching.rescore_all"
# Decisions that put a pair forward; an excluded pair can take neither.
PUTS_FORWARD = frozenset({MatchDecision.Status.SHORTLISTED, MatchDecision.Status.PINNED})


@dataclass(frozen=True)
class Pair:
    """A candidate–position pair as an audit target (audit_log reads `_meta.label_lower` and `pk`)."""

    candidate_id: int
    position_id: int

    _meta = SimpleNamespace(label_lower=PAIR_AUDIT_TYPE)

    @property
    def pk(self) -> str:
        return pair_audit_id(self.candidate_id, self.position_id)


def pair_audit_id(candidate_id: int, position_id: int) -> str:
    return f"{candidate_id}-{position_id}"


def _summary(decision: MatchDecision) -> dict:
    """The audit summary of a decision: status, reason and note apart, so that the history shows each."""
    params = {"status": MatchDecision.Status(decision.status).label, "note": decision.note}
    if decision.reason:
        params["reason"] = MatchDecision.Reason(decision.reason).label
        if decision.note:
            summary = gettext_lazy("decision: %(status)s (%(reason)s): %(note)s")
        else:
            summary = gettext_lazy("decision: %(status)s (%(reason)s)")
    else:
        summary = (
            gettext_lazy("decision: %(status)s: %(note)s") if decision.note else gettext_lazy("decision: %(status)s")
        )
    return {"summary": summary, "params": params}


def pair_exclusion(*, candidate_id: int, position_id: int) -> int:
    """The hard exclusion of the pair on the current data (`matching.explain.EXCLUSION_*`);
    0 when the rules allow it, or when the candidate or the position no longer exists."""
    from matching import services  # the ORM-heavy pipeline; only a decision that puts a pair forward needs it

    return int(services.pair_explain(candidate_id=candidate_id, position_id=position_id).get("exclusion") or 0)


def exclusion_refusal(*, exclusion: int, status: str) -> str:
    """Why an excluded pair cannot take `status`, in the active language."""
    reason = EXCLUSION_TEXTS.get(exclusion) or _("Excluded by the matching rules.")
    if status == MatchDecision.Status.PINNED:
        return _("This pair cannot be pinned for the allocation. %(reason)s") % {"reason": reason}
    return _("This pair cannot be shortlisted. %(reason)s") % {"reason": reason}


def match_decision_check(*, candidate_id: int, position_id: int, status: str) -> None:
    """Raise ValidationError if `status` puts forward a pair that the matching rules exclude."""
    if status not in PUTS_FORWARD:
        return
    exclusion = pair_exclusion(candidate_id=candidate_id, position_id=position_id)
    if exclusion:
        raise ValidationError(exclusion_refusal(exclusion=exclusion, status=status), code="excluded")


@transaction.atomic
def match_decide(
    *,
    candidate_id: int,
    position_id: int,
    status: str,
    reason: str = "",
    note: str = "",
    actor: User | None,
) -> MatchDecision:
    """Record (or change) what a person decided about a pair: shortlist, dismiss with a reason, pin.

    Refuses (ValidationError, nothing written) a dismissal without a reason, and shortlisting or
    pinning a pair that the matching rules exclude.
    """
    if status == MatchDecision.Status.DISMISSED and not reason:
        raise ValidationError({"reason": _("A dismissal needs a reason.")})
    match_decision_check(candidate_id=candidate_id, position_id=position_id, status=status)
    if status != MatchDecision.Status.DISMISSED:
        reason = ""  # reasons explain dismissals only
    decision = (
        MatchDecision.objects.select_for_update().filter(candidate_id=candidate_id, position_id=position_id).first()
    )
    created = decision is None
    if created:
        decision = MatchDecision(candidate_id=candidate_id, position_id=position_id)
    decision.status = status
    decision.reason = reason
    decision.note = note.strip()
    decision.decided_by = actor if actor is not None and actor.is_authenticated else None
    decision.full_clean()
    decision.save()
    audit_log(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=Pair(candidate_id, position_id),
        **_summary(decision),
    )
    return decision


@transaction.atomic
def match_decision_undo(*, candidate_id: int, position_id: int, actor: User | None) -> bool:
    """Take a decision back: the pair is open again. False when there was none."""
    deleted, _rows = MatchDecision.objects.filter(candidate_id=candidate_id, position_id=position_id).delete()
    if deleted:
        audit_log(
            actor=actor,
            action=AuditEvent.Action.DELETE,
            target=Pair(candidate_id, position_id),
            summary=gettext_lazy("decision undone"),
        )
    return bool(deleted)


def rescore_all_request(*, trigger: str = MatchRun.Trigger.FULL) -> None:
    """Queue a full rescore once the current transaction has committed."""
    transaction.on_commit(lambda: _enqueue(RESCORE_ALL_TASK, str(trigger)))


def _enqueue(name: str, *args) -> None:
    # bridges.tasks.enqueue is the project's queueing helper where it exists; until
    # then the task is looked up on the Celery app (or sent by name if the worker
    # module that defines it is not imported in this process).
    from bridges import tasks as bridges_tasks

    enqueue = getattr(bridges_tasks, "enqueue", None)
    if enqueue is not None:
        enqueue(name, *args)
        return
    from bridges.celery import app

    task = app.tasks.get(name)
    if task is not None:
        task.delay(*args)
    else:
        app.send_task(name, args=list(args))


@transaction.atomic
def scoring_config_saved(*, config: ScoringConfig, created: bool, actor: User | None) -> None:
    """After an admin saved a configuration: audit it, and rescore everything if it is the active one."""
    audit_log(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=config,
        summary=config.name,
    )
    if config.is_active:
        rescore_all_request(trigger=MatchRun.Trigger.CONFIG)


@transaction.atomic
def scoring_config_activate(*, config: ScoringConfig, actor: User | None) -> None:
    """Make `config` the one active configuration and rescore everything with it."""
    # Deactivate first: the partial unique index allows one active row at any moment.
    ScoringConfig.objects.filter(is_active=True).exclude(pk=config.pk).update(is_active=False)
    if not config.is_active:
        config.is_active = True
        config.save(update_fields=["is_active", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=config,
        summary=gettext_lazy("activated: %(name)s"),
        params={"name": config.name},
    )
    rescore_all_request(trigger=MatchRun.Trigger.CONFIG)
