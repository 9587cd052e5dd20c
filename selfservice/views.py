"""The candidate's own view: their profile, consents, introductions and data (issue #16).

Every page is for the logged-in candidate alone and shows only their own records (anything else is a
404); every page and action is in the audit trail with the candidate's login as the actor.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bridges.audit import audited_response
from candidates import portal
from candidates.models import CandidateRequest, Consent
from candidates.views_privacy import export_json_response
from matching.explain import pair_explanation
from matching.models import Interview, Introduction, Match
from matching.pipeline import Stage
from selfservice.forms import CorrectionForm, ErasureRequestForm, WelcomeForm
from selfservice.words import STAGE_WORDS, profile_sections, reasons

CANDIDATE = "candidates.candidate"


def candidate_view(view: Callable) -> Callable:
    """The logged-in candidate's own page: `request.candidate` is their record; any other user gets a
    404 (these pages do not exist for them). A page that writes no entry of its own is recorded as viewed."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.candidate = portal.candidate_for_user(request.user)
        return audited_response(
            request,
            lambda: view(request, *args, **kwargs),
            target=lambda: (CANDIDATE, str(request.candidate.pk)),
        )

    wrapper.audited = True
    return wrapper


def _language_cookie(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


# --- the invitation ---------------------------------------------------------------------------------


@login_not_required
@never_cache
def welcome(request: HttpRequest, code: str = "") -> HttpResponse:
    """Accept an invitation: the code from the e-mail's link or typed from paper, and a password."""
    if request.user.is_authenticated:
        return redirect(request.user.get_start_url())
    invitation = portal.invitation_for_code(code) if code else None
    if code and invitation is None:
        return render(request, "selfservice/welcome_invalid.html", status=404)
    if invitation is not None and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        # The link of an invitation opens in the invitation's language (until the switch says otherwise).
        translation.activate(invitation.language)
        request.LANGUAGE_CODE = invitation.language
        return _language_cookie(_welcome(request, invitation), invitation.language)
    return _welcome(request, invitation)


def _welcome(request: HttpRequest, invitation) -> HttpResponse:
    form = WelcomeForm(request.POST or None, code_known=invitation is not None)
    if request.method == "POST" and form.is_valid():
        if invitation is None:
            invitation = portal.invitation_for_code(form.cleaned_data["code"])
            if invitation is None:
                if not ratelimit.consume(request, action="portal_code"):
                    return ratelimit.respond_429(request)
                form.add_error("code", _("This code is not valid (any more). Ask your case worker for a new one."))
        if invitation is not None:
            try:
                user = portal.invitation_accept(
                    invitation=invitation, password=form.cleaned_data["password1"], login=portal.login_for(invitation)
                )
            except ValidationError as error:
                # A refused password is the field's error; a code that cannot be used is the form's.
                form.add_error(None if getattr(error, "code", None) in ("used", "taken") else "password1", error)
            else:
                login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
                messages.success(request, _("Welcome! Your password is set."))
                response = redirect("me:home")
                return _language_cookie(response, user.language)
    login_name = portal.login_for(invitation) if invitation is not None else ""
    context = {
        "form": form,
        "invitation": invitation,
        "login_name": login_name if invitation is not None and not portal.is_login_name(login_name) else "",
        "printed_login": invitation is not None and portal.is_login_name(login_name),
    }
    return render(request, "selfservice/welcome.html", context)


# --- the profile ----------------------------------------------------------------------------------


def _home_context(request: HttpRequest, correction_form: CorrectionForm | None = None) -> dict:
    candidate = request.candidate
    return {
        "candidate": candidate,
        "sections": profile_sections(candidate),
        "documents": candidate.documents.order_by("uploaded_at"),
        "correction_form": correction_form or CorrectionForm(),
        "open_requests": candidate.requests.filter(done_at__isnull=True),
        "login_name": request.user.email if portal.is_login_name(request.user.email) else "",
    }


@candidate_view
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "selfservice/home.html", _home_context(request))


@candidate_view
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    portal.profile_confirm(candidate=request.candidate, actor=request.user)
    messages.success(request, _("Thank you: your profile counts as up to date."))
    return redirect("me:home")


def _request_sent(request: HttpRequest, form, kind: str) -> bool:
    """Send the person's request written in `form` to the case worker; False, with the reason on
    the form, when the form or the service refuses it."""
    if not form.is_valid():
        return False
    try:
        portal.request_send(candidate=request.candidate, kind=kind, text=form.cleaned_data["text"], actor=request.user)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


