"""Attendance corrections after signing (issue 15): a structured, append-only correction that
changes what the row counts as everywhere, while the signed roster stays visible as signed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import Attendance, AttendanceCorrection
from attendance.queries import attendance_overview, week_attendance
from clients.models import Episode
from dashboard.queries import episode_evaluation
from dashboard.reports import report_build
from iop.errors import StaleEdit
from letters.content import letter_content
from tests.factories import AttendanceFactory, SessionFactory


@pytest.fixture
def signed(episode1, site1, track1, therapist, today):
    """Three sessions of the last days, signed: present, present, absent (the last one wrong)."""
    rows = []
    for days, status in ((3, "present"), (2, "present"), (1, "absent")):
        session = SessionFactory(
            site=site1, track=track1, date=today - dt.timedelta(days=days), group_note="Relapse prevention."
        )
        rows.append(AttendanceFactory(session=session, episode=episode1, status=status))
        services.session_note_sign(session=session, by=therapist)
    return rows


def _post(http, row, **fields):
    data = {"attendance": row.pk, "seen": 0, "status": "present", "minutes": "", "reason": "Signed in late: sheet."}
    data.update(fields)
    return http.post(reverse("attendance:session_correct", args=[row.session_id]), data)


def test_a_correction_changes_the_markers_and_leaves_the_signed_row_as_signed(signed, episode1, therapist, today):
    before = episode_evaluation(episode1, today).markers
    assert before.attendance_rate_4w == pytest.approx(2 / 3)
    absent = signed[2]
    digest = absent.session.signature_sha256

    services.attendance_correct(attendance=absent, status="present", reason="Was there: sign-in sheet.", by=therapist)

    after = episode_evaluation(episode1, today).markers
    assert after.attendance_rate_4w == 1.0
    absent.refresh_from_db()
    assert (absent.status, absent.minutes_attended) == ("absent", 0)  # the signed row is untouched
    absent.session.refresh_from_db()
    assert absent.session.signature_sha256 == digest
    assert absent.session.signature_check == "intact"  # the signature still covers what was signed


def test_the_signed_note_shows_the_original_and_the_dated_correction(as_therapist, signed, therapist):
    absent = signed[2]
    response = _post(as_therapist, absent, reason="Sign-in sheet shows her.")
    assert response.status_code == 302
    page = as_therapist.get(reverse("attendance:session", args=[absent.session_id])).content.decode()
    correction = AttendanceCorrection.objects.get()
    on = timezone.localtime(correction.corrected_at)
    line = (
        f"Corrected on {on:%m/%d/%Y} by {therapist.get_full_name() or therapist.username}: "
        "Unexcused absence → Present (0 → 180 min) (Sign-in sheet shows her.)"
    )
    assert line in page
    assert "signed as Unexcused absence, 0 min" in page  # the original stays visible on the note
    assert "Relapse prevention." in page


def test_the_attendance_tab_counts_the_correction_and_shows_the_original(as_therapist, signed, episode1, today):
    _post(as_therapist, signed[2])
    response = as_therapist.get(reverse("attendance:client", args=[episode1.client_id]))
    page = response.content.decode()
    assert response.context["rate"].attended == 3 and response.context["rate"].unexcused == 0
    assert "corrected; signed as Unexcused absence" in page
    assert "Unexcused absence → Present" in page


def test_every_reader_counts_the_corrected_status(signed, episode1, therapist, casemanager, today):
    absent = signed[2]
    services.attendance_correct(attendance=absent, status="excused", reason="Called in sick.", by=casemanager)
    week = week_attendance(episode1, absent.session.date)  # the check-in form's week summary
    assert (week.unexcused, week.excused) == (0, 1)
    overview = attendance_overview(episode1, today)
    assert (overview.rate.unexcused, overview.rate.excused) == (0, 1)
    report = report_build(
        episodes=Episode.objects.filter(pk=episode1.pk), start=today - dt.timedelta(days=10), end=today
    )
    assert report.total.attendance_rate == 1.0
    letter = letter_content(
        episode=episode1, categories=["attendance"], period_start=today - dt.timedelta(days=10), period_end=today
    )
    assert (letter.sections["attendance"]["unexcused"], letter.sections["attendance"]["excused"]) == (0, 1)


def test_the_latest_correction_wins_and_each_is_kept(signed, therapist, casemanager, episode1, today):
    absent = signed[2]
    first = services.attendance_correct(attendance=absent, status="present", reason="Sheet.", by=therapist)
    services.attendance_correct(
        attendance=absent,
        status="late",
        minutes=120,
        reason="Came at 7pm.",
        by=casemanager,
        seen_correction_id=first.pk,
    )
    assert AttendanceCorrection.objects.filter(attendance=absent).count() == 2
    facts = [f for f in attendance_overview(episode1, today).rows if f.pk == absent.pk]
    assert (facts[0].effective_status, facts[0].effective_minutes) == ("late", 120)
    assert [line[2] for line in facts[0].correction_lines] == ["Present", "Late"]


def test_a_correction_marks_the_markers_snapshot_stale(signed, episode1, therapist):
    version = Episode.objects.get(pk=episode1.pk).inputs_version
    services.attendance_correct(attendance=signed[2], status="present", reason="Sheet.", by=therapist)
    assert Episode.objects.get(pk=episode1.pk).inputs_version > version


def test_refusals_write_nothing(signed, therapist, episode1, site1, track1, today):
    absent = signed[2]
    with pytest.raises(ValidationError) as exc:
        services.attendance_correct(attendance=absent, status="present", reason="  ", by=therapist)
    assert "Say why" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.attendance_correct(attendance=absent, status="late", reason="Late.", by=therapist)
    assert "Enter the minutes attended" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.attendance_correct(attendance=absent, status="absent", reason="Same.", by=therapist)
    assert "already says" in str(exc.value)
    draft = AttendanceFactory(session=SessionFactory(site=site1, track=track1, date=today), episode=episode1)
    with pytest.raises(ValidationError) as exc:
        services.attendance_correct(attendance=draft, status="absent", reason="Wrong.", by=therapist)
    assert "not signed yet" in str(exc.value)
    assert not AttendanceCorrection.objects.exists()


def test_a_stale_page_is_refused_and_a_double_submit_makes_one_correction(as_therapist, signed, casemanager):
    absent = signed[2]
    assert _post(as_therapist, absent, submission_key="0c7b6f5e-1111-4a4a-9b9b-000000000001").status_code == 302
    again = _post(as_therapist, absent, submission_key="0c7b6f5e-1111-4a4a-9b9b-000000000001")
    assert again.status_code == 302 and AttendanceCorrection.objects.count() == 1
    # Without a key, the same correction posted twice is one correction too.
    assert _post(as_therapist, absent).status_code == 302 and AttendanceCorrection.objects.count() == 1
    # Someone else corrected it meanwhile: the page the user had open is stale.
    services.attendance_correct(
        attendance=absent,
        status="excused",
        reason="Called in.",
        by=casemanager,
        seen_correction_id=AttendanceCorrection.objects.get().pk,
    )
    response = _post(as_therapist, absent, status="late", minutes="60", reason="Came late.")
    assert response.status_code == 302
    followed = as_therapist.get(response["Location"]).content.decode()
    assert "was corrected since you opened the page" in followed
    assert AttendanceCorrection.objects.count() == 2
    with pytest.raises(StaleEdit):
        services.attendance_correct(attendance=absent, status="present", reason="x", by=casemanager)


def test_a_bad_correction_is_shown_on_the_page_with_nothing_saved(as_therapist, signed):
    response = _post(as_therapist, signed[2], reason="")
    assert response.status_code == 400
    assert "Say why the attendance is corrected." in response.content.decode()
    assert not AttendanceCorrection.objects.exists()


def test_case_managers_correct_program_admins_may_not_other_sites_get_404(
    as_casemanager, as_programadmin, as_therapist2, signed
):
    absent = signed[2]
    assert _post(as_therapist2, absent).status_code == 404
    assert _post(as_programadmin, absent).status_code == 403
    page = as_programadmin.get(reverse("attendance:session", args=[absent.session_id])).content.decode()
    assert "Record the correction" not in page
    assert _post(as_casemanager, absent).status_code == 302
    assert AttendanceCorrection.objects.get().corrected_by.username == "casemanager"


def test_an_attendee_of_another_session_cannot_be_corrected_through_this_one(as_therapist, signed):
    response = as_therapist.post(
        reverse("attendance:session_correct", args=[signed[0].session_id]),
        {"attendance": signed[2].pk, "seen": 0, "status": "present", "reason": "x"},
    )
    assert response.status_code == 400
    assert not AttendanceCorrection.objects.exists()


def test_the_signed_session_page_offers_a_correction_per_attendee(as_therapist, signed):
    response = as_therapist.get(reverse("attendance:session", args=[signed[2].session_id]))
    page = response.content.decode()
    assert page.count('class="correction-form') == 1
    assert f'id="id_correct_{signed[2].pk}_reason"' in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's (django-pgtrigger)")
def test_corrections_are_append_only_in_the_database(signed, therapist):
    correction = services.attendance_correct(attendance=signed[2], status="present", reason="Sheet.", by=therapist)
    for sql in (
        "UPDATE attendance_attendancecorrection SET status = 'absent' WHERE id = %s",
        "DELETE FROM attendance_attendancecorrection WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="Refused"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [correction.pk])
    assert AttendanceCorrection.objects.get(pk=correction.pk).status == "present"
    row = Attendance.objects.get(pk=signed[2].pk)
    assert row.status == "absent"
