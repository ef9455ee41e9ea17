"""Screens tab in a real browser: a negative cup, a positive that the lab overturns, the streak."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from screening.models import Analyte, Screen, ScreenResult
from tests.e2e.conftest import assert_accessible, login


def test_record_negative_cup_then_positive_overturned_by_lab_and_streak(page, casemanager, episode1):
    coc = Analyte.objects.get(code="COC")
    login(page, "casemanager")
    page.goto(f"/screening/client/{episode1.client.pk}/")
    expect(page.get_by_role("heading", name="Record a screen")).to_be_visible()
    assert_accessible(page)

    # A negative cup collected yesterday morning: only the time changes, then one click.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.locator("#id_collected_at").fill(f"{yesterday:%Y-%m-%d}T09:30")
    page.get_by_role("button", name="Save negative screen").click()
    page.wait_for_load_state()
    expect(page.get_by_text("saved (completed)")).to_be_visible()
    expect(page.locator("#negative-streak")).to_contain_text("1 screen over 0 days")

    # Today: COC positive on the cup, sent to the lab.
    page.locator(f"label[for='id_result_{coc.pk}_1']").click()
    expect(page.get_by_role("button", name="Save screen")).to_be_visible()
    page.get_by_role("button", name="Save screen").click()
    page.wait_for_load_state()
    timeline = page.locator("#screen-timeline")
    expect(timeline.get_by_text("Unexpected positive")).to_be_visible()  # until the lab overturns it
    expect(timeline.get_by_text("presumptive, lab pending since")).to_be_visible()
    expect(page.locator("#negative-streak")).to_contain_text("0 screens")
    assert ScreenResult.objects.get(analyte=coc, result="positive").confirmation == "pending"

    # It waits on the pending-confirmation work list.
    page.get_by_role("link", name="Pending labs").click()
    expect(page.get_by_role("heading", name="Pending lab confirmations")).to_be_visible()
    expect(page.locator("#pending-results").get_by_text("0 days")).to_be_visible()
    assert_accessible(page)
    page.go_back()

    # The lab answers: confirmed negative overturns the presumptive positive.
    page.get_by_role("button", name="Lab: COC confirmed negative").click()
    page.wait_for_load_state()
    expect(timeline.get_by_text("overturned: confirmed negative by the lab")).to_be_visible()
    expect(page.locator("#negative-streak")).to_contain_text("2 screens over 1 day")
    assert [s.outcome for s in Screen.objects.all()] == ["completed", "completed"]
    assert_accessible(page)


def test_refused_screen_is_one_click_plus_reason(page, therapist, episode1):
    login(page, "therapist")
    page.goto(f"/screening/client/{episode1.client.pk}/")
    page.get_by_label("Reason (refused or missed)").fill("Declined, said she would come back")
    page.get_by_role("button", name="Record refused").click()
    page.wait_for_load_state()
    expect(page.locator("#screen-timeline").get_by_text("Refused", exact=True)).to_be_visible()
    assert Screen.objects.get().reason == "Declined, said she would come back"
