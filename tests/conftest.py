"""Shared fixtures: two sites and the role personas of INTERFACES.md.

- ``therapist`` and ``casemanager`` work at site 1;
- ``therapist2`` works at site 2 only (sees none of site 1's clients: 404);
- ``admin_user`` is a program admin and superuser (all sites);
- ``programadmin`` is a program admin of site 1 only (staff, not superuser).
"""

import pytest
from django.test import Client as HttpClient

from programs.roles import CASE_MANAGER, PROGRAM_ADMIN, THERAPIST
from tests.factories import ClientFactory, EpisodeFactory, SiteFactory, TrackFactory, UserFactory
from tests.twofactor import verify_session


@pytest.fixture(autouse=True)
def _no_lockouts(settings):
    settings.AXES_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _force_login_is_two_factor_verified(monkeypatch):
    """``force_login`` (here, in ``_login`` and in any test) gives staff a verified second factor."""
    force_login = HttpClient.force_login

    def verified_force_login(self, user, backend=None):
        force_login(self, user, backend)
        verify_session(self, user)

    monkeypatch.setattr(HttpClient, "force_login", verified_force_login)


@pytest.fixture
def site1(db):
    return SiteFactory(code="RIC", name="Richmond")


@pytest.fixture
def site2(db):
    return SiteFactory(code="NOR", name="Norfolk")


@pytest.fixture
def track1(site1):
    return TrackFactory(site=site1, code="RIC-EVE", name="Evening")


@pytest.fixture
def therapist(site1):
    return UserFactory(username="therapist", role=THERAPIST, sites=[site1])


@pytest.fixture
def casemanager(site1):
    return UserFactory(username="casemanager", role=CASE_MANAGER, sites=[site1])


@pytest.fixture
def therapist2(site2):
    return UserFactory(username="therapist2", role=THERAPIST, sites=[site2])


@pytest.fixture
def admin_user(site1, site2):
    return UserFactory(username="admin", role=PROGRAM_ADMIN, sites=[site1, site2], is_staff=True, is_superuser=True)


@pytest.fixture
def programadmin(site1):
    return UserFactory(username="programadmin", role=PROGRAM_ADMIN, sites=[site1], is_staff=True)


@pytest.fixture
def episode1(site1, track1, therapist, casemanager):
    """An active IOP episode at site 1 (admitted 8 weeks ago)."""
    return EpisodeFactory(
        client=ClientFactory(mrn="RIC-0001", first_name="Ana", last_name="Diaz"),
        ref="RIC-0001-1",
        site=site1,
        track=track1,
        primary_therapist=therapist,
        case_manager=casemanager,
    )


def _login(user):
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def as_therapist(therapist):
    return _login(therapist)


@pytest.fixture
def as_casemanager(casemanager):
    return _login(casemanager)


@pytest.fixture
def as_therapist2(therapist2):
    return _login(therapist2)


@pytest.fixture
def as_admin(admin_user):
    return _login(admin_user)


@pytest.fixture
def as_programadmin(programadmin):
    return _login(programadmin)
