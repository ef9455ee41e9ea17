"""On PostgreSQL the database itself refuses to rewrite or delete what was signed.

Raw SQL goes around the services and the admin; these triggers (django-pgtrigger) are the
last guard. They exist only on PostgreSQL: on SQLite the services are the guard.
"""

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from attendance import services as attendance_services
from attendance.models import Attendance, Session, SessionAddendum
from audit.models import AccessEvent
from checkins.models import Addendum, CheckIn
from screening import services as screening_services
from screening.models import ScreenResult
from tests.factories import (
    AnalyteFactory,
    AttendanceFactory,
    CheckInFactory,
    ScreenFactory,
    ScreenResultFactory,
    SessionFactory,
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers are PostgreSQL's (django-pgtrigger); SQLite has none"
)


def _refused(sql, params):
    """Run raw SQL; return the database's error (None when it was accepted)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        return str(exc)
    return None


@pytest.fixture
def signed_session(episode1, therapist):
    session = SessionFactory(
        site=episode1.site, track=episode1.track, group_note="Coping with cravings.", facilitator=therapist
    )
    AttendanceFactory(session=session, episode=episode1, note="Engaged.")
    return attendance_services.session_note_sign(session=session, by=therapist)


@pytest.fixture
def signed_checkin(episode1, therapist):
    return CheckInFactory(
        episode=episode1,
        author=therapist,
        note="Doing well.",
        risk="none",
        recommendation="continue",
        signed_at=timezone.now(),
        signed_by=therapist,
    )


def test_a_signed_sessions_note_cannot_be_rewritten_or_deleted(signed_session):
    error = _refused("UPDATE attendance_session SET group_note = 'rewritten' WHERE id = %s", [signed_session.pk])
    assert "Refused: update on attendance_session" in error
    assert "Refused: delete" in _refused("DELETE FROM attendance_session WHERE id = %s", [signed_session.pk])
    assert Session.objects.get(pk=signed_session.pk).group_note == "Coping with cravings."


def test_the_attendance_of_a_signed_session_cannot_be_edited_or_deleted(signed_session):
    row = Attendance.objects.get(session=signed_session)
    sql = "UPDATE attendance_attendance SET status = 'absent', minutes_attended = 0, note = 'x' WHERE id = %s"
    assert "Refused: update on attendance_attendance" in _refused(sql, [row.pk])
    assert "Refused: delete" in _refused("DELETE FROM attendance_attendance WHERE id = %s", [row.pk])
    row.refresh_from_db()
    assert (row.status, row.minutes_attended, row.note) == ("present", 180, "Engaged.")


def test_attendance_cannot_be_moved_out_of_or_into_a_signed_session(signed_session, episode1):
    draft = SessionFactory(site=episode1.site, track=episode1.track, date=signed_session.date, start_time="09:00")
    mine = Attendance.objects.get(session=signed_session)
    other = AttendanceFactory(session=draft, episode=episode1)
    move = "UPDATE attendance_attendance SET session_id = %s WHERE id = %s"
    assert _refused(move, [draft.pk, mine.pk])
    assert _refused(move, [signed_session.pk, other.pk])
    assert Attendance.objects.filter(session=signed_session).count() == 1


def test_an_unsigned_session_and_its_roster_stay_editable(episode1):
    session = SessionFactory(site=episode1.site, track=episode1.track, group_note="Draft.")
    row = AttendanceFactory(session=session, episode=episode1)
    assert _refused("UPDATE attendance_session SET group_note = 'Better draft.' WHERE id = %s", [session.pk]) is None
    assert _refused("UPDATE attendance_attendance SET status = 'late' WHERE id = %s", [row.pk]) is None
    assert Session.objects.get(pk=session.pk).group_note == "Better draft."


def test_a_session_addendum_is_never_rewritten_or_deleted(signed_session, therapist):
    addendum = attendance_services.session_addendum_add(session=signed_session, text="Left at 8pm.", by=therapist)
    sql = "UPDATE attendance_sessionaddendum SET text = 'rewritten' WHERE id = %s"
    assert "Refused: update" in _refused(sql, [addendum.pk])
    assert "Refused: delete" in _refused("DELETE FROM attendance_sessionaddendum WHERE id = %s", [addendum.pk])
    assert SessionAddendum.objects.get(pk=addendum.pk).text == "Left at 8pm."


def test_a_signed_checkin_cannot_be_rewritten_or_deleted(signed_checkin):
    sql = "UPDATE checkins_checkin SET note = 'rewritten', risk = 'high' WHERE id = %s"
    assert "Refused: update on checkins_checkin" in _refused(sql, [signed_checkin.pk])
    assert "Refused: delete" in _refused("DELETE FROM checkins_checkin WHERE id = %s", [signed_checkin.pk])
    signed_checkin.refresh_from_db()
    assert (signed_checkin.note, signed_checkin.risk) == ("Doing well.", "none")


def test_a_draft_checkin_stays_editable(episode1, therapist):
    draft = CheckInFactory(episode=episode1, author=therapist, note="Draft.")
    assert _refused("UPDATE checkins_checkin SET note = 'Second draft.' WHERE id = %s", [draft.pk]) is None
    assert CheckIn.objects.get(pk=draft.pk).note == "Second draft."


def test_a_checkin_addendum_is_never_rewritten_or_deleted(signed_checkin, therapist):
    addendum = Addendum.objects.create(checkin=signed_checkin, author=therapist, text="Called on Friday.")
    assert "Refused: update" in _refused("UPDATE checkins_addendum SET text = 'x' WHERE id = %s", [addendum.pk])
    assert "Refused: delete" in _refused("DELETE FROM checkins_addendum WHERE id = %s", [addendum.pk])
    assert Addendum.objects.get(pk=addendum.pk).text == "Called on Friday."


@pytest.fixture
def positive_result(episode1):
    return ScreenResultFactory(
        screen=ScreenFactory(episode=episode1), analyte=AnalyteFactory(code="COC"), result="positive"
    )


def test_a_recorded_screen_result_cannot_be_flipped_or_deleted(positive_result):
    sql = "UPDATE screening_screenresult SET result = 'negative', level_ng_ml = 0 WHERE id = %s"
    assert "Refused: update on screening_screenresult" in _refused(sql, [positive_result.pk])
    assert "Refused: delete" in _refused("DELETE FROM screening_screenresult WHERE id = %s", [positive_result.pk])
    assert ScreenResult.objects.get(pk=positive_result.pk).result == "positive"


def test_a_confirmation_is_recorded_once_then_final(positive_result, therapist):
    screening_services.result_send_for_confirmation(result=positive_result, by=therapist)
    screening_services.result_confirm(result=positive_result, confirmation="confirmed_positive", by=therapist)
    sql = "UPDATE screening_screenresult SET confirmation = 'confirmed_negative' WHERE id = %s"
    assert "Refused: update" in _refused(sql, [positive_result.pk])
    assert ScreenResult.objects.get(pk=positive_result.pk).confirmation == "confirmed_positive"


def test_an_access_event_is_never_rewritten_or_deleted(episode1, therapist):
    event = AccessEvent.objects.create(user=therapist, client=episode1.client, path="/clients/1/")
    sql = "UPDATE audit_accessevent SET user_id = NULL, path = '/' WHERE id = %s"
    assert "Refused: update on audit_accessevent" in _refused(sql, [event.pk])
    assert "Refused: delete" in _refused("DELETE FROM audit_accessevent WHERE id = %s", [event.pk])
    assert AccessEvent.objects.filter(pk=event.pk, path="/clients/1/").exists()


# --- Co-signature: only the co-signature columns may change after signing, and only once ---


@pytest.fixture
def awaiting_checkin(signed_checkin, casemanager):
    CheckIn.objects.filter(pk=signed_checkin.pk).update(cosign_supervisor=casemanager)  # a co-signature column
    return CheckIn.objects.get(pk=signed_checkin.pk)


def test_the_cosignature_columns_of_a_signed_checkin_can_be_set_once(awaiting_checkin, casemanager):
    sql = "UPDATE checkins_checkin SET cosigned_by_id = %s, cosigned_at = now() WHERE id = %s"
    assert _refused(sql, [casemanager.pk, awaiting_checkin.pk]) is None
    assert CheckIn.objects.get(pk=awaiting_checkin.pk).cosigned_by_id == casemanager.pk
    later = "UPDATE checkins_checkin SET cosigned_at = now() + interval '1 hour' WHERE id = %s"
    again = _refused(later, [awaiting_checkin.pk])
    assert "Refused: update on checkins_checkin" in again


def test_a_cosignature_cannot_carry_a_change_of_the_signed_text(awaiting_checkin, casemanager):
    sql = "UPDATE checkins_checkin SET cosigned_by_id = %s, cosigned_at = now(), note = 'rewritten' WHERE id = %s"
    assert "Refused: update on checkins_checkin" in _refused(sql, [casemanager.pk, awaiting_checkin.pk])
    stored = CheckIn.objects.get(pk=awaiting_checkin.pk)
    assert stored.note == "Doing well." and stored.cosigned_at is None


def test_a_signed_sessions_cosignature_goes_through_and_its_note_stays_locked(signed_session, casemanager):
    Session.objects.filter(pk=signed_session.pk).update(cosign_supervisor=casemanager)
    session = Session.objects.get(pk=signed_session.pk)
    cosigned = attendance_services.session_note_cosign(session=session, by=casemanager)
    assert cosigned.cosigned_by == casemanager
    assert Session.objects.get(pk=session.pk).signature_check == "intact"
    error = _refused("UPDATE attendance_session SET group_note = 'rewritten' WHERE id = %s", [session.pk])
    assert "Refused: update on attendance_session" in error
