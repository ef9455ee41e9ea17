import datetime as dt

from django.utils import timezone

from checkins.queries import due_episodes
from tests.factories import CheckInFactory


def test_due_lists_active_clients_without_a_signed_checkin_this_week(
    make_episodes, therapist, casemanager, this_monday, site1
):
    signed, draft, nothing = make_episodes(3)
    CheckInFactory(episode=signed, week=this_monday, author=therapist, signed_by=therapist, signed_at=timezone.now())
    drafted = CheckInFactory(episode=draft, week=this_monday, author=therapist)
    other = make_episodes(1, primary_therapist=None)[0]
    ended = make_episodes(1)[0]
    ended.status, ended.ended_on = "graduated", this_monday - dt.timedelta(weeks=1)
    ended.save()
    mine = {e.pk: e for e in due_episodes(user=therapist, week=this_monday, therapist=therapist)}
    assert set(mine) == {draft.pk, nothing.pk}
    assert mine[draft.pk].draft_id == drafted.pk and mine[nothing.pk].draft_id is None
    everyone = {e.pk for e in due_episodes(user=casemanager, week=this_monday)}
    assert everyone == {draft.pk, nothing.pk, other.pk}


def test_week_summary_counts_no_one_at_a_cancelled_session(episode1):
    """A session the program cancelled is neither attended nor an absence (DOMAIN.md)."""
    from attendance.models import Attendance, Session
    from checkins.queries import week_summary
    from tests.factories import AttendanceFactory, SessionFactory, monday

    week = monday() - dt.timedelta(weeks=1)
    held = SessionFactory(site=episode1.site, track=episode1.track, date=week)
    cancelled = SessionFactory(
        site=episode1.site, track=episode1.track, date=week + dt.timedelta(days=1), status=Session.Status.CANCELLED
    )
    AttendanceFactory(session=held, episode=episode1)
    AttendanceFactory(session=cancelled, episode=episode1, status=Attendance.Status.ABSENT, minutes_attended=0)
    summary = week_summary(episode1, week)
    assert (summary.sessions_attended, summary.unexcused_absences, summary.hours) == (1, 0, 3)
