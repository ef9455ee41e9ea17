"""Permissions are read in one query (accounts.backends.StaffBackend) and are exactly Django's
ModelBackend's answers; sessions signed in through ModelBackend stay signed in after the deploy
(accounts/migrations/0001)."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import MODEL_BACKEND_PATH, PATH, StaffBackend
from tests.factories import UserFactory


def _permission(codename):
    return Permission.objects.get(codename=codename)


def _user(own=(), groups=(), **fields):
    """A user with ``own`` permissions and one group per tuple of codenames in ``groups``."""
    user = UserFactory(**fields)
    user.user_permissions.set([_permission(c) for c in own])
    for i, codenames in enumerate(groups):
        group = Group.objects.create(name=f"{user.username} group {i}")
        group.permissions.set([_permission(c) for c in codenames])
        user.groups.add(group)
    return type(user).objects.get(pk=user.pk)  # no permission cache yet


@pytest.mark.django_db
@pytest.mark.parametrize(
    "own, groups, fields",
    [
        ((), (), {}),  # none
        (("view_client",), (), {}),  # their own only
        ((), (("view_client", "add_client"),), {}),  # a group's only
        (("view_client",), (("view_client",), ("change_episode",)), {}),  # overlapping, two groups
        (("view_client",), (("add_client",),), {"is_active": False}),  # inactive: none
        ((), (), {"is_superuser": True}),  # a superuser: every permission
    ],
)
def test_the_permissions_are_model_backends(own, groups, fields):
    user = _user(own, groups, **fields)
    expected = ModelBackend().get_all_permissions(_user_again(user))
    with CaptureQueriesContext(connection) as queries:
        assert StaffBackend().get_all_permissions(user) == expected
        for perm in expected | {"clients.view_client", "clients.delete_client"}:  # read again: cached
            assert StaffBackend().has_perm(user, perm) == (perm in expected)
    assert len(queries) == (1 if user.is_active else 0)


def _user_again(user):
    return type(user).objects.get(pk=user.pk)


@pytest.mark.django_db
def test_a_signed_in_user_is_checked_in_one_query(client, casemanager):
    client.force_login(casemanager)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    permission_reads = [q["sql"] for q in queries if '"auth_permission"' in q["sql"]]
    assert len(permission_reads) == 1


def _migration():
    return importlib.import_module("accounts.migrations.0001_sessions_backend")


def _session(user, backend):
    session = SessionStore()
    session.update(
        {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: user.get_session_auth_hash()}
    )
    session.create()
    return session.session_key


@pytest.mark.django_db
def test_a_session_signed_in_through_model_backend_is_still_signed_in_after_the_migration(client, casemanager):
    key = _session(casemanager, MODEL_BACKEND_PATH)
    client.cookies["sessionid"] = key
    assert client.get("/").status_code == 302  # ModelBackend is no longer configured: signed out

    _migration().forwards(apps, None)

    assert SessionStore(session_key=key).load()[BACKEND_SESSION_KEY] == PATH
    client.cookies["sessionid"] = key
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user == casemanager


@pytest.mark.django_db
def test_reversed_the_migration_names_model_backend_again(casemanager):
    key = _session(casemanager, PATH)
    _migration().backwards(apps, None)
    assert SessionStore(session_key=key).load()[BACKEND_SESSION_KEY] == MODEL_BACKEND_PATH
