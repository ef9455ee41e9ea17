"""Schedules and telehealth in a browser (issues 14 and 15): a therapist schedules a video
individual session for a client from the Attendance tab, finds it in the week view, and
reschedules it."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from attendance.models import Session
from tests.e2e.conftest import assert_accessible, login


def test_therapist_schedules_a_video_session_sees_it_in_the_week_and_reschedules_it(page, episode1, therapist):
    today = timezone.localdate()
    day = today + dt.timedelta(days=(2 - today.weekday()) % 7 or 7)  # next Wednesday
    login(page, "therapist")
    page.goto(f"/attendance/client/{episode1.client_id}/")
    expect(page.get_by_text("No session scheduled for this client.")).to_be_visible()
    page.get_by_text("Schedule a session").click()
    page.get_by_label("Session").select_option("individual")
    page.get_by_label("Date").first.fill(day.isoformat())
    page.get_by_label("Time").first.fill("10:30")
    page.get_by_label("Length (minutes)").fill("50")
    page.get_by_label("Modality").first.select_option("video")
    page.get_by_label("Clinician").select_option(str(therapist.pk))
    assert_accessible(page)
    page.get_by_role("button", name="Schedule session").click()
    page.wait_for_load_state()
    expect(page.get_by_text(f"Session scheduled for {day:%m/%d/%Y} at 10:30.")).to_be_visible()
    session = Session.objects.get(scheduled_for=episode1)
    assert (session.modality, session.status, session.facilitator_id) == ("video", "scheduled", therapist.pk)

    page.goto(f"/attendance/week/?week={day.isoformat()}")
    listed = page.locator(".week-session", has_text="Ana Diaz")
    expect(listed).to_contain_text("10:30")
    expect(listed).to_contain_text("Video")
    assert_accessible(page)

    listed.get_by_role("link").click()
    page.wait_for_url("**/attendance/sessions/*/")  # the click's page, not the one it left
    page.get_by_role("link", name="Reschedule").click()
    page.wait_for_url("**/reschedule/")
    later = day + dt.timedelta(days=1)
    page.get_by_label("Date").fill(later.isoformat())
    page.get_by_label("Time").fill("15:00")
    assert_accessible(page)
    page.get_by_role("button", name="Reschedule").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Session rescheduled.")).to_be_visible()
    expect(page.locator("#rescheduled-from")).to_have_text(f"Rescheduled from {day:%m/%d/%Y} 10:30")

    page.goto(f"/attendance/week/?week={later.isoformat()}")
    expect(page.locator(".week-session", has_text="Ana Diaz")).to_contain_text("15:00")
    session.refresh_from_db()
    assert (session.date, session.start_time) == (later, dt.time(15))
    assert session.history.count() == 2
