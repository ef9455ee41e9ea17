"""Telehealth (issue 14): every session has a modality, an attendee may take part differently,
hours count the same, and the tab and the roster show the hours by modality."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from attendance import rules
from attendance.models import Attendance, Session
from attendance.rules import AttendanceFact as F
from tests.factories import AttendanceFactory, SessionFactory

MON = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("facts", "start", "end", "expected"),
    [
        ([], None, None, {"in_person": 0, "video": 0, "phone": 0}),
        ([F(MON, "present", 180)], None, None, {"in_person": 180, "video": 0, "phone": 0}),
        (
            [F(MON, "present", 180, modality="video"), F(MON, "late", 90, modality="phone"), F(MON, "present", 60)],
            None,
            None,
            {"in_person": 60, "video": 180, "phone": 90},
        ),
        # an absence, a cancelled row and a cancelled session count for no modality
        (
            [
                F(MON, "absent", 0, modality="video"),
                F(MON, "excused", 0),
                F(MON, "present", 180, "cancelled", "video"),
                F(MON, "cancelled", 0, modality="phone"),
            ],
            None,
            None,
            {"in_person": 0, "video": 0, "phone": 0},
        ),
        # a date range, both ends included
        (
            [
                F(MON - dt.timedelta(days=1), "present", 60, modality="video"),
                F(MON, "present", 30, modality="video"),
                F(MON + dt.timedelta(days=6), "left_early", 45),
                F(MON + dt.timedelta(days=7), "present", 99),
            ],
            MON,
            MON + dt.timedelta(days=6),
            {"in_person": 45, "video": 30, "phone": 0},
        ),
    ],
)
def test_hours_by_modality(facts, start, end, expected):
    result = rules.hours_by_modality(facts, start, end)
    assert result.minutes == expected
    assert result.total_minutes == sum(expected.values())


def test_hours_by_modality_splits_the_same_minutes_as_the_weekly_hours():
    facts = [
        F(MON, "present", 180, modality="video"),
        F(MON + dt.timedelta(days=1), "present", 180),
        F(MON + dt.timedelta(days=3), "late", 120, modality="phone"),
        F(MON + dt.timedelta(days=4), "absent", 0),
    ]
    week = rules.week_summary(facts, MON, 9)
    by_modality = rules.hours_by_modality(facts, MON, MON + dt.timedelta(days=6))
    assert by_modality.total_minutes == week.minutes == 480
    assert by_modality.hours == week.hours
    assert [(code, hours) for code, _, hours in by_modality.present_rows] == [
        ("in_person", Decimal(3)),
        ("video", Decimal(3)),
        ("phone", Decimal(2)),
    ]
    assert by_modality.telehealth_minutes == 300


@pytest.mark.parametrize(
    ("row", "session", "expected"),
    [
        ("", "in_person", "in_person"),
        ("", "video", "video"),
        ("video", "in_person", "video"),
        ("phone", "video", "phone"),
    ],
)
def test_an_attendee_takes_the_sessions_modality_unless_it_differs(row, session, expected):
    assert rules.effective_modality(row, session) == expected


def _roster(session, episodes, modality=None):
    data = {"version": session.version, "group_note": "", "episode": [e.pk for e in episodes]}
    for e in episodes:
        data[f"status_{e.pk}"] = "present"
        data[f"minutes_{e.pk}"] = ""
        data[f"note_{e.pk}"] = ""
        if modality and e.pk in modality:
            data[f"modality_{e.pk}"] = modality[e.pk]
    return data


def test_the_roster_records_a_client_joining_the_group_by_video(as_therapist, evening, episode1, make_clients):
    other = make_clients(1)[0]
    url = reverse("attendance:session", args=[evening.pk])
    response = as_therapist.post(url, _roster(evening, [episode1, other], {episode1.pk: "video"}))
    assert response.status_code == 302
    rows = {a.episode_id: a for a in Attendance.objects.filter(session=evening)}
    assert rows[episode1.pk].modality == "video"
    assert rows[other.pk].modality == ""  # as the session: in person
    assert rows[other.pk].effective_modality == "in_person"
    page = as_therapist.get(url).content.decode()
    assert "Hours by modality:" in page
    assert "In person 3.0 h" in page and "Video 3.0 h" in page


def test_the_roster_refuses_an_unknown_modality(as_therapist, evening, episode1):
    url = reverse("attendance:session", args=[evening.pk])
    response = as_therapist.post(url, _roster(evening, [episode1], {episode1.pk: "fax"}))
    assert response.status_code == 400
    assert not Attendance.objects.filter(session=evening).exists()


def test_a_video_session_shows_its_modality_and_its_attendees_follow_it(as_therapist, site1, episode1, today):
    session = SessionFactory(site=site1, track=None, kind="individual", date=today, modality="video", status="held")
    AttendanceFactory(session=session, episode=episode1, status="present", minutes_attended=60)
    page = as_therapist.get(reverse("attendance:session", args=[session.pk])).content.decode()
    assert 'id="session-modality">Video<' in page
    assert "Video 1.0 h" in page


def test_the_attendance_tab_shows_hours_by_modality_counted_the_same(as_therapist, site1, track1, episode1, today):
    group = SessionFactory(site=site1, track=track1, date=today, status="held", duration_minutes=180)
    phone = SessionFactory(site=site1, track=None, kind="individual", date=today, modality="phone", status="held")
    AttendanceFactory(session=group, episode=episode1, status="present", minutes_attended=180, modality="video")
    AttendanceFactory(session=phone, episode=episode1, status="present", minutes_attended=60)
    response = as_therapist.get(reverse("attendance:client", args=[episode1.client_id]))
    page = response.content.decode()
    this_week = response.context["weeks"][0]
    assert this_week.hours == 4  # the weekly hours count every modality the same
    assert response.context["week_modalities"][this_week.week].minutes == {"in_person": 0, "video": 180, "phone": 60}
    assert "Video 3.0 h · Phone 1.0 h" in re.sub(r"<[^>]+>", "", page)
    assert page.count("Phone</span>") >= 1  # the phone session is marked in the list


def test_logging_an_individual_session_by_phone(as_therapist, episode1, today):
    response = as_therapist.post(
        reverse("attendance:individual_log", args=[episode1.client_id]),
        {
            "kind": "individual",
            "date": today.isoformat(),
            "start_time": "10:00",
            "duration_minutes": 50,
            "status": "present",
            "modality": "phone",
        },
    )
    assert response.status_code == 302
    session = Session.objects.get(kind="individual", date=today)
    assert session.modality == "phone"
