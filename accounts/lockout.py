"""Sign-in lockout (django-axes), configured in settings:

- an account is locked at one IP after ``AXES_FAILURE_LIMIT`` failures; an IP is locked after
  ``AXES_IP_FAILURE_LIMIT`` failures across usernames (a password spray), for the cool-off time;
- an attempt while locked is not recorded, so it does not extend the lock;
- the client IP is the proxy's ``X-Forwarded-For`` entry only behind the TLS proxy
  (``DJANGO_BEHIND_TLS_PROXY``); otherwise the socket's address (a client's header is ignored).
"""

from axes.attempts import get_cool_off_threshold
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


def client_ip(request):
    """``AXES_CLIENT_IP_CALLABLE``: the address the (one) trusted proxy saw, else REMOTE_ADDR.

    The proxy appends the address it saw to X-Forwarded-For, so the right-most entry is the
    one it vouches for; entries left of it come from the client and are not trusted."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1][:45]
    return request.META.get("REMOTE_ADDR")


def failure_limit(request, credentials):
    """``AXES_FAILURE_LIMIT``: the number of failures that locks this attempt out.

    With lockout parameters ``[["username", "ip_address"], "ip_address"]`` axes compares the
    larger count, which is always the IP's total, with this limit; so the limit is the account's
    once the account itself reached it, and the IP's otherwise."""
    username = get_client_username(request, credentials)
    account_failures = (
        AccessAttempt.objects.filter(
            username=username,
            ip_address=request.axes_ip_address,
            attempt_time__gte=get_cool_off_threshold(request),
        ).aggregate(total=Sum("failures_since_start"))["total"]
        or 0
    )
    if account_failures >= settings.AXES_ACCOUNT_FAILURE_LIMIT:
        return settings.AXES_ACCOUNT_FAILURE_LIMIT
    return settings.AXES_IP_FAILURE_LIMIT


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the app's own page, status 429."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
