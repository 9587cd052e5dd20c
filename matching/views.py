"""Case-worker pages: the dashboard that the matching pipeline will fill."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bridges.permissions import case_worker_required


@case_worker_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "matching/dashboard.html")
