"""Browser: a program admin finds who opened a record and a refused attempt in the access log."""

from django.urls import reverse
from playwright.sync_api import expect

from programs.roles import PROGRAM_ADMIN
from tests.e2e.conftest import assert_accessible, login
from tests.factories import UserFactory


def test_program_admin_reviews_who_opened_a_record_and_the_denied_attempts(page, site1, episode1, therapist):
    UserFactory(username="admin_ric", role=PROGRAM_ADMIN, sites=[site1], is_staff=True)
    login(page, "therapist")
    page.goto(reverse("clients:detail", args=[episode1.client_id]))
    assert page.goto(reverse("dashboard:report")).status == 403
    page.context.clear_cookies()

    login(page, "admin_ric")
    page.get_by_role("link", name="Access log").click()
    page.get_by_label("Client MRN").fill("RIC-0001")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(f"**/audit/?client={episode1.client_id}")
    rows = page.locator("#access-events tbody tr")
    assert rows.filter(has_text="therapist").filter(has_text="Viewed").count() == 1
    assert "RIC-0001" not in page.url
    assert_accessible(page)

    page.get_by_role("link", name="Denied attempts").click()
    page.wait_for_url("**action=denied")
    denied = page.locator("#access-events tbody tr")
    assert denied.count() == 1
    expect(denied.first.get_by_text("Denied (403)")).to_be_visible()
    expect(denied.first.get_by_text(reverse("dashboard:report"))).to_be_visible()

    page.goto(reverse("clients:detail", args=[episode1.client_id]))
    page.get_by_role("link", name="Who opened this record").click()
    openers = page.locator("#record-openers tbody tr")
    assert openers.filter(has_text="therapist").count() == 1
    assert_accessible(page)
