"""CSV/XLSX import (dry-run preview with a choice for each likely duplicate, then all or nothing)
and export of the filtered candidate list."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from bridges.audit import audited
from bridges.permissions import case_worker_required
from candidates import resources
from candidates.documents import clean_file_name
from candidates.filters import CandidateFilter
from candidates.forms_documents import CandidateImportForm, ImportDuplicatesForm
from candidates.selectors import candidate_list

# The session remembers which staged file the preview showed: the confirmation
# imports that server-side copy, never data sent back by the browser.
SESSION_KEY = "candidate_import"


@audited
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


@audited
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
            _discard_staged(request)
            staged = {"format": file_format, "name": clean_file_name(upload.name or "")}
            return _preview(request, import_file=import_file, content=content, staged=staged)
    return render(request, "candidates/import.html", {"form": form, "columns": resources.column_help()})


def _preview(
    request: HttpRequest, *, import_file, content: bytes, staged: dict, choices: ImportDuplicatesForm | None = None
) -> HttpResponse:
    """The dry run's report; if the file can be imported, it is staged and the page asks for the
    choices about rows that may be existing profiles."""
    report = resources.candidates_import(import_file=import_file, actor=request.user, dry_run=True)
    token = None
    if report.ok:
        token = resources.import_file_stage(content=content, file_format=staged["format"])
        request.session[SESSION_KEY] = {**staged, "token": token}
        if choices is None:
            choices = ImportDuplicatesForm(
                duplicates={row.number: row.duplicates for row in report.duplicate_rows},
                repeated={row.number for row in report.duplicate_rows if row.repeats},
            )
    context = {
        "report": report,
        "token": token,
        "file_name": staged["name"],
        "choices": choices,
        "duplicate_rows": [(row, _choice(choices, row.number) if token else None) for row in report.duplicate_rows],
    }
    return render(request, "candidates/import_preview.html", context)


def _choice(choices: ImportDuplicatesForm, number: int):
    name = f"row-{number}"
    return choices[name] if name in choices.fields else None


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
    choices = ImportDuplicatesForm(
        request.POST, duplicates=resources.import_file_duplicates(import_file=import_file, actor=request.user)
    )
    if not choices.is_valid():
        # The file is staged again under a new token, so that the case worker can choose and confirm.
        staged = {"format": staged["format"], "name": staged["name"]}
        return _preview(request, import_file=import_file, content=content, staged=staged, choices=choices)
    report = resources.candidates_import(
        import_file=import_file,
        actor=request.user,
        dry_run=False,
        decisions=choices.decisions,
        file_name=staged["name"],
    )
    if not report.ok:
        context = {"report": report, "token": None, "file_name": staged["name"], "confirmed": True}
        return render(request, "candidates/import_preview.html", context)
    created, updated, skipped = len(report.new_rows), len(report.updated_rows), len(report.skipped_rows)
    outcome = [
        ngettext("%(count)d candidate has been imported.", "%(count)d candidates have been imported.", created)
        % {"count": created}
    ]
    if updated:
        outcome.append(
            ngettext("%(count)d profile has been updated.", "%(count)d profiles have been updated.", updated)
            % {"count": updated}
        )
    if skipped:
        outcome.append(
            ngettext("%(count)d row has been skipped.", "%(count)d rows have been skipped.", skipped)
            % {"count": skipped}
        )
    messages.success(request, " ".join(outcome))
    return redirect("candidates:list")


def _discard_staged(request: HttpRequest) -> None:
    staged = request.session.pop(SESSION_KEY, None)
    if staged:
        resources.import_file_discard(token=staged["token"], file_format=staged["format"])
