"""Attendance pages: roster, session create, sign/addendum, client tab, today view."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from attendance import services
from attendance.models import Attendance, Session, SessionAddendum
from attendance.services import RosterEntry
from audit.models import AccessEvent
from tests.factories import AttendanceFactory, EpisodeFactory, SessionFactory, TrackFactory

# Per request, whatever the page: the django session and the user, the user's permissions (their
# own and their groups', one query: accounts/backends.py), savepoint/release around the request
# (ATOMIC_REQUESTS). (The idle-logoff timestamp is written back to the session at most once a
# minute: not on these requests.)
FRAMEWORK = 5


def roster_url(session):
    return reverse("attendance:session", args=[session.pk])


def roster_data(session, episodes, status="present", minutes="", note="", group_note="Coping with cravings."):
    data = {"version": session.version, "group_note": group_note, "episode": [e.pk for e in episodes]}
    for e in episodes:
        data[f"status_{e.pk}"] = status
        data[f"minutes_{e.pk}"] = minutes
        data[f"note_{e.pk}"] = note
    return data


# --- roster --------------------------------------------------------------------------------


def test_roster_lists_the_tracks_clients_with_their_episode_open_on_the_date(
    as_therapist, evening, episode1, make_clients, site1, today
):
    make_clients(2)
    (ended,) = make_clients(1, ended_on=today - dt.timedelta(days=1), status="graduated")
    other_track = EpisodeFactory(site=site1, track=TrackFactory(site=site1))
    response = as_therapist.get(roster_url(evening))
    assert response.status_code == 200
    listed = {e.pk for e in response.context["form"].episodes}
    assert episode1.pk in listed and len(listed) == 3
    assert ended.pk not in listed and other_track.pk not in listed
    assert other_track.client.mrn not in response.content.decode()  # no list of the whole site
    found = as_therapist.get(roster_url(evening), {"makeup_q": other_track.client.mrn})
    assert other_track.client.mrn in found.content.decode()  # found by a make-up search


def test_roster_post_saves_every_row_and_redirects(as_therapist, evening, episode1, make_clients):
    episodes = [episode1, *make_clients(2)]
    data = roster_data(evening, episodes)
    data[f"status_{episodes[1].pk}"] = "late"
    data[f"minutes_{episodes[1].pk}"] = "150"
    data[f"status_{episodes[2].pk}"] = "excused"
    response = as_therapist.post(roster_url(evening), data)
    assert response.status_code == 302
    rows = {a.episode_id: (a.status, a.minutes_attended) for a in Attendance.objects.filter(session=evening)}
    assert rows == {episode1.pk: ("present", 180), episodes[1].pk: ("late", 150), episodes[2].pk: ("excused", 0)}
    page = as_therapist.get(roster_url(evening)).content.decode()
    assert "Roster saved: 3 clients." in page
    assert "Coping with cravings." in page


def test_submitting_the_same_roster_twice_does_not_duplicate(as_therapist, evening, episode1):
    data = roster_data(evening, [episode1])
    assert as_therapist.post(roster_url(evening), data).status_code == 302
    assert as_therapist.post(roster_url(evening), data).status_code == 302
    assert Attendance.objects.filter(session=evening).count() == 1


def test_the_second_of_two_concurrent_saves_is_told_and_sees_the_current_roster(
    as_therapist, admin_user, evening, episode1, client
):
    opened = roster_data(evening, [episode1], status="absent")  # therapist opened the page at version 0
    services.roster_save(session=evening, entries=[RosterEntry(episode1, "present")], seen_version=0, by=admin_user)
    response = as_therapist.post(roster_url(evening), opened, follow=True)
    page = response.content.decode()
    assert "The roster changed since you opened it" in page
    assert Attendance.objects.get(session=evening).status == "present"
    assert response.context["form"][f"status_{episode1.pk}"].value() == "present"


@pytest.mark.parametrize(
    "status, minutes, message",
    [
        ("present", "200", "cannot exceed the session"),
        ("present", "-1", "cannot be negative"),
        ("late", "", "Enter the minutes attended"),
    ],
)
def test_bad_minutes_show_an_error_and_save_nothing(as_therapist, evening, episode1, status, minutes, message):
    response = as_therapist.post(roster_url(evening), roster_data(evening, [episode1], status, minutes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Attendance.objects.exists()
    evening.refresh_from_db()
    assert evening.version == 0


def test_a_posted_client_of_another_site_is_refused(as_therapist, evening, episode1, site2):
    stranger = EpisodeFactory(site=site2)
    data = roster_data(evening, [episode1])
    data["episode"].append(stranger.pk)
    response = as_therapist.post(roster_url(evening), data)
    assert response.status_code == 400
    assert "no active episode at this site" in response.content.decode()
    assert not Attendance.objects.exists()


def test_make_up_client_can_be_added_and_saved(as_therapist, evening, episode1, site1):
    makeup = EpisodeFactory(site=site1, track=TrackFactory(site=site1))
    page = as_therapist.get(roster_url(evening), {"add": makeup.pk})
    assert makeup.pk in {e.pk for e in page.context["form"].episodes}
    assert "make-up" in page.content.decode()
    as_therapist.post(roster_url(evening), roster_data(evening, [episode1, makeup]))
    assert set(Attendance.objects.values_list("episode_id", flat=True)) == {episode1.pk, makeup.pk}


def test_make_up_of_a_client_of_another_site_is_not_listed(as_therapist, evening, episode1, site2):
    stranger = EpisodeFactory(site=site2)
    page = as_therapist.get(roster_url(evening), {"add": stranger.pk})
    assert stranger.pk not in {e.pk for e in page.context["form"].episodes}


def test_case_manager_reads_the_roster_but_may_not_save_it(as_casemanager, evening, episode1):
    page = as_casemanager.get(roster_url(evening))
    assert page.status_code == 200
    assert "Save roster" not in page.content.decode()
    assert as_casemanager.post(roster_url(evening), roster_data(evening, [episode1])).status_code == 403
    assert not Attendance.objects.exists()


def test_session_of_another_site_is_404(as_therapist2, evening):
    assert as_therapist2.get(roster_url(evening)).status_code == 404


def test_signed_session_is_read_only_and_takes_addenda(as_therapist, evening, episode1):
    as_therapist.post(roster_url(evening), roster_data(evening, [episode1]))
    response = as_therapist.post(reverse("attendance:session_sign", args=[evening.pk]), follow=True)
    assert "Session note signed" in response.content.decode()
    evening.refresh_from_db()
    late = as_therapist.post(roster_url(evening), roster_data(evening, [episode1], status="absent"))
    assert late.status_code == 400
    assert "signed" in late.content.decode()
    assert Attendance.objects.get().status == "present"
    page = as_therapist.get(roster_url(evening)).content.decode()
    assert "Save roster" not in page and "Add addendum" in page
    as_therapist.post(reverse("attendance:session_addendum", args=[evening.pk]), {"text": "Arrived late actually."})
    assert SessionAddendum.objects.get().text == "Arrived late actually."
    assert "Arrived late actually." in as_therapist.get(roster_url(evening)).content.decode()


def test_roster_get_query_count_is_the_same_for_3_and_15_clients(
    as_therapist, evening, make_clients, django_assert_num_queries
):
    make_clients(3)
    # 1 the session, 2 its co-facilitators, 3 the session's roster episodes (+clients),
    # 4 existing rows, 5 the site's staff (co-facilitator choices), 6 the page's access event
    # (one INSERT), 7 addenda, + FRAMEWORK; the event is sealed after commit (audit/chain.py).
    # No make-up list: that is a search (test_makeup_search.py).
    with django_assert_num_queries(7 + FRAMEWORK):
        assert as_therapist.get(roster_url(evening)).status_code == 200
    make_clients(12)
    with django_assert_num_queries(7 + FRAMEWORK):
        response = as_therapist.get(roster_url(evening))
    assert len(response.context["form"].episodes) == 15


def test_roster_post_query_count_is_the_same_for_3_and_15_clients(
    as_therapist, site1, track1, today, make_clients, django_assert_num_queries
):
    small = SessionFactory(site=site1, track=track1, date=today, start_time=dt.time(9), status="scheduled")
    large = SessionFactory(site=site1, track=track1, date=today, start_time=dt.time(13), status="scheduled")
    three = make_clients(3)
    # 1 the session, 2 its co-facilitators, 3 the posted episodes (+clients), 4 savepoint
    # (roster_save), 5 the session locked, 6 existing rows, 7 version bump, 8 session history
    # row, 9 the co-facilitators set (none ticked: one read), 10 insert rows, 11 their history
    # rows, 12 the episodes' marker inputs marked changed (one UPDATE), 13 release savepoint,
    # + FRAMEWORK.
    with django_assert_num_queries(13 + FRAMEWORK):
        assert as_therapist.post(roster_url(small), roster_data(small, three)).status_code == 302
    fifteen = three + make_clients(12)
    with django_assert_num_queries(13 + FRAMEWORK):
        assert as_therapist.post(roster_url(large), roster_data(large, fifteen)).status_code == 302
    assert Attendance.objects.filter(session=large).count() == 15
    # updating every row of a taken roster: the insert pair becomes an update pair
    large.refresh_from_db()
    with django_assert_num_queries(13 + FRAMEWORK):
        as_therapist.post(roster_url(large), roster_data(large, fifteen, status="excused"))
    assert set(Attendance.objects.filter(session=large).values_list("status", flat=True)) == {"excused"}


# --- creating sessions ---------------------------------------------------------------------


def test_therapist_creates_a_session_and_lands_on_its_roster(as_therapist, site1, track1, today):
    response = as_therapist.post(
        reverse("attendance:session_create"),
        {
            "site": site1.pk,
            "track": track1.pk,
            "kind": "skills",
            "date": today.isoformat(),
            "start_time": "10:00",
            "duration_minutes": 90,
            "topic": "Refusal skills",
            "status": "scheduled",
        },
    )
    session = Session.objects.get()
    assert response.status_code == 302 and response["Location"] == roster_url(session)
    assert session.topic == "Refusal skills"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"track": "other"}, "another site"),
        ({"date": "future", "status": "held"}, "can only be scheduled"),
    ],
)
def test_session_form_refuses_bad_input_with_a_clear_message(
    as_therapist, site1, site2, track1, today, change, message
):
    data = {
        "site": site1.pk,
        "track": track1.pk,
        "kind": "group",
        "date": today.isoformat(),
        "start_time": "10:00",
        "duration_minutes": 90,
        "status": "held",
    }
    if change.get("track") == "other":
        data["track"] = TrackFactory(site=site2).pk
    if change.get("date") == "future":
        data["date"] = (today + dt.timedelta(days=2)).isoformat()
    response = as_therapist.post(reverse("attendance:session_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode() or "valid choice" in response.content.decode()
    assert not Session.objects.exists()


def test_case_manager_may_not_create_sessions(as_casemanager):
    assert as_casemanager.get(reverse("attendance:session_create")).status_code == 403


# --- client attendance tab -----------------------------------------------------------------


def _week_of_attendance(episode, site, track, monday, statuses, group_note=""):
    for i, status in enumerate(statuses):
        session = SessionFactory(
            site=site, track=track, date=monday + dt.timedelta(days=i), group_note=group_note, status="held"
        )
        minutes = 180 if status == "present" else 0
        AttendanceFactory(session=session, episode=episode, status=status, minutes_attended=minutes)


def test_client_tab_shows_weeks_rate_excused_and_group_notes_read_only(as_therapist, episode1, site1, track1, today):
    monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=1)
    _week_of_attendance(episode1, site1, track1, monday, ["present", "excused", "absent"], "Group discussed triggers.")
    response = as_therapist.get(reverse("attendance:client", args=[episode1.client_id]))
    assert response.status_code == 200
    page = response.content.decode()
    week = next(w for w in response.context["weeks"] if w.week == monday)
    assert (week.expected, week.attended, week.excused, week.unexcused) == (3, 1, 1, 1)
    assert response.context["rate"].rate == 0.5
    assert "50 %" in page and "1 excused absence" in page
    assert "Group discussed triggers." in page
    assert "<textarea" not in page.split("Log an individual session")[0]  # notes are not editable here
    assert AccessEvent.objects.filter(client=episode1.client).exists()


def test_client_tab_of_another_site_is_404(as_therapist2, episode1):
    assert as_therapist2.get(reverse("attendance:client", args=[episode1.client_id])).status_code == 404


def test_client_tab_query_count_is_the_same_for_3_and_15_sessions(
    as_therapist, episode1, site1, track1, today, django_assert_num_queries
):
    start = today - dt.timedelta(weeks=6)
    _week_of_attendance(episode1, site1, track1, start, ["present"] * 3, "Note")
    url = reverse("attendance:client", args=[episode1.client_id])
    # 1 client (scoped), 2 access event insert, 3 episodes, 4 attendance rows with their
    # sessions, 5 the sessions' addenda, 6 their co-facilitators, 7 the rows' corrections after
    # signing, 8 the site's attendance window (Criteria), + FRAMEWORK, +2 schedules: the
    # client's sessions to come and the schedule form's clinicians; the event is sealed after
    # commit (audit/chain.py).
    with django_assert_num_queries(8 + FRAMEWORK + 2):
        as_therapist.get(url)
    for week in range(1, 5):
        _week_of_attendance(episode1, site1, track1, start + dt.timedelta(weeks=week), ["present"] * 3, "Note")
    with django_assert_num_queries(8 + FRAMEWORK + 2):
        response = as_therapist.get(url)
    assert len(response.context["rows"]) == 15


def test_individual_session_is_logged_from_the_client_tab(as_therapist, episode1, today):
    url = reverse("attendance:individual_log", args=[episode1.client_id])
    response = as_therapist.post(
        url,
        {
            "kind": "individual",
            "date": today.isoformat(),
            "start_time": "15:00",
            "duration_minutes": 50,
            "status": "present",
            "minutes": "",
            "topic": "Goals",
            "note": "Reviewed the relapse plan.",
        },
    )
    assert response.status_code == 302
    row = Attendance.objects.get(episode=episode1)
    assert (row.session.kind, row.minutes_attended, row.note) == ("individual", 50, "Reviewed the relapse plan.")


def test_individual_session_in_the_future_is_refused(as_therapist, episode1, today):
    response = as_therapist.post(
        reverse("attendance:individual_log", args=[episode1.client_id]),
        {
            "kind": "individual",
            "date": (today + dt.timedelta(days=1)).isoformat(),
            "start_time": "15:00",
            "duration_minutes": 50,
            "status": "present",
        },
    )
    assert response.status_code == 400
    assert "future date" in response.content.decode()
    assert not Attendance.objects.exists()


# --- today ---------------------------------------------------------------------------------


def test_today_lists_the_sessions_of_my_sites_with_roster_status(
    as_therapist, evening, episode1, site2, site1, track1, today
):
    SessionFactory(site=site2, date=today, topic="Norfolk only")
    taken = SessionFactory(site=site1, track=track1, date=today, start_time=dt.time(9), status="held")
    AttendanceFactory(session=taken, episode=episode1)
    response = as_therapist.get(reverse("attendance:today"))
    page = response.content.decode()
    assert [s.pk for s in response.context["sessions"]] == [taken.pk, evening.pk]
    assert "Roster taken" in page and "Roster not taken" in page
    assert "Norfolk only" not in page


def test_today_query_count_is_the_same_for_3_and_15_sessions(
    as_therapist, site1, track1, today, django_assert_num_queries
):
    for hour in range(3):
        SessionFactory(site=site1, track=track1, date=today, start_time=dt.time(6 + hour))
    # 1 the day's sessions with their roster status, 2 the clients recorded on them, 3 the
    # page's access event (one INSERT), + FRAMEWORK.
    with django_assert_num_queries(3 + FRAMEWORK):  # event sealed after commit (audit/chain.py)
        as_therapist.get(reverse("attendance:today"))
    for hour in range(12):
        SessionFactory(site=site1, track=track1, date=today, start_time=dt.time(9, hour))
    with django_assert_num_queries(3 + FRAMEWORK):  # event sealed after commit (audit/chain.py)
        response = as_therapist.get(reverse("attendance:today"))
    assert len(response.context["sessions"]) == 15


@pytest.mark.parametrize("persona", ["as_therapist", "as_casemanager", "as_admin"])
def test_every_attendance_page_opens_for_every_role(request, persona, evening, episode1):
    http = request.getfixturevalue(persona)
    pages = {
        reverse("attendance:today"): 200,
        reverse("attendance:session", args=[evening.pk]): 200,
        reverse("attendance:client", args=[episode1.client_id]): 200,
        reverse("attendance:session_create"): 403 if persona == "as_casemanager" else 200,
    }
    for url, status in pages.items():
        assert http.get(url).status_code == status, url


def test_a_refused_stale_roster_writes_nothing_of_the_second_save(
    as_therapist, admin_user, evening, episode1, make_clients
):
    """Issue 12 #10: A and B open the roster at version 0; A saves; B's save (two absences, a
    note) is refused and not one of B's rows, notes or history rows is written."""
    episodes = [episode1, *make_clients(2)]
    b_opened = roster_data(evening, episodes, group_note="B's note.")
    b_opened[f"status_{episodes[1].pk}"] = "absent"
    b_opened[f"status_{episodes[2].pk}"] = "absent"
    services.roster_save(
        session=evening,
        entries=[RosterEntry(episodes[0], "present"), RosterEntry(episodes[1], "present")],
        seen_version=0,
        by=admin_user,
        group_note="A's note.",
    )
    before = {a.episode_id: a.status for a in Attendance.objects.all()}
    history_before = (Attendance.history.count(), Session.history.count())
    response = as_therapist.post(roster_url(evening), b_opened, follow=True)
    assert "The roster changed since you opened it" in response.content.decode()
    assert {a.episode_id: a.status for a in Attendance.objects.all()} == before
    assert before == {episodes[0].pk: "present", episodes[1].pk: "present"}
    assert (Attendance.history.count(), Session.history.count()) == history_before
    evening.refresh_from_db()
    assert (evening.version, evening.group_note) == (1, "A's note.")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent requests need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_rosters_saved_at_once_one_wins_whole_and_the_other_writes_nothing(
    therapist, admin_user, evening, episode1, make_clients
):
    """Issue 12 #10 under real concurrency: both open version 0 and save at the same moment."""
    episodes = [episode1, *make_clients(2)]
    everyone_present = roster_data(evening, episodes, group_note="A's note.")
    two_absent = roster_data(evening, episodes, group_note="B's note.")
    for e in episodes[1:]:
        two_absent[f"status_{e.pk}"] = "absent"
    start, saved = threading.Barrier(2), {}

    def post(user, data):
        http = HttpClient()
        http.force_login(user)
        start.wait()
        page = http.post(roster_url(evening), data, follow=True).content.decode()
        saved[data["group_note"]] = "Roster saved" in page
        connection.close()

    threads = [
        threading.Thread(target=post, args=(therapist, everyone_present)),
        threading.Thread(target=post, args=(admin_user, two_absent)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(saved.values()) == [False, True]
    winner = everyone_present if saved["A's note."] else two_absent
    evening.refresh_from_db()
    assert (evening.version, evening.group_note) == (1, winner["group_note"])
    statuses = {a.episode_id: a.status for a in Attendance.objects.filter(session=evening)}
    assert statuses == {e.pk: winner[f"status_{e.pk}"] for e in episodes}
