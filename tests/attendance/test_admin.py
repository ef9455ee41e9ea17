"""Signed sessions, their attendance and every addendum are read-only in the admin (issue 12 #3):
corrections are addenda written from the session page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import Attendance, SessionAddendum
from tests.admin_helpers import form_data
from tests.factories import AttendanceFactory


@pytest.fixture
def roster(evening, episode1, therapist):
    evening.group_note = "Talked about triggers."
    evening.save()
    return AttendanceFactory(session=evening, episode=episode1, recorded_by=therapist)


def _sign(session, by):
    session.note_signed_at, session.note_signed_by = timezone.now(), by
    session.save()


def _session_change(session):
    return reverse("admin:attendance_session_change", args=[session.pk])


def test_an_unsigned_sessions_note_and_roster_can_still_be_corrected(as_admin, evening, roster):
    data = form_data(as_admin.get(_session_change(evening)))
    data.update({"group_note": "Corrected.", "attendance-0-status": "late"})

    assert as_admin.post(_session_change(evening), data).status_code == 302
    evening.refresh_from_db()
    roster.refresh_from_db()
    assert (evening.group_note, roster.status) == ("Corrected.", "late")


def test_a_signed_sessions_note_and_roster_do_not_change(as_admin, evening, roster, therapist):
    data = form_data(as_admin.get(_session_change(evening)))  # as the page looked before signing
    _sign(evening, therapist)
    data.update({"group_note": "Rewritten.", "attendance-0-status": "absent", "attendance-0-minutes_attended": "0"})

    page = as_admin.get(_session_change(evening))
    response = as_admin.post(_session_change(evening), data)

    assert 'name="_save"' not in page.content.decode()
    assert response.status_code == 403
    evening.refresh_from_db()
    roster.refresh_from_db()
    assert (evening.group_note, roster.status, roster.minutes_attended) == ("Talked about triggers.", "present", 180)


def test_a_signed_sessions_attendance_does_not_change_on_its_own_page(as_admin, evening, roster, therapist):
    url = reverse("admin:attendance_attendance_change", args=[roster.pk])
    data = form_data(as_admin.get(url))
    _sign(evening, therapist)

    response = as_admin.post(url, {**data, "status": "absent", "minutes_attended": "0"})

    assert response.status_code == 403
    roster.refresh_from_db()
    assert roster.status == "present"


def test_no_attendance_row_joins_a_signed_session(as_admin, evening, roster, therapist, make_clients):
    _sign(evening, therapist)
    (other,) = make_clients(1)

    response = as_admin.post(
        reverse("admin:attendance_attendance_add"),
        {"session": evening.pk, "episode": other.pk, "status": "present", "minutes_attended": "180"},
    )

    assert response.status_code == 200
    assert "session" in response.context["adminform"].form.errors
    assert Attendance.objects.filter(session=evening).count() == 1


def test_a_signed_session_is_not_reverted_from_its_history(as_admin, evening, roster, therapist):
    first = evening.history.order_by("history_id").first()
    _sign(evening, therapist)
    url = reverse("admin:attendance_session_simple_history", args=[evening.pk, first.history_id])

    response = as_admin.post(url, {**form_data(as_admin.get(_session_change(evening))), "group_note": ""})

    assert response.status_code == 403
    evening.refresh_from_db()
    assert evening.is_signed and evening.group_note == "Talked about triggers."


def test_addenda_are_never_rewritten_nor_added_in_the_admin(as_admin, evening, therapist):
    _sign(evening, therapist)
    addendum = SessionAddendum.objects.create(session=evening, text="Late arrival noted.", author=therapist)
    change = reverse("admin:attendance_sessionaddendum_change", args=[addendum.pk])

    rewritten = as_admin.post(change, {"session": evening.pk, "author": therapist.pk, "text": "Rewritten."})
    added = as_admin.post(
        reverse("admin:attendance_sessionaddendum_add"), {"session": evening.pk, "author": therapist.pk, "text": "x"}
    )

    assert (rewritten.status_code, added.status_code) == (403, 403)
    addendum.refresh_from_db()
    assert addendum.text == "Late arrival noted."
    assert SessionAddendum.objects.count() == 1
