from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django_otp.admin import OTPAdminSite

from accounts.views import url_with_next


class TwoFactorAdminSite(OTPAdminSite):
    """The admin site opens only for staff whose session is verified by a second factor.

    Installed as ``admin.site.__class__`` (django-otp's documented way) so every app's
    ``admin.site.register`` keeps working. Its sign-in is the app's own two-step sign-in."""

    def login(self, request, extra_context=None):
        next_url = request.GET.get("next") or request.get_full_path()
        if not request.user.is_authenticated:
            return redirect_to_login(next_url)
        if not request.user.is_verified():
            return redirect(url_with_next("two_factor_verify", next_url))
        raise PermissionDenied
