"""/api/v1/ and the schema and documentation beside it."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from candidates.api import CandidateViewSet
from employers.api import EmployerViewSet, JobViewSet, PositionViewSet
from matching.api import MatchViewSet, MeasureViewSet, PlacementViewSet, ReportView
from matching.api_introductions import IntroductionViewSet

router = SimpleRouter()
router.register("jobs", JobViewSet, basename="job")
router.register("positions", PositionViewSet, basename="position")
router.register("employers", EmployerViewSet, basename="employer")
router.register("candidates", CandidateViewSet, basename="candidate")
router.register("matches", MatchViewSet, basename="match")
router.register("introductions", IntroductionViewSet, basename="introduction")
router.register("placements", PlacementViewSet, basename="placement")
router.register("measures", MeasureViewSet, basename="measure")

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/report/", ReportView.as_view(), name="report"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

# The API authenticates in the view (a token, or the session), and answers 401/403 as problem
# details: the portal's redirect to the login page is not for it.
for pattern in [*router.urls, *urlpatterns[1:]]:  # the report, the schema and the documentation
    login_not_required(pattern.callback)
