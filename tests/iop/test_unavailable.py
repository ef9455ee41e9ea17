"""#6: a database that cannot be reached gives 503 (``/healthz`` for the load balancer, a plain
"service unavailable" page elsewhere), never a 500 with a traceback."""

import pytest
from django.db import connection, connections
from django.test import Client as HttpClient

PAGES = ["/accounts/login/", "/", "/clients/"]


@pytest.fixture
def database_gone():
    """Every attempt to reach the database fails as when the server is down or the port wrong:
    the driver's OperationalError, wrapped by Django as in production."""

    def refuse():
        with connection.wrap_database_errors:
            raise connection.Database.OperationalError("connection refused (simulated)")

    wrapper = connections["default"]
    wrapper.ensure_connection = refuse  # on this thread's connection only
    yield
    del wrapper.ensure_connection  # back to the class's method (not a copy of it)


def _http():
    return HttpClient(raise_request_exception=False)


def test_healthz_answers_503_when_the_database_is_gone(database_gone):
    response = _http().get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable"


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_a_plain_503_page_when_the_database_is_gone(database_gone, path):
    http = _http()
    http.cookies["sessionid"] = "a-session-the-database-would-have-to-look-up"
    response = http.get(path)
    assert response.status_code == 503
    body = response.content.decode()
    assert "Service unavailable" in body
    assert "Traceback" not in body and "OperationalError" not in body and "simulated" not in body
    assert 'class="navbar' in body  # the app's layout, not a bare text page


def test_a_post_answers_503_when_the_database_is_gone(database_gone):
    response = _http().post("/accounts/login/", {"username": "therapist", "password": "x"})
    assert response.status_code == 503


def test_other_errors_still_answer_the_500_page(rf, db):
    from iop.views import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a wrong port needs a server database (PostgreSQL)")
def test_healthz_and_login_answer_503_on_a_wrong_port(monkeypatch, django_db_blocker):
    with django_db_blocker.unblock():
        connection.close()
        monkeypatch.setitem(connection.settings_dict, "PORT", "1")
        try:
            assert _http().get("/healthz").status_code == 503
            assert _http().get("/accounts/login/").status_code == 503
        finally:
            connection.close()
