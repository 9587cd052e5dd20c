from django.urls import path

from matching import allocation_views, views

app_name = "matching"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("matches/", views.overview, name="overview"),
    path("allocation/", allocation_views.allocation, name="allocation"),
    path("positions/<int:pk>/matches/", views.position_matches, name="position_matches"),
    path("candidates/<int:pk>/matches/", views.candidate_matches, name="candidate_matches"),
    path("explain/<int:candidate>/<int:position>/", views.pair_explain, name="explain"),
    path("decide/<int:candidate>/<int:position>/", views.pair_decide, name="decide"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/rescore/", views.rescore_all, name="rescore_all"),
    path("employer/positions/<int:pk>/matches/", views.employer_position_matches, name="employer_position_matches"),
]
