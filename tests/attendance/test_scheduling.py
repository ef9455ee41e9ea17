"""Schedules (issue 15): schedule a session for one client from the Attendance tab, the week
view per clinician (or per site), reschedule and cancel with history kept."""

import datetime as dt

import pytest
from django.urls import reverse

from attendance import scheduling
from attendance.models import Attendance, Session
from tests.attendance.test_views import FRAMEWORK
from tests.factories import ClientFactory, EpisodeFactory, SessionFactory, UserFactory


def _schedule_data(clinician, day, **over):
    data = {
        "kind": "individual",
        "date": day.isoformat(),
        "start_time": "10:00",
        "duration_minutes": 50,
        "modality": "video",
        "clinician": clinician.pk,
        "topic": "",
        "submission_key": "6f1c2b52-3a6e-4c55-9d0c-1f1e0c7a0b01",
    }
    return {**data, **over}


def _schedule(as_user, episode, clinician, day, **over):
    return as_user.post(
        reverse("attendance:schedule_session", args=[episode.client_id]), _schedule_data(clinician, day, **over)
    )


@pytest.fixture
def tomorrow(today):
    return today + dt.timedelta(days=1)


def test_therapist_schedules_a_video_session_for_a_client(as_therapist, therapist, episode1, tomorrow):
    response = _schedule(as_therapist, episode1, therapist, tomorrow)
    assert response.status_code == 302
    session = Session.objects.get(scheduled_for=episode1)
    assert (session.kind, session.status, session.modality, session.facilitator) == (
        "individual",
        "scheduled",
        "video",
        therapist,
    )
    assert (session.date, session.start_time, session.duration_minutes, session.track) == (
        tomorrow,
        dt.time(10),
        50,
        None,
    )
    tab = as_therapist.get(reverse("attendance:client", args=[episode1.client_id])).content.decode()
    assert "Scheduled sessions" in tab and f"{tomorrow:%m/%d/%Y} 10:00" in tab


