from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("reports/", views.report, name="report"),
    path("clients/<int:pk>/progress/", views.progress, name="progress"),
]
