from django.urls import path

from dashboard import report_views, views

app_name = "dashboard"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("reports/", report_views.report, name="report"),
    path("clients/<int:pk>/progress/", views.progress, name="progress"),
]
