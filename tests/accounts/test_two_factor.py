"""Two-factor sign-in (issue 12 #4): the second step of the login, the admin site behind it,
recovery codes, and setting it up from the account page."""

import pytest
from django.test import Client as HttpClient
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.twofactor import recovery_codes_replace
from programs.roles import PROGRAM_ADMIN
from tests.factories import PASSWORD, UserFactory
from tests.twofactor import authenticator, current_code

VERIFY = "/accounts/two-factor/verify/"


def sign_in(username):
    """Step 1 through the real login form; returns the browser-like client and the response."""
    http = HttpClient()
    response = http.post("/accounts/login/", {"username": username, "password": PASSWORD, "next": "/admin/"})
    return http, response


@pytest.fixture
def admin_device(admin_user):
    return authenticator(admin_user)


def test_admin_signed_in_without_the_code_cannot_reach_the_admin(admin_device):
    http, response = sign_in("admin")

    assert response.status_code == 302
    assert response.url.startswith(VERIFY)
    for path in ("/admin/", "/admin/auth/user/", "/clients/", "/"):
        page = http.get(path)
        assert page.status_code == 302 and page.url.startswith(VERIFY), path
    step2 = http.get(response.url)
    assert 'name="otp_token"' in step2.content.decode()


def test_admin_with_a_valid_code_reaches_the_admin(admin_device):
    http, response = sign_in("admin")

    verified = http.post(response.url, {"otp_token": current_code(admin_device), "next": "/admin/"})

    assert verified.status_code == 302 and verified.url == "/admin/"
    page = http.get("/admin/")
    assert page.status_code == 200
    assert "Site administration" in page.content.decode()


def test_a_wrong_code_is_refused_with_a_message(admin_device):
    http, response = sign_in("admin")
    wrong = f"{(int(current_code(admin_device)) + 1) % 1_000_000:06d}"

    refused = http.post(response.url, {"otp_token": wrong, "next": "/admin/"})

    assert refused.status_code == 200
    assert "That code is not valid" in refused.content.decode()
    assert http.get("/admin/").status_code == 302


def test_a_recovery_code_signs_in_once(admin_user, admin_device):
    code = recovery_codes_replace(user=admin_user)[0]

    http, response = sign_in("admin")
    assert http.post(response.url, {"otp_token": code}).status_code == 302
    assert http.get("/admin/").status_code == 200
    http.post("/accounts/logout/")

    http, response = sign_in("admin")
    again = http.post(response.url, {"otp_token": code})
    assert again.status_code == 200
    assert "already used" in again.content.decode()
    assert http.get("/admin/").status_code == 302


def test_a_program_admin_without_a_device_is_sent_to_set_one_up_first(site1):
    UserFactory(username="padmin", role=PROGRAM_ADMIN, sites=[site1])

    http, response = sign_in("padmin")
    setup = http.get(response.url, follow=True)

    assert setup.redirect_chain[-1][0].startswith("/accounts/two-factor/setup/")
    assert "Your role needs a second factor" in setup.content.decode()
    assert http.get("/clients/").url.startswith(VERIFY)


def test_the_admin_site_refuses_a_staff_session_that_is_not_verified(admin_user):
    """Even a signed-in staff session without the second step never sees the admin."""
    http = HttpClient()
    http.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    response = http.get("/admin/clients/client/")
    assert response.status_code == 302
    assert "Site administration" not in http.get("/admin/", follow=True).content.decode()


def test_a_therapist_enables_two_factor_from_the_account_page_and_is_then_asked_for_the_code(as_therapist, therapist):
    account = as_therapist.get("/accounts/two-factor/")
    assert "Set up two-factor sign-in" in account.content.decode()

    setup = as_therapist.get("/accounts/two-factor/setup/")
    html = setup.content.decode()
    assert "<svg" in html  # the QR code is drawn on the server, inline: no external service, no script
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    device = TOTPDevice(key=as_therapist.session["two_factor_setup_key"])
    assert setup.context["secret"] in html

    done = as_therapist.post("/accounts/two-factor/setup/", {"otp_token": current_code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert TOTPDevice.objects.filter(user=therapist, confirmed=True).count() == 1
    assert "two_factor_setup_key" not in as_therapist.session
    as_therapist.post("/accounts/logout/")

    http, response = sign_in("therapist")
    assert response.url.startswith(VERIFY)
    assert http.get("/clients/").url.startswith(VERIFY)
    assert http.post(response.url, {"otp_token": codes[0], "next": "/clients/"}).url == "/clients/"
    assert http.get("/clients/").status_code == 200


def test_a_wrong_code_at_set_up_saves_nothing(as_therapist, therapist):
    as_therapist.get("/accounts/two-factor/setup/")

    response = as_therapist.post("/accounts/two-factor/setup/", {"otp_token": "000000x"})

    assert response.status_code == 200
    assert "does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=therapist).exists()


def test_a_therapist_without_two_factor_signs_in_with_the_password_only(therapist):
    http, response = sign_in("therapist")
    assert response.status_code == 302 and not response.url.startswith(VERIFY)
    assert http.get("/clients/").status_code == 200


def test_a_program_admin_cannot_turn_two_factor_off(as_admin, admin_user):
    authenticator(admin_user)
    response = as_admin.post("/accounts/two-factor/disable/", follow=True)
    assert "required for your role" in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin_user).exists()


def test_a_session_signed_in_before_two_factor_existed_is_asked_for_the_code(admin_user, admin_device):
    http = HttpClient()
    http.force_login(admin_user)
    session = http.session
    session.pop("two_factor_required")
    session.pop("otp_device_id")
    session.save()

    response = http.get("/clients/")

    assert response.status_code == 302 and response.url.startswith(VERIFY)


def test_a_code_once_used_cannot_sign_in_again(admin_device):
    code = current_code(admin_device)
    http, response = sign_in("admin")
    assert http.post(response.url, {"otp_token": code}).status_code == 302
    http.post("/accounts/logout/")

    http, response = sign_in("admin")
    replay = http.post(response.url, {"otp_token": code})

    assert replay.status_code == 200 and "already used" in replay.content.decode()
    assert http.get("/admin/").status_code == 302


@pytest.mark.parametrize("hostile", ["ab", "//evil.example/", "https://evil.example/", "javascript:alert(1)"])
def test_the_code_step_never_redirects_off_site_nor_fails_on_a_hostile_next(admin_device, hostile):
    http, response = sign_in("admin")

    page = http.get(VERIFY, {"next": hostile})
    verified = http.post(VERIFY, {"otp_token": current_code(admin_device), "next": hostile})

    assert page.status_code == 200
    assert verified.status_code == 302 and verified.url == "/home/"
