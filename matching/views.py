"""Case-worker pages: the dashboard, the ranked lists of matches in both directions,
the explanation of a pair with the decisions on it, and the progress of a full
rescore; and the employers' anonymised summaries of their own positions' matches.

The machine proposes; a person decides: nothing here introduces or rejects anyone
by itself. Another employer's position is a 404, a case-worker page a 403.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bridges.audit import audited
from bridges.http import next_url
from bridges.models import AuditEvent, Role
from bridges.permissions import case_worker_required, role_required
from bridges.services import audit_log
from candidates.measures import measures_awaiting_approval
from candidates.models import Candidate, Status
from candidates.privacy import candidates_flagged_for_retention
from candidates.selectors import candidates_with_consents_to_check
from employers.models import Employer, Position
from matching import explain, introduction_queries, review, selectors
from matching.filters import CandidateMatchFilter, MatchOverviewFilter, PositionMatchFilter
from matching.forms import DecisionForm, dismiss_form
from matching.introduction_selectors import follow_ups_due, introductions_due, introductions_for_user
from matching.models import MatchDecision, MatchRun, ScoringConfig

PAGE_SIZE = 25
# The overview counts at most this many matches: counting all 160,000 stored matches of a
# programme of 10,000 candidates took 45 ms on every page; the first 10,001 take 2 ms.
OVERVIEW_COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most `cap` rows; past that the count is `cap` and `capped` is true (the page says
    "more than"), and the pages end at `cap` rows: beyond them the filters narrow the list."""

    def __init__(self, object_list, per_page, *, cap: int) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        return self.object_list[: self.cap + 1].count()  # SELECT COUNT(*) FROM (... LIMIT cap + 1)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap


# The dashboard's lists of what is due: how far ahead, and how many rows at most.
DUE_DAYS = 7
DUE_LIMIT = 10
# The introductions shown on a position's ranked list (the rest in the filtered list).
POSITION_INTRODUCTIONS = 10
admin_required = role_required(Role.ADMIN)
summaries_viewer_required = role_required(Role.EMPLOYER, Role.CASE_WORKER, Role.ADMIN)


def _page(request: HttpRequest, queryset, *, by_ids: bool = False) -> tuple:
    """A page of the list. `by_ids`: the page's ids first, then their rows with every subquery of the
    list (for long lists: PostgreSQL computes a row's subqueries for each row an OFFSET skips too)."""
    if by_ids:
        ids = queryset.values_list("pk", flat=True)
        page = CappedPaginator(ids, PAGE_SIZE, cap=OVERVIEW_COUNT_CAP).get_page(request.GET.get("page"))
        ids = list(page.object_list)
        rows = queryset.in_bulk(ids)
        page.object_list = [rows[pk] for pk in ids if pk in rows]
    else:
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    _label_rows(page.object_list)
    introduction_queries.label_open_introductions(page.object_list)
    return page, query.urlencode()


def _label_rows(matches) -> None:
    """Bars and decision labels for list rows (no queries: everything came with the list query)."""
    statuses = dict(MatchDecision.Status.choices)
    reasons = dict(MatchDecision.Reason.choices)
    labels = explain.component_labels()
    for match in matches:
        match.bars = explain.component_bars(match.components or {}, labels)
        match.lateral = "lateral_entry" in ((match.explanation or {}).get("notes") or [])
        match.decision_label = statuses.get(getattr(match, "decision_status", None), "")
        match.reason_label = reasons.get(getattr(match, "decision_reason", None), "")