@candidate_view
@require_POST
def correction(request: HttpRequest) -> HttpResponse:
    form = CorrectionForm(request.POST)
    if _request_sent(request, form, CandidateRequest.Kind.CORRECTION):
        messages.success(request, _("Sent. Your case worker will change the profile."))
        return redirect("me:home")
    return render(request, "selfservice/home.html", _home_context(request, form), status=400)


# --- consents -------------------------------------------------------------------------------------


@candidate_view
def consents(request: HttpRequest) -> HttpResponse:
    candidate = request.candidate
    rows = candidate.consents.select_related("employer").order_by("withdrawn_at", "-given_at")
    asked = set(
        candidate.requests.filter(done_at__isnull=True, kind=CandidateRequest.Kind.CONSENT).values_list(
            "consent_id", flat=True
        )
    )
    return render(request, "selfservice/consents.html", {"consents": rows, "asked": asked})


@candidate_view
@require_POST
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    consent = portal.own_consent_withdraw(candidate=request.candidate, consent_id=pk, actor=request.user)
    if consent.recipient:
        text = _("Withdrawn: %(employer)s no longer sees your profile.") % {"employer": consent.recipient}
    else:
        text = _("Withdrawn: %(purpose)s.") % {"purpose": consent.get_purpose_display()}
    messages.success(request, text)
    return redirect("me:consents")


@candidate_view
@require_POST
def consent_request(request: HttpRequest, pk: int) -> HttpResponse:
    consent = get_object_or_404(Consent, candidate=request.candidate, pk=pk)
    try:
        portal.request_send(
            candidate=request.candidate,
            kind=CandidateRequest.Kind.CONSENT,
            text="",
            consent=consent,
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Sent. Your case worker will talk to you about the new consent."))
    return redirect("me:consents")


# --- introductions ----------------------------------------------------------------------------------


def _own_introductions(candidate):
    return (
        Introduction.objects.filter(candidate=candidate)
        .select_related("position__employer", "position__place", "position__region")
        .order_by("-created_at")
    )


@candidate_view
def introductions(request: HttpRequest) -> HttpResponse:
    rows = [(row, STAGE_WORDS[Stage(row.stage)]) for row in _own_introductions(request.candidate)]
    return render(request, "selfservice/introductions.html", {"rows": rows})


@candidate_view
def introduction(request: HttpRequest, pk: int) -> HttpResponse:
    row = _own_introductions(request.candidate).filter(pk=pk).first()
    if row is None:
        raise Http404
    match = (
        Match.objects.filter(candidate=request.candidate, position=row.position).select_related("run__config").first()
    )
    explanation = pair_explanation(candidate_id=request.candidate.pk, position_id=row.position_id, match=match)
    context = {
        "introduction": row,
        "stage_words": STAGE_WORDS[Stage(row.stage)],
        # The dates the case worker confirmed with the company; proposed ones are theirs to agree.
        "interviews": row.interviews.filter(status=Interview.Status.CONFIRMED).order_by("starts_at"),
        "explanation": explanation,
        "reasons": reasons(explanation),
    }
    return render(request, "selfservice/introduction.html", context)


@candidate_view
def how_matching_works(request: HttpRequest) -> HttpResponse:
    return render(request, "selfservice/how.html")


# --- the own data ---------------------------------------------------------------------------------


def _data_context(request: HttpRequest, form: ErasureRequestForm | None = None) -> dict:
    erasure_asked = request.candidate.requests.filter(done_at__isnull=True, kind=CandidateRequest.Kind.ERASURE)
    return {"form": form or ErasureRequestForm(), "erasure_asked": erasure_asked.first()}


@candidate_view
def data(request: HttpRequest) -> HttpResponse:
    return render(request, "selfservice/data.html", _data_context(request))


@candidate_view
@never_cache
def export(request: HttpRequest) -> HttpResponse:
    """The data-subject export (GDPR Art. 15/20) the case worker can give, downloaded by the person."""
    return export_json_response(request, request.candidate, filename="bridges-my-data.json")


@candidate_view
@require_POST
def erasure(request: HttpRequest) -> HttpResponse:
    form = ErasureRequestForm(request.POST)
    if _request_sent(request, form, CandidateRequest.Kind.ERASURE):
        messages.success(request, _("Sent. Your case worker will erase your data and tell you when it is done."))
        return redirect("me:data")
    return render(request, "selfservice/data.html", _data_context(request, form), status=400)
