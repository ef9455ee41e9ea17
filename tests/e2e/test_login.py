from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login
from tests.factories import PASSWORD
from tests.twofactor import authenticator


def test_therapist_signs_in_and_lands_on_the_caseload(page, therapist):
    login(page, "therapist")
    assert page.url.endswith("/")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert_accessible(page)


def test_wrong_password_shows_an_error_and_stays_signed_out(page, therapist):
    login(page, "therapist", password="wrong-password")
    assert "/accounts/login/" in page.url
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()


def test_login_page_is_accessible(page, db):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page)


def test_user_changes_their_password_from_the_user_menu(page, therapist):
    login(page, "therapist")
    page.get_by_role("button", name=therapist.get_full_name()).click()
    page.get_by_role("link", name="Change password").click()
    page.get_by_label("Old password").fill(PASSWORD)
    page.locator("#id_new_password1").fill("a-new-Passphrase-2026")
    page.get_by_label("New password confirmation").fill("a-new-Passphrase-2026")
    assert_accessible(page)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    therapist.refresh_from_db()
    assert therapist.check_password("a-new-Passphrase-2026")


def test_sign_out_from_the_user_menu_ends_the_session(page, therapist):
    login(page, "therapist")
    page.get_by_role("button", name=therapist.get_full_name()).click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    assert "/accounts/login/" in page.url
    page.goto("/clients/")
    assert "/accounts/login/" in page.url  # the session is gone


def test_admin_signs_in_with_an_authenticator_code_and_opens_the_admin(page, admin_user):
    authenticator(admin_user)
    page.goto("/accounts/login/?next=/admin/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/two-factor/verify/" in page.url
    expect(page.get_by_role("heading", name="Authentication code")).to_be_visible()
    assert_accessible(page)

    page.goto("/admin/")
    assert "/accounts/two-factor/verify/" in page.url  # nothing else opens before the code

    login(page, "admin")  # the helper types the current code of the authenticator
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def test_two_factor_set_up_page_is_accessible(page, therapist):
    login(page, "therapist")
    page.get_by_role("button", name=therapist.get_full_name()).click()
    page.get_by_role("link", name="Two-factor sign-in").click()
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("img", name="QR code of the authenticator set-up")).to_be_visible()
    assert_accessible(page)
