"""Screens tab in a real browser: a negative cup, a positive that the lab overturns, the streak."""

import datetime as dt

from django.utils import timezone

from screening.models import Analyte, Screen, ScreenResult
from tests.e2e.conftest import assert_accessible, login


def test_record_negative_cup_then_positive_overturned_by_lab_and_streak(page, casemanager, episode1):
    coc = Analyte.objects.get(code="COC")
    login(page, "casemanager")
    page.goto(f"/screening/client/{episode1.client.pk}/")
    assert page.get_by_role("heading", name="Record a screen").is_visible()
    assert_accessible(page)

    # A negative cup collected yesterday morning: only the time changes, then one click.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.locator("#id_collected_at").fill(f"{yesterday:%Y-%m-%d}T09:30")
    page.get_by_role("button", name="Save negative screen").click()
    page.wait_for_load_state()
    assert page.get_by_text("saved (completed)").is_visible()
    assert "1 screen over 0 days" in page.locator("#negative-streak").inner_text()

    # Today: COC positive on the cup, sent to the lab.
    page.locator(f"label[for='id_result_{coc.pk}_1']").click()
    assert page.get_by_role("button", name="Save screen").is_visible()
    page.get_by_role("button", name="Save screen").click()
    page.wait_for_load_state()
    timeline = page.locator("#screen-timeline")
    assert timeline.get_by_text("Unexpected positive").is_visible()  # until the lab overturns it
    assert timeline.get_by_text("presumptive, lab pending since").is_visible()
    assert "0 screens" in page.locator("#negative-streak").inner_text()
    assert ScreenResult.objects.get(analyte=coc, result="positive").confirmation == "pending"

    # It waits on the pending-confirmation work list.
    page.get_by_role("link", name="Pending labs").click()
    assert page.get_by_role("heading", name="Pending lab confirmations").is_visible()
    assert page.locator("#pending-results").get_by_text("0 days").is_visible()
    assert_accessible(page)
    page.go_back()

    # The lab answers: confirmed negative overturns the presumptive positive.
    page.get_by_role("button", name="Lab: COC confirmed negative").click()
    page.wait_for_load_state()
    assert timeline.get_by_text("overturned: confirmed negative by the lab").is_visible()
    assert "2 screens over 1 day" in page.locator("#negative-streak").inner_text()
    assert [s.outcome for s in Screen.objects.all()] == ["completed", "completed"]
    assert_accessible(page)


def test_refused_screen_is_one_click_plus_reason(page, therapist, episode1):
    login(page, "therapist")
    page.goto(f"/screening/client/{episode1.client.pk}/")
    page.get_by_label("Reason (refused or missed)").fill("Declined, said she would come back")
    page.get_by_role("button", name="Record refused").click()
    page.wait_for_load_state()
    assert page.locator("#screen-timeline").get_by_text("Refused", exact=True).is_visible()
    assert Screen.objects.get().reason == "Declined, said she would come back"
