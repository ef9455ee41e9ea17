import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from checkins.queries import due_episodes, week_summary
from iop.dates import week_start
from tests.factories import AttendanceFactory, CheckInFactory, SessionFactory


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


def _three_hours_on(episode, day):
    session = SessionFactory(site=episode.site, track=episode.track, date=day)
    AttendanceFactory(session=session, episode=episode)


@pytest.mark.parametrize(
    "days_after_monday, finished, label",
    [
        (1, False, "so far (the week is not over)"),  # a Tuesday: 3 of 9 hours is "so far", never "short"
        (6, False, "so far (the week is not over)"),  # the Sunday itself: still running
        (7, True, "short"),  # the next Monday: the week is over and short
    ],
)
def test_week_summary_calls_an_unfinished_week_so_far_not_short(episode1, days_after_monday, finished, label):
    last_monday = week_start(timezone.localdate()) - dt.timedelta(weeks=1)
    _three_hours_on(episode1, last_monday)
    summary = week_summary(episode1, last_monday, today=last_monday + dt.timedelta(days=days_after_monday))
    assert summary.hours == 3 and summary.finished is finished
    assert (summary.hours_so_far, summary.hours_short) == (not finished, finished)
    html = render_to_string("checkins/_summary.html", {"summary": summary})
    assert label in html
    assert ("short</span>" in html) is finished
