"""Project-wide views: the role-based start page and the health endpoint."""

from functools import partial

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from health_check.views import HealthCheckView
from redis.asyncio import Redis


def start(request: HttpRequest) -> HttpResponse:
    """Send each role to its own start page."""
    return redirect(request.user.get_start_url())


def _health_checks() -> list:
    checks: list = ["health_check.checks.Database", "health_check.checks.Cache"]
    if settings.REDIS_URL:
        # The broker: without it no task reaches a worker.
        checks.append(
            ("health_check.contrib.redis.Redis", {"client_factory": partial(Redis.from_url, settings.REDIS_URL)})
        )
    return checks


healthz = login_not_required(HealthCheckView.as_view(checks=_health_checks()))
