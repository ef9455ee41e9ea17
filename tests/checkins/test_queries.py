import datetime as dt

from django.utils import timezone

from checkins.queries import checkin_rows, due_episodes
from tests.factories import CheckInFactory


def _history(episode, author, this_monday, weeks):
    for i in range(weeks):
        CheckInFactory(
            episode=episode,
            week=this_monday - dt.timedelta(weeks=i),
            author=author,
            cravings=i,
            phq9_items=[1] * 8 + [i % 2],
            signed_by=author if i else None,
            signed_at=timezone.now() if i else None,
        )


def test_checkin_rows_gives_the_facts_newest_first(episode1, therapist, this_monday):
    CheckInFactory(episode=episode1, week=this_monday - dt.timedelta(weeks=1), author=therapist, cravings=5)
    CheckInFactory(
        episode=episode1,
        week=this_monday,
        author=therapist,
        cravings=2,
        risk="moderate",
        recommendation="step_down",
        phq9_items=[2] * 9,
        gad7_items=[1] * 7,
        signed_by=therapist,
        signed_at=timezone.now(),
    )
    rows = checkin_rows([episode1.pk, 999999])
    assert rows[999999] == []
    latest, previous = rows[episode1.pk]
    assert latest.week == this_monday and latest.signed and latest.recommendation == "step_down"
    assert latest.risk_flag and latest.cravings == 2 and latest.phq9_total == 18 and latest.gad7_total == 7
    assert previous.week == this_monday - dt.timedelta(weeks=1)
    assert not previous.signed and not previous.risk_flag and previous.phq9_total is None


def test_checkin_rows_flags_phq9_item9(episode1, therapist, this_monday):
    CheckInFactory(episode=episode1, week=this_monday, author=therapist, phq9_items=[0] * 8 + [1])
    assert checkin_rows([episode1.pk])[episode1.pk][0].risk_flag


def test_checkin_rows_uses_one_query_for_3_or_15_episodes(
    make_episodes, therapist, this_monday, django_assert_num_queries
):
    episodes = make_episodes(3)
    for e in episodes:
        _history(e, therapist, this_monday, 2)
    with django_assert_num_queries(1):  # the check-ins of every episode
        rows = checkin_rows([e.pk for e in episodes])
    assert sum(len(v) for v in rows.values()) == 6
    episodes += make_episodes(12)
    for e in episodes[3:]:
        _history(e, therapist, this_monday, 4)
    with django_assert_num_queries(1):
        rows = checkin_rows([e.pk for e in episodes])
    assert sum(len(v) for v in rows.values()) == 6 + 48


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
