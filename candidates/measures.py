"""Use cases of the support measures the programme pays for: plan, approve, complete, cancel.

Each runs in one transaction, validates (ValidationError, nothing written) and writes the audit
trail. Planning locks the budget row of the measure's year, kind and funding source, so that two
case workers planning at the same moment cannot together spend more than is left: the second
sees the first's measure. Approval is four-eyes (never the person who planned it); above
`settings.MEASURE_APPROVAL_LIMIT_EUR` only an admin approves.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, DecimalField, F, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridges.models import AuditEvent, Role, User
from bridges.permissions import require_case_work
from bridges.services import audit_log
from candidates.models import Budget, Candidate, MeasureKind, SupportMeasure

ZERO = Decimal("0.00")
Status = SupportMeasure.Status


def euros(amount: Decimal) -> str:
    return f"{number_format(amount, 2, force_grouping=True)} €"


@dataclass(frozen=True)
class BudgetFigures:
    amount: Decimal
    committed: Decimal  # planned and approved measures, at their planned cost
    spent: Decimal  # measures done, at their actual cost

    @property
    def left(self) -> Decimal:
        return self.amount - self.committed - self.spent


def _money(expression) -> Coalesce:
    return Coalesce(Sum(expression), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2))


def with_figures(budgets: QuerySet[Budget]) -> QuerySet[Budget]:
    """Budgets with `committed` (planned and approved measures at their planned cost) and `spent`
    (measures done, at their actual cost) summed in the database, in the one query of the list."""
    open_statuses = [Status.PLANNED, Status.APPROVED]
    return budgets.annotate(
        committed=_money(Case(When(measures__status__in=open_statuses, then=F("measures__planned_cost")))),
        spent=_money(Case(When(measures__status=Status.DONE, then=F("measures__actual_cost")))),
    )


def budget_figures(budget: Budget) -> BudgetFigures:
    """Committed, spent and left of one budget."""
    row = with_figures(Budget.objects.filter(pk=budget.pk)).values("amount", "committed", "spent").get()
    return BudgetFigures(amount=row["amount"], committed=row["committed"], spent=row["spent"])


def budgets_left(*, years: list[int]) -> list[Budget]:
    """The budgets of these years, each with `left` (amount − committed − spent), in one query."""
    budgets = list(with_figures(Budget.objects.filter(year__in=years)).order_by("year", "kind", "funding_source"))
    for budget in budgets:
        budget.left = budget.amount - budget.committed - budget.spent
    return budgets


def budget_for(*, year: int, kind: str, funding_source: str = "") -> Budget | None:
    return Budget.objects.filter(year=year, kind=kind, funding_source=funding_source).first()


@transaction.atomic
def measure_plan(
    *,
    candidate: Candidate,
    actor: User,
    kind: str,
    title: str,
    start_date: datetime.date,
    planned_cost: Decimal,
    end_date: datetime.date | None = None,
    provider: str = "",
    closes: str = "",
    funding_source: str = "",
    position=None,
    introduction=None,
    over_budget_reason: str = "",
) -> SupportMeasure:
    """Plan a measure against the budget of its start year and kind.

    Refused when no budget exists, and when it costs more than is left — unless an admin plans
    it with a reason (the override is kept with the measure and in the audit trail).
    """
    require_case_work(actor)
    if kind not in MeasureKind.values:
        raise ValidationError({"kind": _("Choose the kind of measure.")})
    if introduction is not None:
        if introduction.candidate_id != candidate.pk:
            raise ValidationError({"introduction": _("Choose one of this candidate's introductions.")})
        position = position or introduction.position
    measure = SupportMeasure(
        candidate=candidate,
        kind=kind,
        title=title.strip(),
        provider=provider.strip(),
        start_date=start_date,
        end_date=end_date,
        planned_cost=planned_cost,
        closes=closes.strip(),
        position=position,
        introduction=introduction,
        planned_by=actor,
    )
    measure.full_clean(exclude=["budget", "candidate", "position", "introduction"])
    budget = (
        Budget.objects.select_for_update()
        .filter(year=start_date.year, kind=kind, funding_source=funding_source.strip())
        .first()
    )
    if budget is None:
        raise ValidationError(
            _("There is no budget for %(kind)s in %(year)s. An admin sets it up (Administration → Budgets).")
            % {"kind": MeasureKind(kind).label, "year": start_date.year},
            code="no_budget",
        )
    left = budget_figures(budget).left
    reason = over_budget_reason.strip()
    if planned_cost > left:
        if actor.role != Role.ADMIN:
            raise ValidationError(
                _("This measure costs %(cost)s, but only %(left)s are left in the budget %(budget)s.")
                % {"cost": euros(planned_cost), "left": euros(left), "budget": budget},
                code="over_budget",
            )
        if not reason:
            raise ValidationError(
                {"over_budget_reason": _("Planning beyond the budget needs a reason.")}, code="over_budget"
            )
    else:
        reason = ""
    measure.budget = budget
    measure.over_budget_reason = reason
    measure.save()
    audit_log(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=candidate,
        summary=gettext_lazy("support measure planned: %(title)s, %(cost)s"),
        params={"title": measure.title, "cost": euros(planned_cost)},
    )
    return measure


def _locked(measure: SupportMeasure) -> SupportMeasure:
    return SupportMeasure.objects.select_for_update().select_related("candidate").get(pk=measure.pk)


def approval_limit() -> Decimal:
    return Decimal(settings.MEASURE_APPROVAL_LIMIT_EUR)


@transaction.atomic
def measure_approve(*, measure: SupportMeasure, actor: User) -> SupportMeasure:
    """Approve a planned measure: never by the person who planned it; above the limit only an admin."""
    require_case_work(actor)
    measure = _locked(measure)
    if measure.status != Status.PLANNED:
        raise ValidationError(_("Only a planned measure can be approved."), code="status")
    if measure.planned_by_id == actor.pk:
        raise ValidationError(_("Someone other than the person who planned it approves a measure."), code="four_eyes")
    if measure.planned_cost > approval_limit() and actor.role != Role.ADMIN:
        raise ValidationError(
            _("Measures above %(limit)s are approved by an admin.") % {"limit": euros(approval_limit())},
            code="limit",
        )
    measure.status = Status.APPROVED
    measure.approved_by = actor
    measure.approved_at = timezone.now()
    measure.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    _audit(measure, actor, gettext_lazy("support measure approved: %(title)s"))
    return measure


@transaction.atomic
def measure_complete(
    *, measure: SupportMeasure, actor: User, actual_cost: Decimal, end_date: datetime.date | None = None
) -> SupportMeasure:
    """An approved measure is done: its actual cost is what it spent."""
    require_case_work(actor)
    measure = _locked(measure)
    if measure.status != Status.APPROVED:
        raise ValidationError(_("Only an approved measure can be marked as done."), code="status")
    measure.status = Status.DONE
    measure.actual_cost = actual_cost
    measure.end_date = end_date or measure.end_date
    measure.closed_by = actor
    measure.closed_at = timezone.now()
    measure.full_clean(
        exclude=["budget", "candidate", "position", "introduction", "planned_by", "approved_by", "closed_by"]
    )
    measure.save(update_fields=["status", "actual_cost", "end_date", "closed_by", "closed_at", "updated_at"])
    _audit(measure, actor, gettext_lazy("support measure done: %(title)s"))
    return measure


@transaction.atomic
def measure_cancel(*, measure: SupportMeasure, actor: User) -> SupportMeasure:
    """Cancel a planned or approved measure; its planned cost goes back to the budget."""
    require_case_work(actor)
    measure = _locked(measure)
    if measure.status not in (Status.PLANNED, Status.APPROVED):
        raise ValidationError(_("Only a planned or approved measure can be cancelled."), code="status")
    measure.status = Status.CANCELLED
    measure.closed_by = actor
    measure.closed_at = timezone.now()
    measure.save(update_fields=["status", "closed_by", "closed_at", "updated_at"])
    _audit(measure, actor, gettext_lazy("support measure cancelled: %(title)s"))
    return measure


def _audit(measure: SupportMeasure, actor: User, summary) -> None:
    audit_log(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=measure.candidate,
        summary=summary,
        params={"title": measure.title},
    )


def measures_for_subject(candidate: Candidate) -> list[dict]:
    """A candidate's support measures as the data-subject export gives them (GDPR Art. 15/20): every
    field that concerns the person, with the documents filed under each (names, not contents), in
    plain JSON types. The privacy issue's export calls this; a new field on the model belongs here."""
    rows = []
    measures = candidate.measures.select_related(
        "budget", "position__employer", "introduction", "planned_by", "approved_by", "closed_by"
    ).prefetch_related("documents")
    for measure in measures.order_by("start_date", "pk"):
        rows.append(
            {
                "kind": str(measure.get_kind_display()),
                "title": measure.title,
                "provider": measure.provider,
                "start_date": measure.start_date.isoformat(),
                "end_date": measure.end_date.isoformat() if measure.end_date else None,
                "planned_cost_eur": str(measure.planned_cost),
                "actual_cost_eur": str(measure.actual_cost) if measure.actual_cost is not None else None,
                "status": str(measure.get_status_display()),
                "closes": measure.closes,
                "budget": str(measure.budget) if measure.budget_id else None,
                "position": measure.position.title if measure.position_id else None,
                "employer": measure.position.employer.name if measure.position_id else None,
                "introduction": measure.introduction_id,
                "over_budget_reason": measure.over_budget_reason,
                "planned_by": str(measure.planned_by or ""),
                "planned_at": measure.created_at.isoformat(),
                "approved_by": str(measure.approved_by or ""),
                "approved_at": measure.approved_at.isoformat() if measure.approved_at else None,
                "closed_by": str(measure.closed_by or ""),
                "closed_at": measure.closed_at.isoformat() if measure.closed_at else None,
                "documents": [
                    {"kind": str(document.get_kind_display()), "name": str(document)}
                    for document in measure.documents.all()
                ],
            }
        )
    return rows


def measures_awaiting_approval(*, user: User) -> QuerySet[SupportMeasure]:
    """Planned measures `user` may approve: never their own; above the limit only for an admin."""
    require_case_work(user)
    measures = SupportMeasure.objects.filter(status=Status.PLANNED).exclude(planned_by=user)
    if user.role != Role.ADMIN:
        measures = measures.filter(planned_cost__lte=approval_limit())
    return measures.select_related("candidate", "planned_by").order_by("start_date", "pk")
