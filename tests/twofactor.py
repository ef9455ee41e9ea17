"""Test helpers for two-factor sign-in.

Staff signed in with ``force_login`` get a session verified by an authenticator device, as if
they had typed its code (tests/conftest.py patches ``Client.force_login`` for every test).
Tests of the sign-in itself go through the real login form and type ``current_code(device)``.
"""

import time

from django.contrib.auth.models import AnonymousUser
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.twofactor import REQUIRED_KEY, TOTP_DEVICE_NAME


def authenticator(user):
    """The user's confirmed TOTP device (created on first use)."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, name=TOTP_DEVICE_NAME, defaults={"confirmed": True})
    return device


def current_code(device):
    """The code an authenticator app shows for ``device`` (RFC 6238: SHA-1, 6 digits, 30 s).

    A code is accepted once: when this time step's code was already used (a second sign-in
    within 30 s), it is the next step's code, the one the app would show after waiting."""
    if device.pk:
        device.refresh_from_db()
    step = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    step.time = time.time()
    counter = max(step.t(), device.last_t + 1)
    return f"{hotp(device.bin_key, counter, digits=device.digits):0{device.digits}d}"


def verify_session(http, user):
    """After ``force_login``: mark the session verified if this sign-in needs a second factor."""
    session = http.session
    if isinstance(user, AnonymousUser) or not session.get(REQUIRED_KEY):
        return
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()
