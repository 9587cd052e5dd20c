from django.urls import path

from matching import allocation_views, introduction_views, report_views, views

app_name = "matching"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("matches/", views.overview, name="overview"),
    path("allocation/", allocation_views.allocation, name="allocation"),
    path("allocation/compute/", allocation_views.allocation_compute, name="allocation_compute"),
    path("allocation/status/", allocation_views.allocation_status, name="allocation_status"),
    path("positions/<int:pk>/matches/", views.position_matches, name="position_matches"),
    path("candidates/<int:pk>/matches/", views.candidate_matches, name="candidate_matches"),
    path("explain/<int:candidate>/<int:position>/", views.pair_explain, name="explain"),
    path("decide/<int:candidate>/<int:position>/", views.pair_decide, name="decide"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/rescore/", views.rescore_all, name="rescore_all"),
    # Introductions: the case workers' pages (matching/introduction_views.py).
    path("introduce/<int:candidate>/<int:position>/", introduction_views.introduce, name="introduce"),
    path("candidates/<int:pk>/introduce/", introduction_views.candidate_introduce, name="candidate_introduce"),
    path(
        "candidates/<int:pk>/introductions/",
        introduction_views.candidate_introductions_page,
        name="candidate_introductions",
    ),
    path("introductions/", introduction_views.introduction_list_page, name="introductions"),
    path("introductions/bulk/", introduction_views.introductions_bulk, name="introductions_bulk"),
    path("introductions/board/", introduction_views.board, name="board"),
    path("introductions/<int:pk>/", introduction_views.introduction_detail, name="introduction"),
    path("introductions/<int:pk>/move/", introduction_views.introduction_move, name="introduction_move"),
    path("introductions/<int:pk>/board-move/", introduction_views.board_move, name="board_move"),
    path("introductions/<int:pk>/sharing/", introduction_views.introduction_sharing, name="introduction_sharing"),
    path("introductions/<int:pk>/next-step/", introduction_views.introduction_next_step, name="introduction_next_step"),
    path(
        "introductions/<int:pk>/interviews/",
        introduction_views.introduction_interviews_propose,
        name="introduction_interviews",
    ),
    path(
        "introductions/<int:pk>/interviews/<int:interview>/confirm/",
        introduction_views.interview_confirm,
        name="interview_confirm",
    ),
    path("introductions/<int:pk>/placement/", introduction_views.introduction_placement, name="introduction_placement"),
    path(
        "introductions/<int:pk>/follow-ups/<int:follow_up>/",
        introduction_views.follow_up_record,
        name="follow_up_record",
    ),
    # The funder's report (matching/report_views.py).
    path("report/", report_views.report_page, name="report"),
    path("report/figures.csv", report_views.figures_csv, name="report_figures_csv"),
    path("report/figures.xlsx", report_views.figures_xlsx, name="report_figures_xlsx"),
    path("report/rows.csv", report_views.rows_csv, name="report_rows_csv"),
    path("report/rows.xlsx", report_views.rows_xlsx, name="report_rows_xlsx"),
    path("employer/positions/<int:pk>/matches/", views.employer_position_matches, name="employer_position_matches"),
]
