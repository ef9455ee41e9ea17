"""Issue 11 safety gap: a check-in with PHQ-9 item 9 > 0 is not signed until the risk is assessed."""

from playwright.sync_api import expect

from checkins.models import CheckIn
from tests.e2e.conftest import assert_accessible, login

SAFETY_NOTE = (
    "Asked about item 9: passive thoughts of death this week, no plan, no intent, no means at home. "
    "Safety plan reviewed; crisis line number given."
)


def test_item9_above_0_cannot_be_signed_until_risk_is_assessed(page, episode1, therapist):
    login(page, "therapist")
    page.goto(f"/checkins/client/{episode1.client_id}/")
    page.get_by_role("button", name="Open check-in").click()
    page.get_by_label("Recommendation", exact=True).select_option("continue")
    page.get_by_label("Risk level").select_option("none")
    for n in range(1, 10):
        answer = "2" if n == 9 else "0"
        page.locator(f"input[name='phq9_{n}'][value='{answer}']").check()
    banner = page.locator("#item9-answer")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("PHQ-9 item 9 (thoughts of death or of self-harm): 2 – More than half the days")

    page.get_by_role("button", name="Save and sign").click()
    expect(page.get_by_role("alert").filter(has_text="Not signed: see the risk").first).to_be_visible()
    expect(page.locator("#id_risk").locator("xpath=..")).to_contain_text("assess the risk before signing")
    expect(page.get_by_text("write a safety note of at least 80 characters")).to_be_visible()
    expect(page.locator("#item9-answer")).to_be_visible()  # still shown after the refusal
    assert not CheckIn.objects.exists()

    page.get_by_label("Assessed: no current risk").check()
    page.get_by_label("Safety note").fill(SAFETY_NOTE)
    page.get_by_role("button", name="Save and sign").click()
    expect(page.get_by_text("Check-in signed.")).to_be_visible()
    signed = page.locator("#signed-checkin")
    expect(signed).to_contain_text("2 – More than half the days")
    expect(signed).to_contain_text("assessed: no current risk")
    expect(signed).to_contain_text("Safety plan reviewed")
    assert_accessible(page)
    checkin = CheckIn.objects.get()
    assert checkin.is_signed and checkin.no_current_risk and checkin.phq9_items[8] == 2
