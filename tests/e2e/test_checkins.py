from django.urls import reverse
from playwright.sync_api import expect

from checkins.models import Addendum, CheckIn
from tests.e2e.conftest import assert_accessible, login
from tests.factories import monday


def test_therapist_fills_signs_and_amends_a_checkin(page, episode1, therapist):
    login(page, "therapist")
    page.goto(reverse("checkins:client", args=[episode1.client_id]))
    assert_accessible(page)
    page.get_by_role("button", name="Open check-in").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="The week in the record")).to_be_visible()

    page.get_by_label("Cravings (0 none – 10 worst)").fill("4")
    page.get_by_label("Engagement (1 – 5)").fill("4")
    page.get_by_label("Mood (1 – 5)").fill("3")
    page.get_by_label("Risk level").select_option("low")
    page.get_by_label("Transportation").check()
    page.get_by_label("Narrative note").fill("Engaged in group; practised refusal skills.")
    page.get_by_label("Recommendation", exact=True).select_option("continue")
    page.get_by_label("Rationale for the recommendation").fill("Needs more weeks of stable attendance.")
    for n in range(1, 10):
        answer = "1" if n <= 6 else "0"
        page.locator(f"input[name='phq9_{n}'][value='{answer}']").check()
    assert page.locator("#phq9-total").inner_text() == "6 (Mild)"
    page.locator("input[name='gad7_1'][value='2']").focus()  # the grid is a radio group: arrow keys answer it
    page.keyboard.press("ArrowRight")
    expect(page.locator("input[name='gad7_1'][value='3']")).to_be_checked()
    assert page.locator("#gad7-total").inner_text() == "3 so far (1 of 7 answered)"
    for n in range(2, 8):
        page.locator(f"input[name='gad7_{n}'][value='2']").check()
    assert page.locator("#gad7-total").inner_text() == "15 (Severe)"
    assert_accessible(page)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Draft saved.")).to_be_visible()

    page.get_by_role("button", name="Save and sign").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Check-in signed.")).to_be_visible()
    signed_text = page.locator("#signed-checkin").inner_text()
    assert "Engaged in group; practised refusal skills." in signed_text and "6 (Mild)" in signed_text

    page.get_by_label("Addendum").fill("Client later reported the Tuesday absence was for a court date.")
    page.get_by_role("button", name="Add addendum").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Addendum added.")).to_be_visible()
    assert page.locator("#signed-checkin").inner_text() == signed_text
    assert (
        page.locator(".addendum")
        .first.inner_text()
        .endswith("Client later reported the Tuesday absence was for a court date.")
    )
    assert_accessible(page)

    checkin = CheckIn.objects.get()
    assert checkin.week == monday() and checkin.signed_by == therapist
    assert checkin.note == "Engaged in group; practised refusal skills."
    assert Addendum.objects.filter(checkin=checkin).count() == 1

    page.goto(reverse("checkins:client", args=[episode1.client_id]))
    expect(page.get_by_text("Client later reported the Tuesday absence was for a court date.")).to_be_visible()
    assert_accessible(page)


def test_due_list_is_accessible_and_links_to_the_form(page, episode1, therapist):
    login(page, "therapist")
    page.goto(reverse("checkins:due"))
    assert_accessible(page)
    page.get_by_role("link", name=f"Start check-in for {episode1.client.full_name}").click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="Save draft")).to_be_visible()
