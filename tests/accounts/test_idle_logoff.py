"""Automatic logoff (issue 12 #7): an idle session ends with a redirect to the login page and
a message saying why, never a 500."""

import time

from iop.middleware import LAST_SEEN_KEY


def _idle_for(http, seconds):
    session = http.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_is_signed_out_to_the_login_page_with_the_reason(as_therapist, settings):
    settings.IDLE_TIMEOUT_SECONDS = 20 * 60
    _idle_for(as_therapist, 20 * 60 + 5)

    response = as_therapist.get("/clients/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/clients/"
    login_page = as_therapist.get(response.url)
    assert "You were signed out after 20 minutes without activity" in login_page.content.decode()
    assert as_therapist.get("/clients/").status_code == 302  # the session is gone


def test_an_active_session_stays_signed_in(as_therapist, settings):
    settings.IDLE_TIMEOUT_SECONDS = 20 * 60
    _idle_for(as_therapist, 20 * 60 - 30)
    assert as_therapist.get("/clients/").status_code == 200


def _session_writes(queries):
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]


def test_a_request_within_a_minute_of_the_last_one_does_not_rewrite_the_session(as_therapist, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.IDLE_TIMEOUT_SECONDS = 20 * 60
    _idle_for(as_therapist, 30)
    with CaptureQueriesContext(connection) as queries:
        assert as_therapist.get("/clients/").status_code == 200
    assert _session_writes(queries.captured_queries) == []
    assert int(time.time()) - as_therapist.session[LAST_SEEN_KEY] >= 30  # left as it was


def test_a_request_a_minute_or_more_after_the_last_write_moves_the_idle_clock(as_therapist, settings):
    settings.IDLE_TIMEOUT_SECONDS = 20 * 60
    _idle_for(as_therapist, 19 * 60)
    assert as_therapist.get("/clients/").status_code == 200
    assert int(time.time()) - as_therapist.session[LAST_SEEN_KEY] < 5
