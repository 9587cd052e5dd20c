"""Employer pages (own organisation) and the case workers' pages on employers and positions.

Paths under companies/<employer>/ are the same pages for case workers and admins
working on behalf of a company.
"""

from django.urls import path

from employers import views, views_staff

app_name = "employers"

urlpatterns = [
    # Employer users: their own organisation
    path("", views.dashboard, name="dashboard"),
    path("register/", views.employer_register, name="register"),
    path("profile/", views.profile_edit, name="profile"),
    path("profile/regions/", views.regions_edit, name="regions"),
    path("profile/contacts/", views.contacts_edit, name="contacts"),
    path("colleagues/", views.colleagues, name="colleagues"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("positions/", views.position_list, name="positions"),
    path("positions/new/", views.position_create, name="position_create"),
    path("positions/skills/", views.position_skills_prefill, name="position_skills_prefill"),
    path("positions/<int:pk>/", views.position_detail, name="position_detail"),
    path("positions/<int:pk>/edit/", views.position_edit, name="position_edit"),
    path("positions/<int:pk>/duplicate/", views.position_duplicate, name="position_duplicate"),
    path("positions/<int:pk>/status/", views.position_status, name="position_status"),
    # Case workers and admins: all employers and positions
    path("companies/", views_staff.employer_list, name="staff_employers"),
    path("companies/new/", views_staff.employer_create, name="staff_employer_create"),
    path("companies/<int:pk>/", views_staff.employer_detail, name="staff_employer_detail"),
    path("companies/<int:pk>/review/", views_staff.employer_review, name="staff_employer_review"),
    path("companies/<int:employer>/profile/", views.profile_edit, name="staff_profile"),
    path("companies/<int:employer>/regions/", views.regions_edit, name="staff_regions"),
    path("companies/<int:employer>/contacts/", views.contacts_edit, name="staff_contacts"),
    path("companies/<int:employer>/positions/new/", views.position_create, name="staff_position_create"),
    path("all-positions/", views_staff.position_search, name="staff_positions"),
]
