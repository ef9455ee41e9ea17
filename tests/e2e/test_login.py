from tests.e2e.conftest import assert_accessible, login


def test_therapist_signs_in_and_lands_on_the_caseload(page, therapist):
    login(page, "therapist")
    assert page.url.endswith("/")
    assert page.get_by_role("navigation", name="Main").is_visible()
    assert_accessible(page)


def test_wrong_password_shows_an_error_and_stays_signed_out(page, therapist):
    login(page, "therapist", password="wrong-password")
    assert "/accounts/login/" in page.url
    assert page.get_by_text("Please enter a correct username and password").is_visible()
