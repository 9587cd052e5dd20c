"""Employer pages: the dashboard, the organisation's profile, colleagues and positions.

The profile, regions, contacts and position pages are shared with case workers and
admins, who reach a company through the paths under companies/<employer>/. Every
record is looked up through the selectors, scoped to the user: another
organisation's record is a 404, whatever id the URL or the form carries.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from bridges.forms import add_service_error
from bridges.http import next_url
from bridges.models import Occupation, Role
from bridges.permissions import employer_required, role_required
from bridges.widgets import valid_values
from employers import selectors, services
from employers.adapters import INVITATION_SESSION_KEY
from employers.forms import (
    ContactPersonFormSet,
    EmployerForm,
    EngagementRegionFormSet,
    InvitationForm,
    LanguageRequirementFormSet,
    PositionForm,
)
from employers.models import Employer, Position

# The buttons of a position's status changes, by the status they lead to.
STATUS_ACTIONS = {
    Position.Status.OPEN: gettext_lazy("Publish"),
    Position.Status.PAUSED: gettext_lazy("Pause"),
    Position.Status.FILLED: gettext_lazy("Mark as filled"),
    Position.Status.CLOSED: gettext_lazy("Close"),
}


# --- helpers --------------------------------------------------------------------------


def _company(request: HttpRequest, employer_pk: int | None) -> Employer | None:
    """The company a shared page works on.

    Without an id in the URL it is the employer user's own organisation (None while
    they have not registered one); with an id, case workers and admins may open any
    company and employer users only their own.
    """
    if employer_pk is None:
        if not request.user.is_employer:
            raise PermissionDenied
        return selectors.employer_for_user(user=request.user)
    return selectors.employer_get_for_user(user=request.user, pk=employer_pk)


def _register_first(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Please register your company first."))
    return redirect("employers:dashboard")


def _company_links(request: HttpRequest, employer: Employer) -> dict[str, str]:
    """Where the shared pages of a company are, for the user who looks at them."""
    if request.user.works_cases:
        return {
            "home": employer.get_absolute_url(),
            "profile": reverse("employers:staff_profile", kwargs={"employer": employer.pk}),
            "regions": reverse("employers:staff_regions", kwargs={"employer": employer.pk}),
            "contacts": reverse("employers:staff_contacts", kwargs={"employer": employer.pk}),
            "position_create": reverse("employers:staff_position_create", kwargs={"employer": employer.pk}),
            "positions": employer.get_absolute_url(),
        }
    return {
        "home": reverse("employers:dashboard"),
        "profile": reverse("employers:profile"),
        "regions": reverse("employers:regions"),
        "contacts": reverse("employers:contacts"),
        "position_create": reverse("employers:position_create"),
        "positions": reverse("employers:positions"),
    }


# --- dashboard and registration -------------------------------------------------------


@employer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    employer = selectors.employer_for_user(user=request.user)
    positions = list(selectors.positions_visible_to(user=request.user)) if employer else []
    counts = Counter(position.status for position in positions)
    context = {
        "employer": employer,
        "positions": positions,
        "status_counts": [(label, counts[value]) for value, label in Position.Status.choices],
        "links": _company_links(request, employer) if employer else {},
    }
    return render(request, "employers/dashboard.html", context)


@employer_required
def employer_register(request: HttpRequest) -> HttpResponse:
    if selectors.employer_for_user(user=request.user) is not None:
        messages.info(request, _("You belong to a company already."))
        return redirect("employers:dashboard")
    form = EmployerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.employer_register(employer=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Thank you – the programme will review your company; positions become public after approval."),
            )
            return redirect("employers:dashboard")
    return render(request, "employers/register.html", {"form": form})


# --- the company's profile, regions and contacts (shared with case workers) -------------


def _edit_company(request: HttpRequest, employer_pk: int | None, section: str) -> HttpResponse:
    employer = _company(request, employer_pk)
    if employer is None:
        return _register_first(request)
    name = employer.name  # the form may change the instance before it is valid
    data = request.POST if request.method == "POST" else None
    form = formset = None
    if section == "profile":
        form = EmployerForm(data, instance=employer)
    elif section == "regions":
        formset = EngagementRegionFormSet(data, instance=employer, prefix="regions")
    else:
        formset = ContactPersonFormSet(data, instance=employer, prefix="contacts")
    if request.method == "POST" and (form is None or form.is_valid()) & (formset is None or formset.is_valid()):
        try:
            services.employer_update(
                employer=form.save(commit=False) if form else employer,
                actor=request.user,
                formsets=[formset] if formset else [],
            )
        except ValidationError as error:
            if form:
                add_service_error(form, error)
            else:
                messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The changes to %(name)s were saved.") % {"name": employer.name})
            return redirect(_company_links(request, employer)["home"])
    context = {
        "employer": employer,
        "employer_name": name,
        "form": form,
        "formset": formset,
        "section": section,
        "links": _company_links(request, employer),
    }
    return render(request, f"employers/{section}_form.html", context)


def profile_edit(request: HttpRequest, employer: int | None = None) -> HttpResponse:
    return _edit_company(request, employer, "profile")


def regions_edit(request: HttpRequest, employer: int | None = None) -> HttpResponse:
    return _edit_company(request, employer, "regions")


def contacts_edit(request: HttpRequest, employer: int | None = None) -> HttpResponse:
    return _edit_company(request, employer, "contacts")


# --- colleagues and invitations ---------------------------------------------------------


@employer_required
def colleagues(request: HttpRequest) -> HttpResponse:
    employer = selectors.employer_for_user(user=request.user)
    if employer is None:
        return _register_first(request)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            services.invitation_send(employer=employer, email=email, actor=request.user, request=request)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("An invitation was sent to %(email)s.") % {"email": email})
            return redirect("employers:colleagues")
    context = {
        "employer": employer,
        "members": selectors.employer_colleagues(employer=employer),
        "invitations": selectors.employer_open_invitations(employer=employer),
        "form": form,
    }
    return render(request, "employers/colleagues.html", context)


def _invitation_refused(request: HttpRequest, invitation, message: str, status: int = 400) -> HttpResponse:
    return render(request, "employers/invitation.html", {"invitation": invitation, "message": message}, status=status)


@login_not_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation: sign up (or log in) and join the inviting company."""
    invitation = selectors.invitation_get_by_token(token=token)
    if invitation.accepted_at is not None:
        return _invitation_refused(request, invitation, _("This invitation has been used already."))
    if not invitation.is_open:
        return _invitation_refused(
            request, invitation, _("This invitation has expired. Please ask your colleague for a new one.")
        )
    user = request.user
    if not user.is_authenticated:
        if selectors.invitation_has_account(invitation=invitation):
            messages.info(request, _("Please log in to accept the invitation."))
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        request.session[INVITATION_SESSION_KEY] = invitation.token
        # The address is proven by the link in the e-mail: allauth prefills the
        # sign-up form with it and needs no second verification.
        get_adapter(request).stash_verified_email(request, invitation.email)
        return redirect("account_signup")
    if not user.is_employer:
        return _invitation_refused(request, invitation, _("A programme account cannot join a company."), status=403)
    if user.email.lower() != invitation.email.lower():
        return _invitation_refused(
            request,
            invitation,
            _("This invitation was sent to another e-mail address. Please log in with that address to accept it."),
        )
    employer = selectors.employer_for_user(user=user)
    if employer is not None:
        return _invitation_refused(
            request, invitation, _("You belong to a company already and cannot join another one.")
        )
    try:
        services.invitation_accept(invitation=invitation, user=user)
    except ValidationError as error:
        return _invitation_refused(request, invitation, " ".join(error.messages))
    messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.employer.name})
    return redirect("employers:dashboard")


