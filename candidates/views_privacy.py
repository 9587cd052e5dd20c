"""Data-subject rights on the candidate page: the export (GDPR Art. 15/20) as a printable page and
as JSON, and the erasure (Art. 17) with its confirmation. Case workers and admins only; for
everyone else these pages do not exist (404)."""

from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from bridges.audit import audited
from bridges.models import AuditEvent, Role
from bridges.permissions import role_required
from bridges.services import audit_log
from candidates import privacy
from candidates.forms import ErasureForm
from candidates.selectors import candidate_get_for_user

privacy_staff_required = role_required(Role.CASE_WORKER, Role.ADMIN, hidden=True)


def _audit_export(request: HttpRequest, candidate, kind: str) -> None:
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        target=candidate,
        summary=gettext_lazy("data-subject export (%(format)s)"),
        params={"format": kind},
    )


@audited
@privacy_staff_required
@never_cache
def candidate_privacy_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The candidate's complete data as a readable page that prints well."""
    candidate = candidate_get_for_user(user=request.user, pk=pk)
    data = privacy.subject_export(candidate)
    _audit_export(request, candidate, "HTML")
    context = {
        "candidate": candidate,
        "created": datetime.datetime.fromisoformat(data["created_at"]),
        "sections": privacy.export_for_page(data),
    }
    return render(request, "candidates/privacy_export.html", context)


@audited
@privacy_staff_required
@never_cache
def candidate_privacy_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The same data as a JSON download (machine-readable, Art. 20)."""
    candidate = candidate_get_for_user(user=request.user, pk=pk)
    return export_json_response(request, candidate, filename=f"candidate-{candidate.pk}-data.json")


def export_json_response(request: HttpRequest, candidate, *, filename: str) -> HttpResponse:
    """The data-subject export as a JSON download, written to the audit trail; the case worker's
    download and the candidate's own (selfservice) are this one."""
    data = privacy.subject_export(candidate)
    _audit_export(request, candidate, "JSON")
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@audited
@privacy_staff_required
@never_cache
def candidate_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what erasure does, and the form asking for the reason; POST: anonymise."""
    candidate = candidate_get_for_user(user=request.user, pk=pk)
    if candidate.is_erased:
        messages.info(request, _("This profile was anonymised already."))
        return redirect(candidate)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        privacy.erase_candidate(candidate=candidate, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The personal data were erased; the profile is kept as an anonymous record."))
        return redirect(candidate)
    return render(request, "candidates/privacy_erase.html", {"candidate": candidate, "form": form})
