"""The candidate's own view, under /me/ (issue #16)."""

from django.urls import path

from selfservice import views

app_name = "me"

urlpatterns = [
    path("", views.home, name="home"),
    path("welcome/", views.welcome, name="welcome"),
    path("welcome/<str:code>/", views.welcome, name="welcome_code"),
    path("confirm/", views.confirm, name="confirm"),
    path("correction/", views.correction, name="correction"),
    path("consents/", views.consents, name="consents"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("consents/<int:pk>/ask-again/", views.consent_request, name="consent_request"),
    path("introductions/", views.introductions, name="introductions"),
    path("introductions/<int:pk>/", views.introduction, name="introduction"),
    path("matching/", views.how_matching_works, name="how"),
    path("data/", views.data, name="data"),
    path("data/export.json", views.export, name="export"),
    path("data/erasure/", views.erasure, name="erasure"),
]
