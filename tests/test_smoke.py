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


def test_start_up_without_a_secret_key_fails_with_one_clear_line(tmp_path):
    """With DEBUG off and no DJANGO_SECRET_KEY, manage.py stops before doing anything (issue 2)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    # Set but empty: a developer's .env (read without overwriting) cannot supply one.
    env.update(DJANGO_DEBUG="off", DJANGO_SECRET_KEY="", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=root, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Configuration error: DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
        "(generate one: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    ]
