"""``seed_demo``: the demo users whose role requires two-factor sign-in get an authenticator
whose base32 secret is ``DEMO_TOTP_SECRET`` (INTERFACES.md), so any authenticator app works."""

import os

from accounts.twofactor import demo_authenticator

DEFAULT_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # nosec B105 # the documented demo secret (INTERFACES.md), demo users only
TWO_FACTOR_USERS = ("admin", "programadmin")


def seed_authenticators(ctx):
    secret = os.environ.get("DEMO_TOTP_SECRET") or DEFAULT_TOTP_SECRET
    for username in TWO_FACTOR_USERS:
        demo_authenticator(user=ctx.users[username], secret_base32_value=secret)
