"""Automatic logoff (HIPAA §164.312(a)(2)(iii)): a session idle longer than
``settings.IDLE_TIMEOUT_SECONDS`` is ended and the user is sent to the login page.

Installed after MessageMiddleware: the login page says why the session ended.

The time of the last request is written into the session at most once a minute
(``LAST_SEEN_STEP_SECONDS``): writing it on every request made every page, even ``/healthz``,
save its session row. So a session may end up to a minute *before* the timeout has passed since
its very last request, never after."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

LAST_SEEN_KEY = "last_seen"
LAST_SEEN_STEP_SECONDS = 60


def start_idle_clock(sender, request, user, **kwargs):
    """``user_logged_in``: the idle clock starts at sign-in (saved with the new session), so the
    first pages after it have nothing to write."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())


class IdleLogoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > settings.IDLE_TIMEOUT_SECONDS:
                logout(request)
                minutes = settings.IDLE_TIMEOUT_SECONDS // 60
                messages.info(request, f"You were signed out after {minutes} minutes without activity.")
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= LAST_SEEN_STEP_SECONDS or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
