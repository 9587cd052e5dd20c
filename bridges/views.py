"""Project-wide views: the role-based start page, a user's e-mail settings, the favicon, the
health endpoint and the load test's floor (ping)."""

import asyncio
import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_POST
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.contrib.redis import Redis as RedisCheck
from health_check.exceptions import ServiceUnavailable
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bridges.api_tokens import api_token_create, api_token_revoke
from bridges.cache import FallbackRedisCache
from bridges.celery import app as celery_app
from bridges.forms import ApiTokenForm, NotificationSettingsForm, add_service_error
from bridges.models import ApiToken
from bridges.permissions import portal_user_required
from bridges.services import user_notification_settings_set


def start(request: HttpRequest) -> HttpResponse:
    """Send each role to its own start page."""
    return redirect(request.user.get_start_url())


def notification_settings(request: HttpRequest) -> HttpResponse:
    """Every logged-in user's own e-mail settings (never another user's: the form edits request.user)."""
    form = NotificationSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_notification_settings_set(
            user=request.user,
            language=form.cleaned_data["language"],
            digest_enabled=form.cleaned_data.get("digest_enabled"),
        )
        messages.success(request, _("Your e-mail settings are saved."))
        return redirect("notification_settings")
    return render(request, "bridges/notification_settings.html", {"form": form})


@portal_user_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """A user's own API tokens: make one (its text is shown this once), see when each was used, revoke."""
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, text = api_token_create(
                user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            created = {"token": token, "text": text}
            form = ApiTokenForm()
    context = {"form": form, "created": created, "tokens": request.user.api_tokens.all(), "now": timezone.now()}
    return render(request, "bridges/api_tokens.html", context)


@portal_user_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # another user's token is a 404
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("api_tokens")


@login_not_required
def ping(request: HttpRequest) -> HttpResponse:
    """The floor of the load test (benchmarks/load.py): a bare answer through the whole middleware
    stack (session, user, audit, CSP, …), so that a page's time can be read against it. It shows
    nothing and reads nothing beyond what every request reads."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@cache_control(max_age=24 * 60 * 60)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links; the icon is a static SVG."""
    return redirect(static("favicon.svg"))


@dataclasses.dataclass
class CacheServer(HealthCheck):
    """The cache's Redis answers. The usual set-and-get check would pass on the fallback memory."""

    def run(self) -> None:
        try:
            caches["default"].ping()
        except RedisError as error:
            # The error names host and port; /healthz is public.
            raise ServiceUnavailable("Redis unreachable") from error


def _health_checks() -> dict[str, HealthCheck]:
    """The checks by name, from the settings of this moment (tests point them elsewhere)."""
    checks: dict[str, HealthCheck] = {"database": Database()}
    checks["cache"] = CacheServer() if isinstance(caches["default"], FallbackRedisCache) else Cache()
    broker = celery_app.conf.broker_url
    if broker.startswith(("redis://", "rediss://")):
        # Without the broker no task reaches a worker (the re-scoring marks wait for the sweep).
        checks["broker"] = RedisCheck(
            client_factory=lambda: Redis.from_url(broker, socket_connect_timeout=2, socket_timeout=2)
        )
    return checks


@login_not_required
@never_cache
async def healthz(request: HttpRequest) -> JsonResponse:
    """JSON for monitors: 200 when the database, the cache and the broker answer, else 503."""
    checks = _health_checks()
    results = await asyncio.gather(*(check.get_result() for check in checks.values()))
    body = {
        name: "OK" if result.error is None else str(result.error) for name, result in zip(checks, results, strict=True)
    }
    healthy = all(result.error is None for result in results)
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": body}, status=200 if healthy else 503)