@audited
@case_worker_required
def dashboard(request: HttpRequest) -> HttpResponse:
    recent = selectors.recent_matches(user=request.user)
    context = {
        "my_candidates": Candidate.objects.filter(case_worker=request.user, status=Status.ACTIVE).count(),
        "active_candidates": Candidate.objects.filter(status=Status.ACTIVE).count(),
        "consents_to_check": candidates_with_consents_to_check(user=request.user),
        "pending_employers": Employer.objects.filter(verification=Employer.Verification.PENDING).count(),
        "public_positions": Position.objects.public().count(),
        "recent_matches": recent,
        "shortlisted": MatchDecision.objects.filter(status=MatchDecision.Status.SHORTLISTED).count(),
        "run": selectors.latest_full_run(),
        # What is due: next steps (overdue or within a week), interviews, follow-ups.
        # Each card's rows with only what the card shows (building and planning whole candidates,
        # positions and employers took half of these queries' time).
        "due_introductions": list(
            introductions_due(user=request.user, days=DUE_DAYS).only(
                "stage",
                "next_step",
                "next_step_due",
                *Candidate.name_fields("candidate"),
                "position__title",
                "position__employer__name",
            )[:DUE_LIMIT]
        ),
        "upcoming_interviews": list(
            introduction_queries.interviews_upcoming(user=request.user).only(
                "starts_at",
                "place",
                "introduction_id",
                *Candidate.name_fields("introduction__candidate"),
                "introduction__position__employer__name",
            )[:DUE_LIMIT]
        ),
        "due_follow_ups": list(
            follow_ups_due(user=request.user)
            .only(
                "months",
                "due_on",
                "placement__introduction_id",
                *Candidate.name_fields("placement__candidate"),
                "placement__position__employer__name",
            )
            .order_by("due_on", "pk")[:DUE_LIMIT]
        ),
        "measures_to_approve": list(measures_awaiting_approval(user=request.user)[:DUE_LIMIT]),
        # Data protection: the user's candidates the retention sweep flagged.
        "retention_flagged": list(
            candidates_flagged_for_retention(user=request.user).order_by("retention_flagged_at", "pk")[:DUE_LIMIT]
        ),
        "retention_erase_days": settings.RETENTION_ERASE_AFTER_DAYS,
        "due_limit": DUE_LIMIT,
    }
    return render(request, "matching/dashboard.html", context)


@audited
@case_worker_required
def overview(request: HttpRequest) -> HttpResponse:
    queryset = introduction_queries.with_open_introduction(selectors.matches_overview(user=request.user))
    filterset = MatchOverviewFilter(request.GET, queryset=queryset)
    page, query = _page(request, filterset.qs, by_ids=True)
    return render(request, "matching/overview.html", {"filter": filterset, "page": page, "query": query})


@audited
@case_worker_required
def position_matches(request: HttpRequest, pk: int) -> HttpResponse:
    position = selectors.position_for_review(user=request.user, pk=pk)
    queryset = selectors.matches_for_position(user=request.user, position=position)
    filterset = PositionMatchFilter(request.GET, queryset=introduction_queries.with_open_introduction(queryset))
    page, query = _page(request, filterset.qs)
    # The reference the employer sees in the summaries, so that a case worker finds whom they mean.
    refs = selectors.employer_references(position=position, also=[match.candidate_id for match in page])
    for match in page:
        match.employer_reference = refs[match.candidate_id]
    introductions = introductions_for_user(user=request.user).filter(position=position)
    context = {
        "position": position,
        "filter": filterset,
        "page": page,
        "query": query,
        "introductions": list(introductions.order_by("-created_at", "-pk")[:POSITION_INTRODUCTIONS]),
        "introductions_count": introductions.count(),
    }
    return render(request, "matching/position_matches.html", context)


@audited
@case_worker_required
def candidate_matches(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_for_review(user=request.user, pk=pk)
    queryset = selectors.matches_for_candidate(user=request.user, candidate=candidate)
    filterset = CandidateMatchFilter(request.GET, queryset=introduction_queries.with_open_introduction(queryset))
    page, query = _page(request, filterset.qs)
    context = {"candidate": candidate, "filter": filterset, "page": page, "query": query}
    return render(request, "matching/candidate_matches.html", context)


def _pair_page(request: HttpRequest, candidate: int, position: int, form=None, status: int = 200) -> HttpResponse:
    pair = selectors.pair_get_for_user(user=request.user, candidate_pk=candidate, position_pk=position)
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        target=pair.candidate,
        summary=gettext_lazy("match with position %(id)s"),
        params={"id": pair.position.pk},
    )
    explanation = explain.pair_explanation(
        candidate_id=pair.candidate.pk, position_id=pair.position.pk, match=pair.match
    )
    context = {
        "pair": pair,
        "candidate": pair.candidate,
        "position": pair.position,
        "match": pair.match,
        "decision": pair.decision,
        "explanation": explanation,
        "dismiss_form": form or dismiss_form(),
        "history": _history(pair.candidate.pk, pair.position.pk),
        "open_introduction": introduction_queries.open_introduction_of_pair(
            candidate_id=pair.candidate.pk, position_id=pair.position.pk
        ),
    }
    return render(request, "matching/explain.html", context, status=status)


