import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Users are made by the dozen here; argon2 would make each one cost a real login's work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def intake_data(site1, track1, therapist, casemanager):
    """A valid intake POST (both prefixed forms), for the case manager at site 1."""

    def build(**changes):
        data = {
            "client-first_name": "Maya",
            "client-last_name": "Okafor",
            "client-preferred_name": "",
            "client-date_of_birth": "1988-04-12",
            "client-pronouns": "she/her",
            "client-phone": "555-0100",
            "client-email": "",
            "client-emergency_contact_name": "",
            "client-emergency_contact_phone": "",
            "client-referral_source": "self",
            "client-primary_substance": "alcohol",
            "client-other_substances": "",
            "episode-site": site1.pk,
            "episode-track": track1.pk,
            "episode-level_of_care": "IOP",
            "episode-admitted_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            "episode-primary_therapist": therapist.pk,
            "episode-case_manager": casemanager.pk,
            "episode-required_weekly_hours": "9",
        }
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}

    return build
