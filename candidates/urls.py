from django.urls import path

from candidates import views, views_documents, views_io, views_measures, views_portal, views_privacy

app_name = "candidates"

urlpatterns = [
    path("", views.candidate_list, name="list"),
    path("new/", views.candidate_create, name="create"),
    path("duplicates/", views.duplicate_check, name="duplicates"),
    path("consent-employers/", views.employer_search, name="employer_search"),
    path("export/", views_io.candidate_export, name="export"),
    path("import/", views_io.candidate_import, name="import"),
    path("<int:pk>/", views.candidate_detail, name="detail"),
    path("<int:pk>/edit/<slug:section>/", views.candidate_edit, name="edit"),
    path("<int:pk>/notes/", views.note_add, name="note_add"),
    path("<int:pk>/consents/", views.consent_add, name="consent_add"),
    path("<int:pk>/consents/<int:consent>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("<int:pk>/measures/", views_measures.measure_plan, name="measure_plan"),
    path("<int:pk>/measures/<int:measure>/approve/", views_measures.measure_approve, name="measure_approve"),
    path("<int:pk>/measures/<int:measure>/done/", views_measures.measure_complete, name="measure_complete"),
    path("<int:pk>/measures/<int:measure>/cancel/", views_measures.measure_cancel, name="measure_cancel"),
    path("<int:pk>/privacy/export/", views_privacy.candidate_privacy_export, name="privacy_export"),
    path("<int:pk>/privacy/export.json", views_privacy.candidate_privacy_export_json, name="privacy_export_json"),
    path("<int:pk>/privacy/erase/", views_privacy.candidate_erase, name="erase"),
    path("<int:pk>/own-view/invite/", views_portal.portal_invite, name="portal_invite"),
    path(
        "<int:pk>/own-view/requests/<int:request_id>/done/",
        views_portal.portal_request_done,
        name="portal_request_done",
    ),
    path("<int:pk>/documents/", views_documents.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:doc>/", views_documents.document_download, name="document_download"),
    path("<int:pk>/documents/<int:doc>/delete/", views_documents.document_delete, name="document_delete"),
]
