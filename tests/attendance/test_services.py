"""Attendance writes: generating sessions, saving rosters, signing, addenda, individual sessions."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from attendance import queries, services
from attendance.models import Attendance, Session, SessionAddendum
from attendance.services import RosterEntry
from clients.models import Episode
from iop.errors import StaleEdit
from tests.factories import EpisodeFactory, SessionFactory, TrackFactory

MON = dt.date(2026, 3, 2)


def entries(episodes, status="present", minutes=None, note=""):
    return [RosterEntry(episode=e, status=status, minutes=minutes, note=note) for e in episodes]


# --- generating sessions -------------------------------------------------------------------


def test_generate_creates_one_scheduled_session_per_track_weekday(track1):
    created = services.sessions_generate(track=track1, date_from=MON, date_to=MON + dt.timedelta(days=13))
    assert len(created) == 6  # mon, tue, thu × 2 weeks
    dates = sorted(Session.objects.filter(track=track1).values_list("date", flat=True))
    assert [d.strftime("%a") for d in dates] == ["Mon", "Tue", "Thu"] * 2
    session = Session.objects.filter(track=track1).first()
    assert (session.status, session.duration_minutes, session.start_time) == ("scheduled", 180, dt.time(18, 0))
    assert session.history.count() == 1


def test_generate_skips_sessions_that_exist(track1):
    services.sessions_generate(track=track1, date_from=MON, date_to=MON + dt.timedelta(days=6))
    again = services.sessions_generate(track=track1, date_from=MON, date_to=MON + dt.timedelta(days=13))
    assert len(again) == 3
    assert Session.objects.filter(track=track1).count() == 6


def test_generate_refuses_a_reversed_range(track1):
    with pytest.raises(ValidationError):
        services.sessions_generate(track=track1, date_from=MON, date_to=MON - dt.timedelta(days=1))


# --- creating sessions ---------------------------------------------------------------------


def test_session_in_a_track_of_another_site_is_refused(site1, site2, therapist, today):
    other_track = TrackFactory(site=site2)
    with pytest.raises(ValidationError, match="another site"):
        services.session_create(
            by=therapist, site=site1, track=other_track, date=today, start_time=dt.time(9), duration_minutes=60
        )
    assert not Session.objects.exists()


@pytest.mark.parametrize("status, ok", [("scheduled", True), ("held", False), ("cancelled", False)])
def test_only_scheduled_sessions_may_be_dated_in_the_future(site1, therapist, today, status, ok):
    fields = {
        "site": site1,
        "date": today + dt.timedelta(days=1),
        "start_time": dt.time(9),
        "duration_minutes": 60,
        "status": status,
        "kind": Session.Kind.SKILLS,
    }
    if ok:
        assert services.session_create(by=therapist, **fields).facilitator == therapist
    else:
        with pytest.raises(ValidationError, match="future"):
            services.session_create(by=therapist, **fields)
        assert not Session.objects.exists()


# --- the roster ----------------------------------------------------------------------------


def test_roster_save_writes_one_row_per_client_with_history_and_marks_the_session_held(
    evening, episode1, make_clients, therapist
):
    others = make_clients(2)
    services.roster_save(
        session=evening,
        entries=entries([episode1]) + [RosterEntry(others[0], "late", 150), RosterEntry(others[1], "absent")],
        seen_version=0,
        by=therapist,
        group_note="Coping with cravings.",
    )
    rows = {a.episode_id: a for a in Attendance.objects.filter(session=evening)}
    assert (rows[episode1.pk].status, rows[episode1.pk].minutes_attended) == ("present", 180)
    assert (rows[others[0].pk].status, rows[others[0].pk].minutes_attended) == ("late", 150)
    assert (rows[others[1].pk].status, rows[others[1].pk].minutes_attended) == ("absent", 0)
    assert Attendance.history.count() == 3
    evening.refresh_from_db()
    assert (evening.status, evening.version, evening.group_note) == ("held", 1, "Coping with cravings.")
    assert evening.history.count() == 2
    assert rows[episode1.pk].recorded_by == therapist


def test_saving_the_roster_again_updates_rows_without_duplicating(evening, episode1, therapist):
    services.roster_save(session=evening, entries=entries([episode1]), seen_version=0, by=therapist)
    services.roster_save(
        session=evening, entries=entries([episode1], "left_early", 100, "Left for work."), seen_version=1, by=therapist
    )
    row = Attendance.objects.get(session=evening)
    assert (row.status, row.minutes_attended, row.note) == ("left_early", 100, "Left for work.")
    assert row.history.count() == 2


def test_resubmitting_the_same_roster_changes_nothing(evening, episode1, therapist):
    services.roster_save(session=evening, entries=entries([episode1]), seen_version=0, by=therapist, group_note="")
    evening.refresh_from_db()
    services.roster_save(session=evening, entries=entries([episode1]), seen_version=0, by=therapist, group_note="")
    assert Attendance.objects.filter(session=evening).count() == 1
    assert Attendance.history.count() == 1
    evening.refresh_from_db()
    assert evening.version == 1


def test_a_stale_roster_is_refused_and_nothing_is_overwritten(evening, episode1, therapist):
    services.roster_save(session=evening, entries=entries([episode1]), seen_version=0, by=therapist)
    evening.refresh_from_db()
    with pytest.raises(StaleEdit, match="changed since you opened it"):
        services.roster_save(session=evening, entries=entries([episode1], "absent"), seen_version=0, by=therapist)
    assert Attendance.objects.get(session=evening).status == "present"


@pytest.mark.parametrize(
    "status, minutes, message",
    [
        ("present", 181, "cannot exceed"),
        ("present", -5, "cannot be negative"),
        ("late", None, "Enter the minutes"),
        ("absent", 20, "no minutes"),
    ],
)
def test_bad_minutes_are_refused_and_nothing_is_saved(
    evening, episode1, make_clients, therapist, status, minutes, message
):
    good = make_clients(1)
    with pytest.raises(ValidationError, match=message):
        services.roster_save(
            session=evening,
            entries=entries(good) + [RosterEntry(episode1, status, minutes)],
            seen_version=0,
            by=therapist,
        )
    assert not Attendance.objects.exists()
    evening.refresh_from_db()
    assert (evening.version, evening.status) == (0, "scheduled")


def test_attendance_for_a_client_without_an_episode_on_the_date_is_refused(evening, make_clients, therapist, today):
    (later,) = make_clients(1, admitted_on=today + dt.timedelta(days=1))
    (ended,) = make_clients(
        1, admitted_on=today - dt.timedelta(weeks=8), ended_on=today - dt.timedelta(days=1), status="graduated"
    )
    for episode in (later, ended):
        with pytest.raises(ValidationError, match="no active episode"):
            services.roster_save(session=evening, entries=entries([episode]), seen_version=0, by=therapist)
    assert not Attendance.objects.exists()


def test_attendance_for_a_client_of_another_site_is_refused(evening, site2, therapist):
    stranger = EpisodeFactory(site=site2)
    with pytest.raises(ValidationError, match="not a client of this session's site"):
        services.roster_save(session=evening, entries=entries([stranger]), seen_version=0, by=therapist)
    assert not Attendance.objects.exists()


def test_the_roster_of_a_future_or_cancelled_session_is_refused(site1, track1, episode1, therapist, today):
    future = SessionFactory(site=site1, track=track1, date=today + dt.timedelta(days=1), status="scheduled")
    cancelled = SessionFactory(site=site1, track=track1, date=today, status="cancelled")
    with pytest.raises(ValidationError, match="future"):
        services.roster_save(session=future, entries=entries([episode1]), seen_version=0, by=therapist)
    with pytest.raises(ValidationError, match="cancelled"):
        services.roster_save(session=cancelled, entries=entries([episode1]), seen_version=0, by=therapist)
    assert not Attendance.objects.exists()


def test_make_up_client_from_another_track_of_the_site_is_recorded(evening, site1, therapist):
    makeup = EpisodeFactory(site=site1, track=TrackFactory(site=site1, start_time=dt.time(7), end_time=dt.time(10)))
    services.roster_save(session=evening, entries=entries([makeup]), seen_version=0, by=therapist)
    assert Attendance.objects.get(session=evening).episode == makeup
    summary = queries.week_attendance(makeup, evening.date)
    assert (summary.attended, summary.minutes) == (1, 180)


# --- signing and addenda -------------------------------------------------------------------


def test_signing_locks_the_roster_and_only_addenda_follow(evening, episode1, therapist):
    services.roster_save(session=evening, entries=entries([episode1]), seen_version=0, by=therapist, group_note="Note")
    evening.refresh_from_db()
    services.session_note_sign(session=evening, by=therapist)
    evening.refresh_from_db()
    assert evening.is_signed and evening.note_signed_by == therapist
    with pytest.raises(ValidationError, match="signed"):
        services.roster_save(
            session=evening, entries=entries([episode1], "absent"), seen_version=evening.version, by=therapist
        )
    assert Attendance.objects.get(session=evening).status == "present"
    services.session_addendum_add(session=evening, text="Client arrived 5 minutes late.", by=therapist)
    assert SessionAddendum.objects.get(session=evening).author == therapist
    evening.refresh_from_db()
    assert evening.group_note == "Note"


def test_an_addendum_needs_a_signed_note(evening, therapist):
    with pytest.raises(ValidationError, match="not signed"):
        services.session_addendum_add(session=evening, text="x", by=therapist)


def test_signing_an_empty_session_is_refused(evening, therapist):
    with pytest.raises(ValidationError, match="roster"):
        services.session_note_sign(session=evening, by=therapist)


# --- individual sessions -------------------------------------------------------------------


def test_individual_session_is_logged_with_its_attendance(episode1, therapist, today):
    row = services.individual_session_log(
        episode=episode1,
        by=therapist,
        date=today,
        start_time=dt.time(15),
        duration_minutes=50,
        kind=Session.Kind.INDIVIDUAL,
        status="present",
        note="Reviewed goals.",
    )
    assert (row.minutes_attended, row.session.track, row.session.status) == (50, None, "held")
    assert row.session.site == episode1.site


@pytest.mark.parametrize("days, message", [(1, "future"), (-7 * 9, "no active episode")])
def test_individual_session_outside_the_episode_is_refused(episode1, therapist, today, days, message):
    with pytest.raises(ValidationError, match=message):
        services.individual_session_log(
            episode=episode1,
            by=therapist,
            date=today + dt.timedelta(days=days),
            start_time=dt.time(15),
            duration_minutes=50,
            kind=Session.Kind.INDIVIDUAL,
            status="present",
        )
    assert not Session.objects.exists()


# --- queries -------------------------------------------------------------------------------


def test_attendance_rows_for_many_episodes_in_one_query(
    evening, episode1, make_clients, therapist, django_assert_num_queries
):
    others = make_clients(3)
    services.roster_save(session=evening, entries=entries([episode1, *others]), seen_version=0, by=therapist)
    ids = [e.pk for e in Episode.objects.all()]
    with django_assert_num_queries(1):
        rows = queries.attendance_rows(ids, evening.date - dt.timedelta(days=28))
    assert len(rows) == 4
    assert rows[0]._fields == ("episode_id", "date", "status", "minutes_attended", "session_status")
    assert {r.session_status for r in rows} == {"held"}
    assert queries.attendance_rows(ids, evening.date + dt.timedelta(days=1)) == []


def test_week_attendance_summarises_one_week_of_one_episode(evening, episode1, therapist, django_assert_num_queries):
    services.roster_save(session=evening, entries=[RosterEntry(episode1, "late", 120)], seen_version=0, by=therapist)
    with django_assert_num_queries(1):
        week = queries.week_attendance(episode1, evening.date)
    assert (week.attended, week.minutes, week.hours_met) == (1, 120, False)
