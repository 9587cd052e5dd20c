"""The public job board: no login, no personal data."""

from django.urls import path

from employers import views_public

app_name = "jobs"

urlpatterns = [
    path("", views_public.job_list, name="list"),
    path("feed.json", views_public.job_feed, name="feed"),
    path("<int:pk>/", views_public.job_detail, name="detail"),
]
