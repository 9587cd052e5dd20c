"""Case workers' pages on introductions: introduce a candidate (from a match or directly), an
introduction with its timeline and the forms that move it on, the filterable list with bulk
actions, the board by stage, and a candidate's introductions with one timeline.

Views are thin: every write goes through `matching.introductions` (the same services as the
employer's pages and the bulk actions), whose ValidationErrors come back as form errors with
status 400 and nothing written. Employer users get a 403, a missing record a 404.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bridges.audit import audited
from bridges.forms import add_service_error
from bridges.http import next_url
from bridges.models import AuditEvent
from bridges.permissions import case_worker_required
from bridges.services import audit_log
from candidates.models import Candidate
from employers.models import Position
from matching import introductions as services
from matching import pipeline, selectors
from matching.forms_introductions import (
    BulkForm,
    ChoosePositionForm,
    FollowUpForm,
    InterviewProposeForm,
    IntroduceForm,
    MoveForm,
    NextStepForm,
    PlacementForm,
    SharingForm,
)
from matching.introduction_filters import BoardFilter, IntroductionFilter
from matching.introduction_queries import (
    board_columns,
    candidate_introductions,
    candidate_measures,
    candidate_timeline,
    consented_employer_ids,
    introduction_list,
    open_introduction_of_pair,
    placement_of,
    sharing_consent_record,
)
from matching.introduction_selectors import introduction_get_for_user, introductions_for_user
from matching.models import FollowUp, Introduction, SharedSection
from matching.pipeline import Stage

PAGE_SIZE = 25
# Service field names → the introduce form's fields.
SHARING_FIELDS = {"shared_sections": "sections", "shared_documents": "documents"}


def consent_url(candidate: Candidate, position: Position) -> str:
    """Where a case worker records the consent an introduction needs; back here afterwards."""
    back = reverse("matching:introduce", kwargs={"candidate": candidate.pk, "position": position.pk})
    query = urlencode({"purpose": "sharing", "employer": position.employer_id, "next": back})
    return f"{reverse('candidates:detail', kwargs={'pk': candidate.pk})}?{query}#consents"


# --- introducing ---------------------------------------------------------------------------------


def _introduce_page(
    request: HttpRequest, candidate: Candidate, position: Position, form: IntroduceForm, status: int = 200
) -> HttpResponse:
    consent = services.sharing_consent(candidate_id=candidate.pk, employer_id=position.employer_id)
    existing = open_introduction_of_pair(candidate_id=candidate.pk, position_id=position.pk)
    context = {
        "candidate": candidate,
        "position": position,
        "form": form,
        "consent": consent,
        "consent_url": consent_url(candidate, position),
        "refusal": services.consent_refusal(candidate, position) if consent is None else "",
        "position_open": position.status == Position.Status.OPEN,
        "existing": existing,
        "existing_label": Stage(existing.stage).label if existing else "",
    }
    return render(request, "matching/introductions/introduce.html", context, status=status)


@audited
@case_worker_required
def introduce(request: HttpRequest, candidate: int, position: int) -> HttpResponse:
    """Introduce a candidate to a position: what to share, a message, the next step."""
    candidate = selectors.candidate_for_review(user=request.user, pk=candidate)
    position = selectors.position_for_review(user=request.user, pk=position)
    if request.method != "POST":
        form = IntroduceForm(candidate=candidate, actor=request.user)
        return _introduce_page(request, candidate, position, form)
    form = IntroduceForm(request.POST, candidate=candidate, actor=request.user)
    if form.is_valid():
        try:
            introduction = form.introduce(candidate=candidate, position=position, actor=request.user)
        except ValidationError as error:
            add_service_error(form, error, aliases=SHARING_FIELDS)
        else:
            messages.success(
                request,
                _("%(name)s was introduced to %(employer)s.")
                % {"name": candidate.full_name, "employer": position.employer.name},
            )
            return redirect(introduction)
    return _introduce_page(request, candidate, position, form, status=400)


@audited
@case_worker_required
def candidate_introduce(request: HttpRequest, pk: int) -> HttpResponse:
    """Introduce a candidate directly: choose an open position, then fill in the introduction."""
    candidate = selectors.candidate_for_review(user=request.user, pk=pk)
    consented = consented_employer_ids(candidate)
    form = ChoosePositionForm(request.GET if "position" in request.GET else None, consented=consented)
    if form.is_bound and form.is_valid():
        return redirect("matching:introduce", candidate=candidate.pk, position=form.cleaned_data["position"].pk)
    context = {"candidate": candidate, "form": form, "consented": bool(consented)}
    return render(request, "matching/introductions/choose_position.html", context, status=400 if form.is_bound else 200)


# --- one introduction ----------------------------------------------------------------------------


def _detail_page(request: HttpRequest, introduction: Introduction, status: int = 200, **bound) -> HttpResponse:
    """The introduction's page; `bound` replaces a form by the one that failed (status 400)."""
    candidate, position = introduction.candidate, introduction.position
    documents = list(candidate.documents.order_by("-uploaded_at", "pk"))
    shared_documents = list(introduction.shared_documents.all())
    placement = placement_of(introduction) if introduction.stage == Stage.PLACED else None
    is_open = introduction.is_open
    forms = {
        "sharing_form": SharingForm(
            candidate=candidate,
            documents=documents,
            initial={"sections": introduction.shared_sections, "documents": [doc.pk for doc in shared_documents]},
        ),
        "move_form": MoveForm(introduction=introduction),
        "next_step_form": NextStepForm(
            initial={
                "next_step": introduction.next_step,
                "due": introduction.next_step_due,
                "case_worker": introduction.case_worker_id,
            }
        ),
        "interview_form": InterviewProposeForm(),
        "placement_form": PlacementForm(
            initial={
                "kind": services.placement_kind_for(position),
                "place": position.where,
                "start_date": timezone.localdate(),
            }
        ),
    }
    failed_follow_up = bound.pop("follow_up_form", None)
    forms.update(bound)
    follow_ups = []
    if placement is not None:
        for follow_up in placement.follow_ups.all():
            form = None
            if not follow_up.outcome:
                if failed_follow_up is not None and failed_follow_up.prefix == _follow_up_prefix(follow_up.pk):
                    form = failed_follow_up
                else:
                    form = FollowUpForm(prefix=_follow_up_prefix(follow_up.pk))
            follow_ups.append((follow_up, form))
    context = {
        "introduction": introduction,
        "candidate": candidate,
        "position": position,
        "is_open": is_open,
        "consent": sharing_consent_record(introduction),
        "shared_sections": [label for value, label in SharedSection.choices if value in introduction.shared_sections],
        "shared_documents": shared_documents,
        "events": list(introduction.events.all()),
        "interviews": list(introduction.interviews.all()),
        "interviews_possible": introduction.stage in services.INTERVIEW_STAGES,
        "can_move": bool(forms["move_form"].targets),
        "at_offer": introduction.stage == Stage.OFFER,
        "placement": placement,
        "follow_ups": follow_ups,
        "openings_left": services.openings_left(position) if introduction.stage == Stage.OFFER else None,
        **forms,
    }
    return render(request, "matching/introductions/detail.html", context, status=status)


