import datetime as dt

import pytest
from django.utils import timezone

from attendance.models import Session
from tests.factories import ClientFactory, EpisodeFactory, SessionFactory


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def evening(site1, track1, therapist, today):
    """Today's evening group of track1 (RIC), not yet held."""
    return SessionFactory(
        site=site1,
        track=track1,
        date=today,
        start_time=dt.time(18, 0),
        duration_minutes=180,
        status=Session.Status.SCHEDULED,
        facilitator=therapist,
    )


@pytest.fixture
def make_clients(site1, track1, therapist):
    """make_clients(n): n more active episodes in track1, admitted 8 weeks ago."""

    def make(n, **kwargs):
        fields = {"site": site1, "track": track1, "primary_therapist": therapist, **kwargs}
        return [EpisodeFactory(client=ClientFactory(), **fields) for _ in range(n)]

    return make


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Users are logged in with force_login here: a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
