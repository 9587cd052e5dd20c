"""Candidate documents: upload (checked by content), download only through this view."""

from django.http import Http404

from bridges.permissions import case_worker_required


@case_worker_required
def document_upload(request, pk: int):
    raise Http404


@case_worker_required
def document_download(request, pk: int, doc: int):
    raise Http404


@case_worker_required
def document_delete(request, pk: int, doc: int):
    raise Http404