# --- positions ------------------------------------------------------------------------------


@employer_required
def position_list(request: HttpRequest) -> HttpResponse:
    employer = selectors.employer_for_user(user=request.user)
    if employer is None:
        return _register_first(request)
    positions = selectors.positions_visible_to(user=request.user)
    return render(request, "employers/position_list.html", {"employer": employer, "positions": positions})


def _position_form_page(request: HttpRequest, position: Position, *, new: bool) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    skills_url = reverse("employers:position_skills_prefill") if new else ""
    form = PositionForm(data, instance=position, skills_url=skills_url)
    languages = LanguageRequirementFormSet(data, instance=position, prefix="languages")
    if request.method == "POST" and form.is_valid() & languages.is_valid():
        position = form.save(commit=False)
        try:
            services.position_save(position=position, actor=request.user, skills=form.skills(), formsets=[languages])
        except ValidationError as error:
            if new:
                position.pk = None  # the transaction was rolled back
            add_service_error(form, error)
        else:
            if new:
                messages.success(
                    request, _("The position “%(title)s” was saved as a draft.") % {"title": position.title}
                )
            else:
                messages.success(request, _("The position “%(title)s” was saved.") % {"title": position.title})
            return redirect("employers:position_detail", pk=position.pk)
    context = {
        "form": form,
        "language_formset": languages,
        "position": position,
        "employer": position.employer,
        "new": new,
        "links": _company_links(request, position.employer),
    }
    return render(request, "employers/position_form.html", context)


