from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from iop import views

admin.site.site_header = "IOP record administration"
admin.site.site_title = "IOP record admin"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Only sign-in, sign-out and password change: no self-service password reset by e-mail.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("clients/", include("clients.urls")),
    path("attendance/", include("attendance.urls")),
    path("screening/", include("screening.urls")),
    path("goals/", include("goals.urls")),
    path("checkins/", include("checkins.urls")),
    path("", include("dashboard.urls")),
]

handler500 = "iop.views.server_error"
