"""The employer's side of introductions (Vermittlungsvorschläge): the candidates the programme
proposed for the organisation's positions, the shared profile with its documents, and the
employer's answers (interested, an offer, declined with a reason, interview dates).

Employer users only: case workers and admins have their own pages (a 403 here). Every lookup
goes through `matching.introduction_selectors`: another organisation's introduction is a 404,
and so is the shared profile of an introduction that is closed or whose consent was withdrawn,
checked at every request. Every view of the shared profile and every download is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from bridges.audit import audited
from bridges.forms import add_service_error
from bridges.models import AuditEvent
from bridges.permissions import employer_required
from bridges.services import audit_log
from candidates import documents
from matching import employer_introduction_selectors as selectors
from matching import pipeline
from matching.forms_employer import (
    AnswerForm,
    DeclineForm,
    InterviewProposalForm,
    IntroductionFilterForm,
    SlotFormSet,
)
from matching.introduction_selectors import (
    shared_candidate,
    shared_document_for_employer,
    shared_introduction_for_employer,
)
from matching.introductions import INTERVIEW_STAGES, interviews_propose, introduction_move
from matching.models import Introduction
from matching.pipeline import Stage

PAGE_SIZE = 25

# The answer forms of the detail page, by prefix (their fields must not share ids on one page).
INTERESTED, OFFER, DECLINE, INTERVIEW = "interested", "offer", "decline", "interview"


# --- the list -------------------------------------------------------------------------------------


@audited
@employer_required
@require_GET
def introduction_list(request: HttpRequest) -> HttpResponse:
    form = IntroductionFilterForm(request.GET or None, positions=selectors.own_positions(user=request.user))
    queryset = selectors.employer_introductions(user=request.user, **form.filters())
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.label_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    # The shared filtered-table template reads the form as filter.form.
    context = {"filter": {"form": form}, "page": page, "query": query.urlencode()}
    return render(request, "matching/proposals/list.html", context)


# --- the shared profile ---------------------------------------------------------------------------


@audited
@employer_required
@require_GET
def introduction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    introduction = shared_introduction_for_employer(user=request.user, pk=pk)
    return _detail_page(request, introduction)


def _answer_forms(introduction: Introduction) -> dict:
    """The unbound answer forms the introduction's stage allows the employer (pipeline.allowed)."""
    allowed = pipeline.allowed(introduction.stage, actor=pipeline.EMPLOYER)
    forms = {}
    if Stage.INTERESTED in allowed:
        forms[INTERESTED] = AnswerForm(prefix=INTERESTED)
    if introduction.stage in INTERVIEW_STAGES:
        forms[INTERVIEW] = InterviewProposalForm(prefix=INTERVIEW)
        forms["slots"] = SlotFormSet(prefix="slots")
    if Stage.OFFER in allowed:
        forms[OFFER] = AnswerForm(prefix=OFFER)
    if Stage.DECLINED in allowed:
        forms[DECLINE] = DeclineForm(prefix=DECLINE)
    return forms


def _detail_page(request: HttpRequest, introduction: Introduction, bound: dict | None = None) -> HttpResponse:
    candidate = shared_candidate(introduction)
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        target=candidate,
        summary=gettext_lazy("shared profile seen by the employer: introduction to %(position)s"),
        params={"position": introduction.position.title},
    )
    forms = _answer_forms(introduction)
    forms.update(bound or {})
    context = {
        "introduction": introduction,
        "candidate": candidate,
        "position": introduction.position,
        "shares": set(introduction.shared_sections),
        "documents": introduction.shared_documents.order_by("kind", "title", "pk"),
        "interviews": list(introduction.interviews.all()),
        "timeline": selectors.employer_timeline(introduction),
        "forms": forms,
    }
    return render(request, "matching/proposals/detail.html", context, status=400 if bound else 200)


@audited
@employer_required
@require_GET
def document_download(request: HttpRequest, pk: int, doc: int) -> FileResponse:
    document = shared_document_for_employer(user=request.user, pk=pk, doc=doc)
    try:
        handle = documents.document_open(document=document, actor=request.user)
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Personal data: no copy in shared or browser caches.
    response["Cache-Control"] = "private, no-store"
    return response


# --- the employer's answers -------------------------------------------------------------------------


def _not_recorded(request: HttpRequest, introduction: Introduction, bound: dict) -> HttpResponse:
    messages.error(request, _("Your answer was not recorded. Please check the form below."))
    return _detail_page(request, introduction, bound)


def _move(request: HttpRequest, pk: int, *, to: str, prefix: str, form_class: type[BaseForm]) -> HttpResponse | None:
    """Move the introduction as the employer answered; None when done, else the page with the errors (400)."""
    introduction = shared_introduction_for_employer(user=request.user, pk=pk)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            introduction_move(
                introduction=introduction,
                to=to,
                actor=request.user,
                reason=form.cleaned_data.get("reason", ""),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return None
    return _not_recorded(request, introduction, {prefix: form})


@audited
@employer_required
@require_POST
def answer_interested(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _move(request, pk, to=Stage.INTERESTED, prefix=INTERESTED, form_class=AnswerForm)
    if refused:
        return refused
    messages.success(request, _("Thank you: the programme knows you are interested and will get in touch."))
    return redirect("proposals:detail", pk=pk)


@audited
@employer_required
@require_POST
def answer_offer(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _move(request, pk, to=Stage.OFFER, prefix=OFFER, form_class=AnswerForm)
    if refused:
        return refused
    messages.success(request, _("Your offer has been recorded. The programme will get in touch."))
    return redirect("proposals:detail", pk=pk)


@audited
@employer_required
@require_POST
def answer_decline(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _move(request, pk, to=Stage.DECLINED, prefix=DECLINE, form_class=DeclineForm)
    if refused:
        return refused
    # Declined is closed: the shared profile is gone, so back to the list.
    messages.success(request, _("Your decline has been recorded. Thank you for your answer."))
    return redirect(reverse("proposals:list") + "?stage=all")


@audited
@employer_required
@require_POST
def answer_interviews(request: HttpRequest, pk: int) -> HttpResponse:
    introduction = shared_introduction_for_employer(user=request.user, pk=pk)
    form = InterviewProposalForm(request.POST, prefix=INTERVIEW)
    slots = SlotFormSet(request.POST, prefix="slots")
    if form.is_valid() & slots.is_valid():
        try:
            interviews_propose(
                introduction=introduction,
                actor=request.user,
                slots=slots.slots(),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your interview dates have been sent. The programme will confirm one of them."))
            return redirect("proposals:detail", pk=pk)
    return _not_recorded(request, introduction, {INTERVIEW: form, "slots": slots})
