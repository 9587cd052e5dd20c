"""CSV/XLSX import (dry-run preview, all or nothing) and export of the filtered candidate list."""

from django.http import Http404

from bridges.permissions import case_worker_required


@case_worker_required
def candidate_export(request):
    raise Http404


@case_worker_required
def candidate_import(request):
    raise Http404
