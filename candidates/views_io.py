"""CSV/XLSX import (dry-run preview, all or nothing) and export of the filtered candidate list."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from bridges.permissions import case_worker_required
from candidates import resources
from candidates.documents import clean_file_name
from candidates.filters import CandidateFilter
from candidates.forms_documents import CandidateImportForm
from candidates.selectors import candidate_list

# The session remembers which staged file the preview showed: the confirmation
# imports that server-side copy, never data sent back by the browser.
SESSION_KEY = "candidate_import"


@case_worker_required
@require_GET
def candidate_export(request: HttpRequest) -> HttpResponse:
    file_format = request.GET.get("format", "csv")
    filterset = CandidateFilter(request.GET, queryset=candidate_list(user=request.user))
    if file_format not in resources.IMPORT_FORMATS or not filterset.is_valid():
        # Never export more than the list shows because a filter could not be read.
        messages.error(request, _("The export needs a valid filter and the format CSV or XLSX."))
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{reverse('candidates:list')}?{query.urlencode()}")
    query = request.GET.copy()
    query.pop("format", None)
    content = resources.candidates_export(
        queryset=filterset.qs, file_format=file_format, actor=request.user, description=query.urlencode()
    )
    _label, extension, content_type = resources.IMPORT_FORMATS[file_format]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="kandidaten-{timezone.localdate():%Y-%m-%d}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


@case_worker_required
@require_http_methods(["GET", "POST"])
def candidate_import(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "token" in request.POST:
        return _import_confirm(request)
    form = CandidateImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload, file_format = form.cleaned_data["file"], form.cleaned_data["format"]
        content = upload.read()
        try:
            import_file = resources.import_file_parse(content=content, file_format=file_format)
        except resources.ImportFileError as error:
            form.add_error("file", error.message)
        else:
            report = resources.candidates_import(import_file=import_file, actor=request.user, dry_run=True)
            _discard_staged(request)
            token = None
            if report.ok:
                token = resources.import_file_stage(content=content, file_format=file_format)
                request.session[SESSION_KEY] = {
                    "token": token,
                    "format": file_format,
                    "name": clean_file_name(upload.name or ""),
                }
            context = {"report": report, "token": token, "file_name": clean_file_name(upload.name or "")}
            return render(request, "candidates/import_preview.html", context)
    return render(request, "candidates/import.html", {"form": form, "columns": resources.column_help()})


def _import_confirm(request: HttpRequest) -> HttpResponse:
    staged = request.session.pop(SESSION_KEY, None)
    content = None
    if staged and request.POST.get("token") == staged["token"]:
        content = resources.import_file_take(token=staged["token"], file_format=staged["format"])
    elif staged:
        resources.import_file_discard(token=staged["token"], file_format=staged["format"])
    if content is None:
        messages.error(request, _("This import preview has expired. Upload the file again."))
        return redirect("candidates:import")
    try:
        import_file = resources.import_file_parse(content=content, file_format=staged["format"])
    except resources.ImportFileError as error:
        messages.error(request, error.message)
        return redirect("candidates:import")
    report = resources.candidates_import(
        import_file=import_file, actor=request.user, dry_run=False, file_name=staged["name"]
    )
    if not report.ok:
        context = {"report": report, "token": None, "file_name": staged["name"], "confirmed": True}
        return render(request, "candidates/import_preview.html", context)
    count = len(report.new_rows)
    messages.success(
        request,
        ngettext("%(count)d candidate has been imported.", "%(count)d candidates have been imported.", count)
        % {"count": count},
    )
    return redirect("candidates:list")


def _discard_staged(request: HttpRequest) -> None:
    staged = request.session.pop(SESSION_KEY, None)
    if staged:
        resources.import_file_discard(token=staged["token"], file_format=staged["format"])
