import pytest

from audit.models import AccessEvent


def test_healthz_answers_ok_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_home_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona, status", [("as_therapist", 200), ("as_therapist2", 404), ("as_admin", 200)])
def test_client_record_is_scoped_to_the_users_sites(request, episode1, persona, status):
    http = request.getfixturevalue(persona)
    response = http.get(f"/clients/{episode1.client_id}/")
    assert response.status_code == status
    assert AccessEvent.objects.filter(client=episode1.client).count() == (1 if status == 200 else 0)
