"""Two-factor sign-in (TOTP, RFC 6238: SHA-1, 6 digits, 30 s) on django-otp.

- Required for superusers, staff (the admin site) and program admins; available to everyone.
- Whether a session must be verified is decided once, at sign-in, and kept in the session
  (``REQUIRED_KEY``): no query per request. ``TwoFactorMiddleware`` sends such a session to the
  code step (or, without a device, to the set-up page) before anything else.
- Recovery codes are django-otp's static tokens: each works once.
"""

import base64
import secrets
import time
from io import BytesIO

import django_otp
import segno
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from programs.roles import PROGRAM_ADMIN

REQUIRED_KEY = "two_factor_required"
SETUP_KEY_SESSION_KEY = "two_factor_setup_key"
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
ISSUER = "IOP record"


def two_factor_required_by_role(user):
    """Superusers, staff and program admins must sign in with a second factor."""
    if user.is_superuser or user.is_staff:
        return True
    return user.groups.filter(name=PROGRAM_ADMIN).exists()


def has_authenticator(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_required(user):
    return two_factor_required_by_role(user) or has_authenticator(user)


def remember_requirement_at_login(sender, request, user, **kwargs):
    """``user_logged_in``: note in the session whether this sign-in needs its second step."""
    if request is not None and hasattr(request, "session"):
        request.session[REQUIRED_KEY] = two_factor_required(user)


def new_secret():
    """A fresh 160-bit TOTP secret, as hex (django-otp's storage form)."""
    return secrets.token_hex(20)


def secret_base32(hex_key):
    """The secret as an authenticator app takes it when typed in (base32, no padding)."""
    return base64.b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")


def hex_from_base32(secret):
    secret = secret.strip().replace(" ", "").upper()
    return base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()


def provisioning_uri(user, hex_key):
    """The ``otpauth://`` URI of a device not yet saved (same format as TOTPDevice.config_url)."""
    return TOTPDevice(user=user, key=hex_key).config_url


def qr_svg(data):
    """The QR code of ``data`` as inline SVG markup, drawn here (no external service, no script)."""
    out = BytesIO()
    segno.make(data, error="m").save(out, kind="svg", xmldecl=False, svgns=True, scale=5, border=2)
    return out.getvalue().decode()


def code_matches_secret(hex_key, code):
    """The time step ``code`` is valid for under ``hex_key`` (±1 step), or None."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit():
        return None
    totp = TOTP(bytes.fromhex(hex_key))
    totp.time = time.time()
    if totp.verify(int(code), tolerance=1):
        return totp.t()
    return None


def authenticator_enable(*, user, hex_key, code):
    """Save the authenticator whose secret the user scanned once ``code`` proves it works.

    Returns ``(device, recovery_codes)`` or ``(None, [])`` when the code is wrong. Replaces any
    earlier authenticator and recovery codes of the user.
    """
    step = code_matches_secret(hex_key, code)
    if step is None:
        return None, []
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        # last_t: the code just typed cannot be replayed at the sign-in step.
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=hex_key, confirmed=True, last_t=step)
        codes = recovery_codes_replace(user=user)
    return device, codes


def recovery_codes_replace(*, user):
    """A new set of single-use recovery codes (the old ones stop working), returned to be shown once."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_disable(*, user):
    """Remove the user's authenticator and recovery codes (only offered where not required)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def device_for_code(user, code):
    """The user's confirmed device (authenticator or recovery code) accepting ``code``, or None.

    Each device checks its own throttling (failures double the wait) and replay (a TOTP code
    works once; a recovery code is deleted when used)."""
    code = (code or "").strip().replace(" ", "").lower()
    if not code or len(code) > 16:
        return None
    for model in (TOTPDevice, StaticDevice):
        with transaction.atomic():
            for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
                if device.verify_token(code):
                    return device
    return None


def session_verify(request, device):
    """Mark this session as verified by ``device`` (a new session key: no fixation)."""
    request.session.cycle_key()
    django_otp.login(request, device)


def demo_authenticator(*, user, secret_base32_value):
    """``seed_demo``: give a demo user the authenticator with the documented secret (idempotent)."""
    TOTPDevice.objects.update_or_create(
        user=user,
        name=TOTP_DEVICE_NAME,
        defaults={"key": hex_from_base32(secret_base32_value), "confirmed": True},
    )
