from django.urls import path

from dashboard import progress_views, report_views, views, work_views

app_name = "dashboard"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("home/", work_views.home, name="home"),
    path("work/", work_views.my_work, name="my_work"),
    path("work/counts.json", work_views.my_work_counts, name="my_work_counts"),
    path("caseload.csv", views.caseload_csv, name="caseload_csv"),
    path("reports/", report_views.report, name="report"),
    path("reports.csv", report_views.report_csv, name="report_csv"),
    path("clients/<int:pk>/progress/", progress_views.progress, name="progress"),
    path("clients/<int:pk>/decisions/new/", progress_views.decision_new, name="decision_new"),
]
