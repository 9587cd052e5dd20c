"""Root URLs. Every path needs a login unless its view is marked login_not_required."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from bridges import taxonomy_views, views

taxonomy_patterns = (
    [
        path("occupations/", taxonomy_views.occupations, name="occupations"),
        path("skills/", taxonomy_views.skills, name="skills"),
        path("places/", taxonomy_views.places, name="places"),
        path("regions/", taxonomy_views.regions, name="regions"),
    ],
    "taxonomy",
)

urlpatterns = [
    path("", views.start, name="start"),
    path("healthz", views.healthz, name="healthz"),
    # The load test's floor (benchmarks/load.py): "ok" through the same middleware as every page.
    path("ping/", views.ping, name="ping"),
    path("settings/notifications/", views.notification_settings, name="notification_settings"),
    path("settings/api-tokens/", views.api_tokens, name="api_tokens"),
    path("settings/api-tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("bridges.api.urls")),
    path("dashboard/", include("matching.urls")),
    # Before employer/: the employer's introductions live in matching, under the employer's paths.
    path("employer/introductions/", include("matching.urls_employer")),
    path("employer/", include("employers.urls")),
    path("jobs/", include("employers.urls_public")),
    path("candidates/", include("candidates.urls")),
    path("me/", include("selfservice.urls")),
    path("taxonomy/", include(taxonomy_patterns)),
]
