"""Sign-in lockout (issue 12 #15, #14's long username): per account and per IP, not extended
by attempts while locked, the proxy's client address only behind the TLS proxy, a page in the
app's layout."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client as HttpClient
from django.utils import timezone

from tests.factories import PASSWORD

PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _lockouts_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_ACCOUNT_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 20
    settings.BEHIND_TLS_PROXY = False


def attempt(username, password="wrong-password", ip="203.0.113.7", forwarded=None):
    extra = {"REMOTE_ADDR": ip}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return HttpClient(**extra).post("/accounts/login/", {"username": username, "password": password})


def signed_in(response):
    return response.status_code == 302


def test_five_failures_lock_the_account_with_a_page_in_the_app_layout(therapist):
    for _ in range(4):
        assert attempt("therapist").status_code == 200

    locked = attempt("therapist")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Sign-in paused" in html and "30 minutes" in html
    assert 'aria-label="Main"' in html  # the app's layout, not bare text
    assert attempt("therapist", PASSWORD).status_code == 429  # even the right password


def test_an_attempt_while_locked_does_not_extend_the_lock(therapist):
    for _ in range(5):
        attempt("therapist")
    record = AccessAttempt.objects.get(username="therapist")
    locked_at = timezone.now() - dt.timedelta(minutes=29)
    AccessAttempt.objects.filter(pk=record.pk).update(attempt_time=locked_at)

    assert attempt("therapist").status_code == 429
    assert attempt("therapist", PASSWORD).status_code == 429
    record.refresh_from_db()
    assert record.attempt_time == locked_at
    assert record.failures_since_start == 5

    AccessAttempt.objects.filter(pk=record.pk).update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert signed_in(attempt("therapist", PASSWORD))  # 30 minutes after the lock, not after the last try


def test_a_password_spray_over_twelve_usernames_locks_the_ip(therapist):
    usernames = [f"user{i}" for i in range(12)]
    failures = 0
    while failures < 19:
        attempt(usernames[failures % 12])
        failures += 1
    assert attempt("user0").status_code == 429  # the 20th failure from this IP

    assert attempt("therapist", PASSWORD).status_code == 429  # the IP is paused for every account
    assert signed_in(attempt("therapist", PASSWORD, ip="198.51.100.9"))  # another IP is not


def test_one_account_failing_does_not_lock_the_others_at_the_same_ip(therapist, casemanager):
    for _ in range(5):
        attempt("therapist")
    assert signed_in(attempt("casemanager", PASSWORD))


def test_a_forwarded_for_header_is_ignored_without_the_tls_proxy(therapist):
    for i in range(5):
        attempt("therapist", forwarded=f"192.0.2.{i}")  # a client cannot pick its address
    assert attempt("therapist", PASSWORD, forwarded="192.0.2.99").status_code == 429


def test_behind_the_tls_proxy_each_client_address_is_counted_apart(therapist, settings):
    settings.BEHIND_TLS_PROXY = True
    for _ in range(5):
        # the left-most entry is the client's own claim; the right-most is what the proxy saw
        attempt("therapist", ip=PROXY, forwarded="192.0.2.50, 198.51.100.1")
    assert attempt("therapist", PASSWORD, ip=PROXY, forwarded="198.51.100.1").status_code == 429

    # Another client behind the same proxy is not locked out by the first one's failures.
    assert signed_in(attempt("therapist", PASSWORD, ip=PROXY, forwarded="198.51.100.2"))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}


def test_a_username_over_255_characters_is_a_field_error_not_a_500(db):
    response = attempt("u" * 300)

    assert response.status_code == 200
    assert "A username has at most 150 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()