def _history(candidate_id: int, position_id: int) -> list[dict]:
    """The audit trail of a pair with status and reason in the active language."""
    rows = []
    for event in selectors.pair_history(candidate_id=candidate_id, position_id=position_id)[:50]:
        values = event.summary_params()
        if event.action == AuditEvent.Action.DELETE:
            text, note = _("decision undone"), ""
        else:
            text, note = values.get("status", event.summary_text()), values.get("note", "")
            if values.get("reason"):
                text = f"{text} ({values['reason']})"
        rows.append({"at": event.at, "actor": event.actor, "text": text, "note": note})
    return rows


@audited
@case_worker_required
def pair_explain(request: HttpRequest, candidate: int, position: int) -> HttpResponse:
    return _pair_page(request, candidate, position)


@audited
@case_worker_required
@require_POST
def pair_decide(request: HttpRequest, candidate: int, position: int) -> HttpResponse:
    pair = selectors.pair_get_for_user(user=request.user, candidate_pk=candidate, position_pk=position)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The decision was not recorded: a dismissal needs a reason."))
        return _pair_page(request, candidate, position, form=form, status=400)
    action = form.cleaned_data["action"]
    ids = {"candidate_id": pair.candidate.pk, "position_id": pair.position.pk}
    if action == DecisionForm.UNDO:
        if review.match_decision_undo(**ids, actor=request.user):
            messages.success(request, _("The decision was taken back."))
    else:
        status = (
            MatchDecision.Status.SHORTLISTED if action == DecisionForm.SHORTLIST else MatchDecision.Status.DISMISSED
        )
        try:
            review.match_decide(
                **ids,
                status=status,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "excluded":  # a dict of field errors has no code
                # Back where the person clicked (a list row or the explanation), with the rule's reason.
                messages.error(request, " ".join(error.messages))
                default = reverse("matching:explain", kwargs={"candidate": candidate, "position": position})
                return redirect(next_url(request, default=default))
            form.add_error(None, error)
            return _pair_page(request, candidate, position, form=form, status=400)
        if status == MatchDecision.Status.SHORTLISTED:
            messages.success(request, _("%(name)s was shortlisted.") % {"name": pair.candidate.full_name})
        else:
            messages.success(request, _("The match of %(name)s was dismissed.") % {"name": pair.candidate.full_name})
    default = reverse("matching:explain", kwargs={"candidate": candidate, "position": position})
    return redirect(next_url(request, default=default))


@case_worker_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the progress of a run; the fragment polls itself every 2 s while the run is running."""
    run = selectors.run_get_for_user(user=request.user, pk=pk)
    return render(request, "matching/_run_progress.html", {"run": run})


@admin_required
@require_POST
def rescore_all(request: HttpRequest) -> HttpResponse:
    review.rescore_all_request(trigger=MatchRun.Trigger.FULL)
    messages.success(request, _("A full rescore was queued. Its progress appears on the dashboard."))
    return redirect("matching:dashboard")


@audited
@summaries_viewer_required
def employer_position_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """Anonymised summaries of an own open position's matches, if the programme enables them."""
    position = selectors.position_for_summaries(user=request.user, pk=pk)
    enabled = selectors.summaries_enabled()
    if not enabled and not request.user.works_cases:
        return render(request, "matching/employer_not_enabled.html", {"position": position}, status=404)
    config = ScoringConfig.active()
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        target=position,
        summary=gettext_lazy("anonymised match summaries"),
    )
    context = {
        "position": position,
        "summaries": selectors.match_summaries(position=position, limit=config.top_k_per_position),
        "enabled": enabled,
        # Case workers learn whom to ask for consent; employers never learn that anybody is missing.
        "withheld": selectors.summaries_withheld(position=position) if request.user.works_cases else 0,
        "region_minimum": selectors.REGION_MIN_CANDIDATES,
    }
    return render(request, "matching/employer_position_matches.html", context)
