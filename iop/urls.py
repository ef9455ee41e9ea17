from django.contrib import admin
from django.urls import include, path

from iop import views

admin.site.site_header = "IOP record administration"
admin.site.site_title = "IOP record admin"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("clients/", include("clients.urls")),
    path("attendance/", include("attendance.urls")),
    path("screening/", include("screening.urls")),
    path("goals/", include("goals.urls")),
    path("checkins/", include("checkins.urls")),
    path("", include("dashboard.urls")),
]
