"""The employer's pages on introductions (Vermittlungsvorschläge): /employer/introductions/…"""

from django.urls import path

from matching import employer_introduction_views as views

app_name = "proposals"

urlpatterns = [
    path("", views.introduction_list, name="list"),
    path("<int:pk>/", views.introduction_detail, name="detail"),
    path("<int:pk>/documents/<int:doc>/", views.document_download, name="document"),
    path("<int:pk>/interested/", views.answer_interested, name="interested"),
    path("<int:pk>/offer/", views.answer_offer, name="offer"),
    path("<int:pk>/decline/", views.answer_decline, name="decline"),
    path("<int:pk>/interviews/", views.answer_interviews, name="interviews"),
]
