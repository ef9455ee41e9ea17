from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from accounts.twofactor import REQUIRED_KEY, two_factor_required


def two_factor_exempt(view):
    """Views a signed-in but not yet verified session may open (the code step, set-up, sign-out)."""
    view.two_factor_exempt = True
    return view


class TwoFactorMiddleware:
    """A session that needs its second step sees nothing else until the code is given.

    After ``django_otp.middleware.OTPMiddleware``. Views open without login are exempt too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "two_factor_exempt", False) or not getattr(view_func, "login_required", True):
            return None
        if not request.user.is_authenticated or not _required(request) or request.user.is_verified():
            return None
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(f"{reverse('two_factor_verify')}{'?' + query if query else ''}")


def _required(request):
    """Decided at sign-in; a session older than two-factor sign-in is decided once, here."""
    required = request.session.get(REQUIRED_KEY)
    if required is None:
        required = request.session[REQUIRED_KEY] = two_factor_required(request.user)
    return required
