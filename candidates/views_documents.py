"""Candidate documents: upload (checked by content), download only through this view."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bridges.audit import audited
from bridges.permissions import case_worker_required
from candidates import documents
from candidates.forms_documents import DocumentForm
from candidates.selectors import candidate_get_for_user


@audited
@case_worker_required
@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = candidate_get_for_user(user=request.user, pk=pk)
    form = DocumentForm(
        request.POST or None, request.FILES or None, candidate=candidate, initial=DocumentForm.prefill(request.GET)
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = documents.document_add(
                candidate=candidate,
                uploaded_file=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                actor=request.user,
                measure=form.cleaned_data.get("measure"),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The document “%(name)s” has been uploaded.") % {"name": document})
            if document.measure_id:
                return redirect(candidate.section_url("measures"))
            return redirect(candidate)
    return render(request, "candidates/document_upload.html", {"candidate": candidate, "form": form})


@audited
@case_worker_required
@require_http_methods(["GET"])
def document_download(request: HttpRequest, pk: int, doc: int) -> FileResponse:
    candidate = candidate_get_for_user(user=request.user, pk=pk)
    document = get_object_or_404(candidate.documents, pk=doc)
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


@audited
@case_worker_required
@require_http_methods(["GET", "POST"])
def document_delete(request: HttpRequest, pk: int, doc: int) -> HttpResponse:
    candidate = candidate_get_for_user(user=request.user, pk=pk)
    document = get_object_or_404(candidate.documents, pk=doc)
    if request.method == "POST":
        name = str(document)
        documents.document_delete(document=document, actor=request.user)
        messages.success(request, _("The document “%(name)s” has been deleted.") % {"name": name})
        return redirect(candidate)
    return render(request, "candidates/document_confirm_delete.html", {"candidate": candidate, "document": document})
