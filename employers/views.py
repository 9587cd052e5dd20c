"""Employer pages: the dashboard of an employer user's own organisation."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bridges.permissions import employer_required


@employer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "employers/dashboard.html")
