"""Case-worker pages: the dashboard, the start of the day's work."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bridges.permissions import case_worker_required
from candidates.models import Candidate, Status
from employers.models import Employer, Position


@case_worker_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {
        "my_candidates": Candidate.objects.filter(case_worker=request.user, status=Status.ACTIVE).count(),
        "active_candidates": Candidate.objects.filter(status=Status.ACTIVE).count(),
        "pending_employers": Employer.objects.filter(verification=Employer.Verification.PENDING).count(),
        "public_positions": Position.objects.public().count(),
    }
    return render(request, "matching/dashboard.html", context)
