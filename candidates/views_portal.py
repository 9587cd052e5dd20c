"""The case worker's side of the candidate's own view: the invitation (an e-mail, or a code printed
for someone without e-mail) and the requests a candidate sends (correction, new consent, erasure)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bridges.audit import audited
from bridges.permissions import case_worker_required
from candidates import portal
from candidates.forms import PortalInviteForm
from candidates.models import PortalInvitation
from candidates.selectors import candidate_get_for_user


@audited
@case_worker_required
@require_POST
@never_cache
def portal_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite by e-mail (back to the candidate page), or show the printed code once (a sheet to print)."""
    candidate = candidate_get_for_user(user=request.user, pk=pk)
    form = PortalInviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The invitation was not made. Please choose how and in which language."))
        return redirect(candidate.section_url("portal"))
    channel, language = form.cleaned_data["channel"], form.cleaned_data["language"]
    try:
        invitation, code = portal.invitation_create(
            candidate=candidate, channel=channel, language=language, actor=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(candidate.section_url("portal"))
    if channel == PortalInvitation.Channel.EMAIL:
        messages.success(request, _("The invitation was sent to %(email)s.") % {"email": invitation.email})
        return redirect(candidate.section_url("portal"))
    # The sheet for the candidate, in their language; the code is shown this once.
    with translation.override(language):
        sheet = {
            "code": portal.code_display(code),
            "welcome_url": request.build_absolute_uri(reverse("me:welcome")),
            "expires_at": invitation.expires_at,
            "language": language,
            "bidi": translation.get_language_bidi(),
        }
        sheet_html = render_to_string("candidates/_portal_sheet.html", sheet, request=request)
    return render(request, "candidates/portal_code.html", {"candidate": candidate, "sheet": sheet_html, **sheet})


@audited
@case_worker_required
@require_POST
def portal_request_done(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    candidate = candidate_get_for_user(user=request.user, pk=pk)
    row = get_object_or_404(candidate.requests, pk=request_id)
    portal.request_done(request=row, actor=request.user)
    messages.success(request, _("Marked as done: %(request)s.") % {"request": row.get_kind_display()})
    return redirect(candidate.section_url("portal"))