def position_create(request: HttpRequest, employer: int | None = None) -> HttpResponse:
    company = _company(request, employer)
    if company is None:
        return _register_first(request)
    # The organisation comes from the membership or the URL, never from the form.
    return _position_form_page(request, Position(employer=company), new=True)


def position_edit(request: HttpRequest, pk: int) -> HttpResponse:
    position = selectors.position_get_for_user(user=request.user, pk=pk)
    return _position_form_page(request, position, new=False)


def position_detail(request: HttpRequest, pk: int) -> HttpResponse:
    position = selectors.position_get_for_user(user=request.user, pk=pk)
    context = {
        "position": position,
        "employer": position.employer,
        "essential_skills": [r.skill for r in position.skill_requirements.all() if r.relation_type == "essential"],
        "optional_skills": [r.skill for r in position.skill_requirements.all() if r.relation_type == "optional"],
        "status_actions": _status_actions(position),
        "links": _company_links(request, position.employer),
    }
    return render(request, "employers/position_detail.html", context)


def _status_actions(position: Position) -> list[tuple[str, str]]:
    """(status, button label) of the changes the position's status allows."""
    allowed = services.ALLOWED_TRANSITIONS[Position.Status(position.status)]
    actions = []
    for status, label in STATUS_ACTIONS.items():
        if status in allowed:
            if status == Position.Status.OPEN and position.status != Position.Status.DRAFT:
                label = _("Reopen")
            actions.append((status.value, str(label)))
    return actions


def position_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    position = selectors.position_get_for_user(user=request.user, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        copy = services.position_duplicate(position=position, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("employers:position_detail", pk=position.pk)
    messages.success(request, _("A copy was made as a draft. Check it and publish it when it is ready."))
    return redirect("employers:position_edit", pk=copy.pk)


def position_status(request: HttpRequest, pk: int) -> HttpResponse:
    position = selectors.position_get_for_user(user=request.user, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    status = request.POST.get("status", "")
    if status not in STATUS_ACTIONS:
        messages.error(request, _("Please choose a valid status."))
    else:
        try:
            services.position_set_status(position=position, status=status, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The position “%(title)s” is now “%(status)s”.")
                % {"title": position.title, "status": Position.Status(status).label},
            )
    return redirect(next_url(request, default=reverse("employers:position_detail", kwargs={"pk": position.pk})))


@require_GET
@role_required(Role.EMPLOYER, Role.CASE_WORKER, Role.ADMIN)
def position_skills_prefill(request: HttpRequest) -> HttpResponse:
    """htmx: the skill fields of the position form, prefilled with the chosen occupation's ESCO skills."""
    occupation_ids = valid_values(Occupation._meta.pk, [request.GET.get("occupation", "")])
    # The taxonomy is the same for everyone and holds no personal data: nothing to scope.
    occupation = Occupation.objects.filter(pk__in=occupation_ids).first()
    skills = services.skills_for_occupation(occupation=occupation) if occupation else []
    form = PositionForm(
        initial={
            "essential_skills": [skill_id for skill_id, relation in skills if relation == "essential"],
            "optional_skills": [skill_id for skill_id, relation in skills if relation == "optional"],
        }
    )
    return render(request, "employers/_position_skills.html", {"form": form})