def _follow_up_prefix(pk: int) -> str:
    return f"follow-up-{pk}"


def _get(request: HttpRequest, pk: int) -> Introduction:
    return introduction_get_for_user(user=request.user, pk=pk)


@audited
@case_worker_required
def introduction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    introduction = _get(request, pk)
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        target=introduction.candidate,
        summary=gettext_lazy("introduction %(id)s to position %(position)s"),
        params={"id": introduction.pk, "position": introduction.position_id},
    )
    return _detail_page(request, introduction)


def _done(request: HttpRequest, introduction: Introduction, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(introduction)


@audited
@case_worker_required
@require_POST
def introduction_move(request: HttpRequest, pk: int) -> HttpResponse:
    introduction = _get(request, pk)
    form = MoveForm(request.POST, introduction=introduction)
    if form.is_valid():
        to = form.cleaned_data["to"]
        try:
            services.introduction_move(
                introduction=introduction,
                to=to,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _done(
                request, introduction, _("The introduction is now at “%(stage)s”.") % {"stage": Stage(to).label}
            )
    return _detail_page(request, introduction, status=400, move_form=form)


@audited
@case_worker_required
@require_POST
def introduction_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    introduction = _get(request, pk)
    form = SharingForm(request.POST, candidate=introduction.candidate)
    if form.is_valid():
        try:
            services.sharing_set(
                introduction=introduction,
                actor=request.user,
                sections=form.cleaned_data["sections"],
                documents=list(form.cleaned_data["documents"]),
            )
        except ValidationError as error:
            add_service_error(form, error, aliases=SHARING_FIELDS)
        else:
            return _done(request, introduction, _("What the employer sees was changed."))
    return _detail_page(request, introduction, status=400, sharing_form=form)


@audited
@case_worker_required
@require_POST
def introduction_next_step(request: HttpRequest, pk: int) -> HttpResponse:
    introduction = _get(request, pk)
    form = NextStepForm(request.POST)
    if form.is_valid():
        try:
            services.next_step_set(
                introduction=introduction,
                actor=request.user,
                next_step=form.cleaned_data["next_step"],
                due=form.cleaned_data["due"],
                case_worker=form.cleaned_data["case_worker"],
            )
        except ValidationError as error:
            add_service_error(form, error, aliases={"next_step_due": "due"})
        else:
            return _done(request, introduction, _("The next step was saved."))
    return _detail_page(request, introduction, status=400, next_step_form=form)


@audited
@case_worker_required
@require_POST
def introduction_interviews_propose(request: HttpRequest, pk: int) -> HttpResponse:
    introduction = _get(request, pk)
    form = InterviewProposeForm(request.POST)
    if form.is_valid():
        try:
            services.interviews_propose(
                introduction=introduction,
                actor=request.user,
                slots=form.slots(),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_error(form, error, aliases={"starts_at": "starts_at_1"})
        else:
            return _done(request, introduction, _("The interview dates were proposed."))
    return _detail_page(request, introduction, status=400, interview_form=form)


@audited
@case_worker_required
@require_POST
def interview_confirm(request: HttpRequest, pk: int, interview: int) -> HttpResponse:
    introduction = _get(request, pk)
    interview = get_object_or_404(introduction.interviews.all(), pk=interview)
    try:
        services.interview_confirm(interview=interview, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _detail_page(request, introduction, status=400)
    return _done(request, introduction, _("The interview on %(date)s was confirmed.") % {"date": interview})


@audited
@case_worker_required
@require_POST
def introduction_placement(request: HttpRequest, pk: int) -> HttpResponse:
    introduction = _get(request, pk)
    form = PlacementForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.placement_record(
                introduction=introduction,
                actor=request.user,
                kind=data["kind"],
                start_date=data["start_date"],
                place=data["place"],
                fixed_term=data["fixed_term"],
                end_date=data["end_date"],
                comment=data["comment"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _done(request, introduction, _("The placement was recorded."))
    return _detail_page(request, introduction, status=400, placement_form=form)


@audited
@case_worker_required
@require_POST
def follow_up_record(request: HttpRequest, pk: int, follow_up: int) -> HttpResponse:
    introduction = _get(request, pk)
    follow_up = get_object_or_404(FollowUp, pk=follow_up, placement__introduction=introduction)
    form = FollowUpForm(request.POST, prefix=_follow_up_prefix(follow_up.pk))
    if form.is_valid():
        try:
            services.follow_up_record(
                follow_up=follow_up,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _done(request, introduction, _("The follow-up was recorded."))
    return _detail_page(request, introduction, status=400, follow_up_form=form)


# --- the list ------------------------------------------------------------------------------------

LIST_ROW_FIELDS = (
    "stage",
    "close_reason",
    "next_step",
    "next_step_due",
    "case_worker__first_name",
    "case_worker__last_name",
    "case_worker__email",
    *Candidate.name_fields("candidate"),
    "position__title",
    "position__location",
    "position__postal_code",
    "position__country",
    "position__employer__name",
    "position__place__name",
    "position__region__name_de",
    "position__region__name_en",
    "position__region__name_ar",
)


@audited
@case_worker_required
def introduction_list_page(request: HttpRequest) -> HttpResponse:
    queryset = introduction_list(user=request.user)
    # The rows with what they show: reading and building the candidates', positions' and case
    # workers' other columns took half of the list's query (58 → 28 ms on the load test's
    # database); the bulk form's choices read the whole rows.
    rows = queryset.only(*LIST_ROW_FIELDS)
    filterset = IntroductionFilter(request.GET, queryset=rows, user=request.user)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "bulk_form": BulkForm(queryset=queryset.none()),
        "today": timezone.localdate(),
    }
    return render(request, "matching/introductions/list.html", context)


def _summary(done: int, refused: list[tuple[Introduction, str]], done_text: str) -> str:
    parts = [done_text % {"count": done}]
    if refused:
        reasons = "; ".join(f"{introduction.candidate.full_name}: {why}" for introduction, why in refused)
        parts.append(_("%(count)s refused (%(reasons)s).") % {"count": len(refused), "reasons": reasons})
    return " ".join(parts)


@audited
@case_worker_required
@require_POST
def introductions_bulk(request: HttpRequest) -> HttpResponse:
    """Close or assign the checked introductions; the message says how many and why any was refused."""
    back = next_url(request, default=reverse("matching:introductions"))
    form = BulkForm(request.POST, queryset=introduction_list(user=request.user))
    if not form.is_valid():
        errors = [str(message) for messages_ in form.errors.values() for message in messages_]
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": " ".join(errors)})
        return redirect(back)
    data = form.cleaned_data
    chosen = list(data["introductions"])
    if data["action"] == BulkForm.CLOSE:
        result = services.introductions_close(
            introductions=chosen, actor=request.user, reason=data["reason"], comment=data["comment"]
        )
        text = _summary(len(result.moved), result.refused, _("%(count)s closed."))
    else:
        done, refused = 0, []
        for introduction in chosen:
            if not introduction.is_open:
                refused.append((introduction, _("This introduction is closed.")))
                continue
            try:
                done += services.introductions_assign(
                    introductions=[introduction], actor=request.user, case_worker=data["case_worker"]
                )
            except ValidationError as error:
                refused.append((introduction, " ".join(error.messages)))
        text = _summary(done, refused, _("%(count)s assigned."))
    messages.success(request, text)
    return redirect(back)


# --- the board -----------------------------------------------------------------------------------

BOARD_FILTERS = ("case_worker", "location")


def _board_filters(data: QueryDict) -> QueryDict:
    """Only the board's own filters (what a card's form sends back to re-render the same board)."""
    kept = QueryDict(mutable=True)
    for name in BOARD_FILTERS:
        if data.get(name):
            kept[name] = data[name]
    return kept


def _card_choices(introduction: Introduction) -> None:
    """The moves a card offers (no queries): the table's targets for case workers, except "placed"
    (recorded with the placement on the introduction's page), and the reasons of closing stages."""
    targets = [to for to in pipeline.allowed(introduction.stage, actor=pipeline.STAFF) if to != Stage.PLACED]
    introduction.targets = [(to, Stage(to).label) for to in targets]
    introduction.reason_groups = [
        (Stage(to).label, pipeline.reason_choices(to)) for to in targets if pipeline.reasons_for(to)
    ]


def _board_page(
    request: HttpRequest,
    filters: QueryDict,
    *,
    status: int = 200,
    error: str = "",
    error_pk: int | None = None,
    moved: int | None = None,
    notice: str = "",
) -> HttpResponse:
    queryset = introductions_for_user(user=request.user).select_related("position__place", "position__region")
    filterset = BoardFilter(filters, queryset=queryset, user=request.user)
    columns = board_columns(filterset.qs)
    for column in columns:
        for card in column.cards:
            _card_choices(card)
    context = {
        "filter": filterset,
        "columns": columns,
        "filters": filters.urlencode(),
        "today": timezone.localdate(),
        "error": error,
        "error_pk": error_pk,
        "moved": moved,
        "notice": notice,
        "limit_reached": any(column.total > len(column.cards) for column in columns),
    }
    template = "matching/introductions/_board.html" if request.htmx else "matching/introductions/board.html"
    return render(request, template, context, status=status)


@audited
@case_worker_required
def board(request: HttpRequest) -> HttpResponse:
    return _board_page(request, _board_filters(request.GET))


@audited
@case_worker_required
@require_POST
def board_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a card: the same service as the introduction's form. With htmx the board comes back
    (the whole board, so counts and columns stay right); without JS a redirect to it."""
    introduction = _get(request, pk)
    filters = _board_filters(QueryDict(request.POST.get("filters", "")))
    form = MoveForm(request.POST, introduction=introduction)
    if form.is_valid():
        to = form.cleaned_data["to"]
        try:
            services.introduction_move(
                introduction=introduction,
                to=to,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            text = _("%(name)s: now at “%(stage)s”.") % {
                "name": introduction.candidate.full_name,
                "stage": Stage(to).label,
            }
            if request.htmx:
                return _board_page(request, filters, moved=introduction.pk, notice=text)
            messages.success(request, text)
            url = reverse("matching:board")
            return redirect(f"{url}?{filters.urlencode()}" if filters else url)
    error = _("%(name)s was not moved: %(errors)s") % {
        "name": introduction.candidate.full_name,
        "errors": " ".join(str(message) for messages_ in form.errors.values() for message in messages_),
    }
    # htmx swaps only successful answers: the board with the error comes back as 200 to htmx.
    return _board_page(request, filters, status=200 if request.htmx else 400, error=error, error_pk=introduction.pk)


# --- a candidate's introductions -----------------------------------------------------------------


@audited
@case_worker_required
def candidate_introductions_page(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_for_review(user=request.user, pk=pk)
    introductions = candidate_introductions(user=request.user, candidate=candidate)
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        target=candidate,
        summary=gettext_lazy("introductions and timeline"),
    )
    placed = [introduction for introduction in introductions if _placed(introduction)]
    context = {
        "candidate": candidate,
        "introductions": introductions,
        "placed": placed,
        "timeline": candidate_timeline(introductions, candidate_measures(candidate)),
    }
    return render(request, "matching/introductions/candidate.html", context)


def _placed(introduction: Introduction) -> bool:
    try:
        return introduction.placement is not None
    except Introduction.placement.RelatedObjectDoesNotExist:
        return False
