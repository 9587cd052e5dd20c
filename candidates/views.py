"""Case-worker pages for candidates: list, detail, intake and editing in sections."""

from django.http import Http404

from bridges.permissions import case_worker_required


@case_worker_required
def candidate_list(request):
    raise Http404


candidate_create = candidate_detail = candidate_edit = note_add = consent_add = consent_withdraw = candidate_list
duplicate_check = candidate_list
