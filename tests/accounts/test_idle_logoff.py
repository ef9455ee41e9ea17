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
