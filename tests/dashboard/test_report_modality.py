"""The program report's hours by modality (telehealth, issue 14): the attendance rule's split,
on a known history, on the page and in the CSV."""

import csv
import datetime as dt
import io
from decimal import Decimal

from django.urls import reverse

from attendance.rules import AttendanceFact
from dashboard.reports import modality_report_compute
from tests.factories import AttendanceFactory, EpisodeFactory, SessionFactory, TrackFactory

URL = reverse("dashboard:report")
CSV_URL = reverse("dashboard:report_csv")
JAN1, FEB28 = dt.date(2026, 1, 1), dt.date(2026, 2, 28)


def test_modality_report_compute_splits_months_and_tracks():
    facts = [
        ("Evening", AttendanceFact(dt.date(2026, 1, 5), "present", 180)),
        ("Evening", AttendanceFact(dt.date(2026, 1, 6), "present", 360, modality="video")),  # two rows summed
        ("Evening", AttendanceFact(dt.date(2026, 2, 2), "absent", 0, modality="video")),
        ("Morning", AttendanceFact(dt.date(2026, 2, 3), "late", 90, modality="phone")),
        ("Morning", AttendanceFact(dt.date(2026, 2, 4), "present", 60, "cancelled", "phone")),  # counts for no one
    ]
    report = modality_report_compute(start=JAN1, end=FEB28, facts=facts)
    assert [(label, h.minutes) for label, h in report.months] == [
        ("Jan 2026", {"in_person": 180, "video": 360, "phone": 0}),
        ("Feb 2026", {"in_person": 0, "video": 0, "phone": 90}),
    ]
    assert dict(report.tracks)["Morning"].minutes == {"in_person": 0, "video": 0, "phone": 90}
    assert report.total.hours == Decimal(630) / 60
    assert report.csv_cells("total", "All") == ["3.0", "6.0", "1.5"]


def _known_history(site, track, day):
    video = SessionFactory(site=site, track=None, kind="individual", date=day, modality="video", duration_minutes=60)
    group = SessionFactory(site=site, track=track, date=day, duration_minutes=180)
    ana, ben = (EpisodeFactory(site=site, track=track, admitted_on=day - dt.timedelta(days=20)) for _ in range(2))
    AttendanceFactory(session=video, episode=ana, minutes_attended=60)
    AttendanceFactory(session=group, episode=ana, minutes_attended=180)
    AttendanceFactory(session=group, episode=ben, minutes_attended=180, modality="phone")  # joined by phone


def test_the_report_page_and_csv_show_hours_by_modality(as_casemanager, site1, track1):
    day = dt.date(2026, 1, 14)
    _known_history(site1, track1, day)
    _known_history(site1, TrackFactory(site=site1, name="Morning"), day + dt.timedelta(days=1))
    params = {"start": JAN1.isoformat(), "end": FEB28.isoformat()}
    response = as_casemanager.get(URL, params)
    assert response.status_code == 200
    modality = response.context["modality"]
    assert modality.total.minutes == {"in_person": 360, "video": 120, "phone": 360}
    assert dict(modality.tracks)["Evening"].minutes == {"in_person": 180, "video": 60, "phone": 180}
    assert "Hours attended by modality" in response.content.decode()

    rows = list(csv.reader(io.StringIO(as_casemanager.get(CSV_URL, params).content.decode())))
    assert rows[0][-3:] == ["hours_in_person", "hours_video", "hours_phone"]
    by_label = {(r[0], r[1]): r[-3:] for r in rows[1:]}
    assert by_label[("total", "All")] == ["6.0", "2.0", "6.0"]
    assert by_label[("month", "Jan 2026")] == ["6.0", "2.0", "6.0"]
    assert by_label[("month", "Feb 2026")] == ["0.0", "0.0", "0.0"]
    assert by_label[("track", "Morning")] == ["3.0", "1.0", "3.0"]
