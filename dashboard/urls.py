from django.urls import path

from dashboard import progress_views, report_views, views

app_name = "dashboard"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("caseload.csv", views.caseload_csv, name="caseload_csv"),
    path("reports/", report_views.report, name="report"),
    path("reports.csv", report_views.report_csv, name="report_csv"),
    path("clients/<int:pk>/progress/", progress_views.progress, name="progress"),
    path("clients/<int:pk>/decisions/new/", progress_views.decision_new, name="decision_new"),
]
