"""Sign-in's second step and the "Two-factor sign-in" account page."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import twofactor
from accounts.forms import CodeForm, LoginForm, SetupForm
from accounts.middleware import two_factor_exempt


def _safe_next(request, default=None):
    """The ``next`` page if it is a path on this site (never another host, never a URL name)."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or settings.LOGIN_REDIRECT_URL


def url_with_next(url_name, next_url):
    return f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


class LoginView(auth_views.LoginView):
    """Step 1: username and password. A sign-in that needs a second factor goes on to step 2."""

    authentication_form = LoginForm

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.session.get(twofactor.REQUIRED_KEY):
            return redirect(url_with_next("two_factor_verify", self.get_success_url()))
        return response


@two_factor_exempt
def verify(request):
    """Step 2: the code of the authenticator app (or a recovery code)."""
    next_url = _safe_next(request)
    if request.user.is_verified():
        return HttpResponseRedirect(next_url)
    if not twofactor.has_authenticator(request.user):
        return redirect(url_with_next("two_factor_setup", next_url))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = twofactor.device_for_code(request.user, form.cleaned_data["otp_token"])
        if device is not None:
            twofactor.session_verify(request, device)
            return HttpResponseRedirect(next_url)
        form.add_error("otp_token", "That code is not valid (or was already used). Try the current code.")
    return render(request, "accounts/verify.html", {"form": form, "next": next_url})


def account(request):
    """The "Two-factor sign-in" page: status, set-up, new recovery codes, turning it off."""
    user = request.user
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": twofactor.has_authenticator(user),
            "required": twofactor.two_factor_required_by_role(user),
            "recovery_codes_left": twofactor.recovery_codes_left(user),
        },
    )


@two_factor_exempt
def setup(request):
    """Scan the QR code (or type the secret), prove it with a code: the authenticator is saved
    and the recovery codes are shown once."""
    user = request.user
    if twofactor.has_authenticator(user) and not user.is_verified():
        return redirect(url_with_next("two_factor_verify", _safe_next(request)))
    hex_key = request.session.get(twofactor.SETUP_KEY_SESSION_KEY)
    if hex_key is None:
        if request.method == "POST":  # a repeated submit after success: the set-up is done
            return redirect("two_factor")
        hex_key = request.session[twofactor.SETUP_KEY_SESSION_KEY] = twofactor.new_secret()
    form = SetupForm(request.POST or None)
    if form.is_valid():
        device, codes = twofactor.authenticator_enable(user=user, hex_key=hex_key, code=form.cleaned_data["otp_token"])
        if device is not None:
            del request.session[twofactor.SETUP_KEY_SESSION_KEY]
            twofactor.session_verify(request, device)
            request.session[twofactor.REQUIRED_KEY] = True
            return _recovery_codes_page(request, codes, next_url=_safe_next(request, reverse("two_factor")))
        form.add_error("otp_token", "That code does not match. Check the app's clock and type the current code.")
    uri = twofactor.provisioning_uri(user, hex_key)
    return render(
        request,
        "accounts/setup.html",
        {
            "form": form,
            "qr_svg": twofactor.qr_svg(uri),
            "secret": twofactor.secret_base32(hex_key),
            "next": _safe_next(request, ""),
            "required": twofactor.two_factor_required_by_role(user),
        },
    )


@require_POST
def recovery_codes_new(request):
    if not twofactor.has_authenticator(request.user):
        return redirect("two_factor")
    codes = twofactor.recovery_codes_replace(user=request.user)
    return _recovery_codes_page(request, codes, next_url=reverse("two_factor"))


@require_POST
def disable(request):
    if twofactor.two_factor_required_by_role(request.user):
        messages.error(request, "Two-factor sign-in is required for your role and stays on.")
        return redirect("two_factor")
    twofactor.two_factor_disable(user=request.user)
    request.session[twofactor.REQUIRED_KEY] = False
    messages.success(request, "Two-factor sign-in is off. Your recovery codes no longer work.")
    return redirect("two_factor")


def _recovery_codes_page(request, codes, *, next_url):
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})
