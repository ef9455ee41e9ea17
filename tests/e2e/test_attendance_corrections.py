"""Browser: a therapist corrects a signed roster's wrong status (issue 15): the original stays on
the signed note, the dated correction appears beside it, and the Attendance tab counts it."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from attendance import services
from attendance.models import AttendanceCorrection
from tests.e2e.conftest import assert_accessible, login
from tests.factories import AttendanceFactory, SessionFactory


def test_therapist_corrects_a_signed_absence_and_the_original_stays_visible(page, episode1, site1, track1, therapist):
    session = SessionFactory(
        site=site1, track=track1, date=timezone.localdate() - dt.timedelta(days=1), group_note="Urge surfing."
    )
    AttendanceFactory(session=session, episode=episode1, status="absent")
    services.session_note_sign(session=session, by=therapist)
    login(page, "therapist")
    page.goto(f"/attendance/sessions/{session.pk}/")
    expect(page.get_by_text("Note signed")).to_be_visible()

    page.get_by_text("Correct Ana Diaz's attendance").click()
    page.get_by_label("Corrected status").select_option("late")
    page.get_by_label("Corrected minutes attended").fill("150")
    page.get_by_label("Reason for the correction").fill("Sign-in sheet: arrived 6:30 pm.")
    page.get_by_role("button", name="Record the correction").click()
    page.wait_for_load_state()

    expect(page.get_by_text("Attendance of Ana Diaz corrected.")).to_be_visible()
    corrections = page.locator("#session-corrections")
    expect(corrections).to_contain_text("signed as Unexcused absence, 0 min")
    expect(corrections).to_contain_text("Unexcused absence → Late (0 → 150 min) (Sign-in sheet: arrived 6:30 pm.)")
    expect(corrections).to_contain_text(f"Corrected on {timezone.localdate():%m/%d/%Y}")
    assert AttendanceCorrection.objects.get().status == "late"
    assert_accessible(page)

    page.goto(f"/attendance/client/{episode1.client_id}/")
    expect(page.get_by_text("corrected; signed as Unexcused absence")).to_be_visible()
    expect(page.locator("#attendance-rate")).to_contain_text("1 attended of 1 expected")
    assert_accessible(page)
