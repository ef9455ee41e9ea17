from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.admin_site import TwoFactorAdminSite
from accounts.middleware import two_factor_exempt
from accounts.views import LoginView
from iop import views

admin.site.__class__ = TwoFactorAdminSite  # the admin needs a verified second factor
admin.site.site_header = "IOP record administration"
admin.site.site_title = "IOP record admin"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Only sign-in, sign-out and password change: no self-service password reset by e-mail.
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", two_factor_exempt(auth_views.LogoutView.as_view()), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("clients/", include("clients.urls")),
    path("attendance/", include("attendance.urls")),
    path("screening/", include("screening.urls")),
    path("goals/", include("goals.urls")),
    path("checkins/", include("checkins.urls")),
    path("consents/", include("consents.urls")),
    path("aftercare/", include("aftercare.urls")),
    path("letters/", include("letters.urls")),
    path("audit/", include("audit.urls")),
    path("", include("dashboard.urls")),
]

handler500 = "iop.views.server_error"