def test_a_double_submit_schedules_one_session(as_therapist, therapist, episode1, tomorrow):
    first = _schedule(as_therapist, episode1, therapist, tomorrow)
    second = _schedule(as_therapist, episode1, therapist, tomorrow)
    assert first.status_code == second.status_code == 302
    assert Session.objects.filter(scheduled_for=episode1).count() == 1


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"kind": "group"}, "kind"),
        ({"date": "2020-01-01"}, "date"),
        ({"modality": "fax"}, "modality"),
        ({"start_time": ""}, "start_time"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_written(as_therapist, therapist, episode1, tomorrow, over, field):
    response = _schedule(as_therapist, episode1, therapist, tomorrow, **over)
    assert response.status_code == 400
    assert field in response.context["schedule_form"].errors
    assert not Session.objects.filter(scheduled_for=episode1).exists()


def test_the_clinician_must_be_staff_of_the_clients_site(as_therapist, therapist2, episode1, tomorrow):
    response = _schedule(as_therapist, episode1, therapist2, tomorrow)
    assert response.status_code == 400
    assert "clinician" in response.context["schedule_form"].errors
    assert not Session.objects.exists()


def test_the_service_refuses_another_sites_clinician(episode1, therapist, therapist2, tomorrow):
    with pytest.raises(Exception, match="staff member of the client"):
        scheduling.session_schedule(
            episode=episode1,
            by=therapist,
            kind="individual",
            date=tomorrow,
            start_time=dt.time(9),
            duration_minutes=60,
            clinician=therapist2,
        )


def test_other_site_staff_get_404(as_therapist2, therapist2, episode1, therapist, tomorrow):
    assert _schedule(as_therapist2, episode1, therapist2, tomorrow).status_code == 404
    session = scheduling.session_schedule(
        episode=episode1,
        by=therapist,
        kind="family",
        date=tomorrow,
        start_time=dt.time(9),
        duration_minutes=60,
        clinician=therapist,
    )
    assert as_therapist2.get(reverse("attendance:session_reschedule", args=[session.pk])).status_code == 404
    assert as_therapist2.get(reverse("attendance:week"), {"clinician": therapist.pk}).status_code == 404
    assert Session.objects.count() == 1


def _scheduled(episode, clinician, day, **kw):
    return scheduling.session_schedule(
        episode=episode,
        by=clinician,
        kind=kw.pop("kind", "individual"),
        date=day,
        start_time=kw.pop("start_time", dt.time(10)),
        duration_minutes=60,
        clinician=clinician,
        **kw,
    )


def test_the_session_shows_in_the_clinicians_week_and_today(as_therapist, therapist, casemanager, episode1, today):
    mine = _scheduled(episode1, therapist, today, modality="phone")
    theirs = _scheduled(episode1, casemanager, today, kind="case_management", start_time=dt.time(11))
    week = as_therapist.get(reverse("attendance:week"))
    assert week.status_code == 200
    shown = [s for _, sessions in week.context["days"] for s in sessions]
    assert shown == [mine]  # one's own week by default
    page = week.content.decode()
    assert episode1.client.full_name in page and "Phone" in page
    everyone = as_therapist.get(reverse("attendance:week"), {"clinician": ""})
    assert {s.pk for _, ss in everyone.context["days"] for s in ss} == {mine.pk, theirs.pk}
    today_page = as_therapist.get(reverse("attendance:today")).content.decode()
    assert "Individual counseling" in today_page and episode1.client.full_name in today_page


def test_the_week_view_pages_by_week(as_casemanager, casemanager, episode1, today):
    later = _scheduled(episode1, casemanager, today + dt.timedelta(weeks=1), kind="case_management")
    url = reverse("attendance:week")
    this_week = as_casemanager.get(url, {"clinician": casemanager.pk})
    assert this_week.context["count"] == 0
    assert f"week={this_week.context['next_week']:%Y-%m-%d}" in this_week.content.decode()
    next_week = as_casemanager.get(url, {"clinician": casemanager.pk, "week": this_week.context["next_week"]})
    assert [s for _, ss in next_week.context["days"] for s in ss] == [later]


@pytest.mark.parametrize("n", [2, 12])
def test_the_week_view_query_count_is_flat(
    as_casemanager, casemanager, site1, track1, today, n, django_assert_num_queries
):
    for _ in range(n):
        episode = EpisodeFactory(client=ClientFactory(), site=site1, track=track1)
        _scheduled(episode, casemanager, today, kind="case_management")
    SessionFactory(site=site1, track=track1, date=today, facilitator=casemanager)
    # the sites of the form, the clinicians of the form, the week's sessions, the access event
    # (sealed after commit: audit/chain.py)
    with django_assert_num_queries(FRAMEWORK + 4):
        response = as_casemanager.get(reverse("attendance:week"), {"clinician": ""})
    assert response.context["count"] == n + 1


def test_reschedule_moves_the_session_and_keeps_where_it_was(as_therapist, therapist, casemanager, episode1, today):
    session = _scheduled(episode1, therapist, today + dt.timedelta(days=1))
    url = reverse("attendance:session_reschedule", args=[session.pk])
    assert as_therapist.get(url).status_code == 200
    new_day = today + dt.timedelta(days=3)
    data = {
        "date": new_day.isoformat(),
        "start_time": "14:30",
        "clinician": casemanager.pk,
        "duration_minutes": 60,
        "modality": "in_person",
        "submission_key": "6f1c2b52-3a6e-4c55-9d0c-1f1e0c7a0b02",
    }
    response = as_therapist.post(url, data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.date, session.start_time, session.facilitator) == (new_day, dt.time(14, 30), casemanager)
    assert (session.rescheduled_from_date, session.rescheduled_from_time) == (today + dt.timedelta(days=1), dt.time(10))
    assert session.history.count() == 2  # scheduled, then rescheduled
    page = as_therapist.get(reverse("attendance:session", args=[session.pk])).content.decode()
    assert f"Rescheduled from {today + dt.timedelta(days=1):%m/%d/%Y} 10:00" in page
    assert as_therapist.post(url, data).status_code == 302  # the same submission again: one change
    assert session.history.count() == 2


def test_reschedule_refuses_a_past_date_with_nothing_changed(as_therapist, therapist, episode1, today):
    session = _scheduled(episode1, therapist, today + dt.timedelta(days=1))
    data = {
        "date": (today - dt.timedelta(days=1)).isoformat(),
        "start_time": "09:00",
        "clinician": therapist.pk,
        "duration_minutes": 60,
        "modality": "video",
    }
    response = as_therapist.post(reverse("attendance:session_reschedule", args=[session.pk]), data)
    assert response.status_code == 400
    assert "date" in response.context["form"].errors
    session.refresh_from_db()
    assert session.date == today + dt.timedelta(days=1) and session.history.count() == 1


def test_cancel_with_a_reason_keeps_the_session_and_its_history(as_therapist, therapist, episode1, today):
    session = _scheduled(episode1, therapist, today + dt.timedelta(days=1))
    response = as_therapist.post(
        reverse("attendance:session_cancel", args=[session.pk]), {"reason": "Client is in hospital"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.cancel_reason) == ("cancelled", "Client is in hospital")
    assert session.history.count() == 2
    reschedule = as_therapist.post(
        reverse("attendance:session_reschedule", args=[session.pk]),
        {"date": (today + dt.timedelta(days=2)).isoformat(), "start_time": "10:00", "clinician": therapist.pk},
    )
    assert reschedule.status_code == 400


def test_on_the_day_the_client_is_on_the_roster(as_therapist, therapist, episode1, today):
    session = _scheduled(episode1, therapist, today)
    response = as_therapist.get(reverse("attendance:session", args=[session.pk]))
    assert [e.pk for e in response.context["form"].episodes] == [episode1.pk]
    assert "Scheduled for" in response.content.decode()
    data = {
        "version": session.version,
        "group_note": "",
        "episode": [episode1.pk],
        f"status_{episode1.pk}": "present",
        f"minutes_{episode1.pk}": "",
        f"note_{episode1.pk}": "",
        f"modality_{episode1.pk}": "in_person",
    }
    assert as_therapist.post(reverse("attendance:session", args=[session.pk]), data).status_code == 302
    row = Attendance.objects.get(session=session)
    assert row.minutes_attended == 60 and row.modality == ""


def test_a_clinician_of_the_site_is_offered(site1, therapist, casemanager):
    outsider = UserFactory(username="elsewhere")
    assert set(scheduling.clinicians_of(site1)) >= {therapist, casemanager}
    assert outsider not in scheduling.clinicians_of(site1)
