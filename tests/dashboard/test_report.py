import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import Attendance
from audit.models import AccessEvent
from clients.models import Episode
from dashboard.reports import AttendanceCounts, EpisodeFact, ScreenFact, months_between, report_compute
from screening.models import Screen, ScreenResult
from tests.factories import (
    AnalyteFactory,
    AttendanceFactory,
    EpisodeFactory,
    PrescriptionFactory,
    ScreenFactory,
    ScreenResultFactory,
    SessionFactory,
    TrackFactory,
    UserFactory,
)

JAN1, MAR31 = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
URL = reverse("dashboard:report")
CSV_URL = reverse("dashboard:report_csv")


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (
            JAN1,
            MAR31,
            [(JAN1, dt.date(2026, 1, 31)), (dt.date(2026, 2, 1), dt.date(2026, 2, 28)), (dt.date(2026, 3, 1), MAR31)],
        ),
        (
            dt.date(2026, 1, 15),
            dt.date(2026, 2, 10),
            [(dt.date(2026, 1, 15), dt.date(2026, 1, 31)), (dt.date(2026, 2, 1), dt.date(2026, 2, 10))],
        ),
        (dt.date(2025, 12, 31), dt.date(2026, 1, 1), [(dt.date(2025, 12, 31), dt.date(2025, 12, 31)), (JAN1, JAN1)]),
        (JAN1, JAN1, [(JAN1, JAN1)]),
    ],
)
def test_months_between_clips_calendar_months_to_the_range(start, end, expected):
    assert months_between(start, end) == expected


def _ep(track, admitted, ended=None, status=Episode.Status.ACTIVE):
    return EpisodeFact(track=track, admitted_on=admitted, ended_on=ended, status=status)


def test_report_counts_episodes_by_month_and_track():
    episodes = [
        _ep("Evening", dt.date(2025, 11, 3)),  # open all along: census every month, no admission
        _ep("Evening", dt.date(2026, 1, 10), dt.date(2026, 2, 19), Episode.Status.GRADUATED),  # 40 days
        _ep("Morning", dt.date(2026, 2, 2), dt.date(2026, 3, 4), Episode.Status.STEPPED_DOWN),  # 30 days
        _ep("Morning", dt.date(2025, 12, 1), dt.date(2026, 1, 5), Episode.Status.DISCHARGED),  # 35 days
    ]
    report = report_compute(start=JAN1, end=MAR31, episodes=episodes, attendance=[], screens=[])
    jan, feb, mar = report.months
    assert (jan.label, jan.census, jan.admissions, jan.other_discharges, jan.median_stay_days) == (
        "Jan 2026",
        3,
        1,
        1,
        35,
    )
    assert (feb.census, feb.admissions, feb.graduations, feb.median_stay_days) == (3, 1, 1, 40)
    assert (mar.census, mar.step_downs, mar.median_stay_days) == (2, 1, 30)
    assert [t.label for t in report.tracks] == ["Evening", "Morning"]
    assert (report.tracks[1].census, report.tracks[1].admissions) == (2, 1)
    total = report.total
    assert (total.census, total.admissions, total.graduations, total.step_downs, total.other_discharges) == (
        4,
        2,
        1,
        1,
        1,
    )
    assert total.median_stay_days == 35


def test_report_rates_exclude_nothing_measured_and_show_a_dash():
    attendance = [AttendanceCounts(month=JAN1, track="Evening", attended=9, absent=1)]
    screens = [
        ScreenFact(collected_on=dt.date(2026, 1, 5), track="Evening", negative=True),
        ScreenFact(collected_on=dt.date(2026, 1, 12), track="Evening", negative=True),
        ScreenFact(collected_on=dt.date(2026, 1, 19), track="Evening", negative=True),
        ScreenFact(collected_on=dt.date(2026, 2, 2), track="Evening", negative=False),
    ]
    report = report_compute(start=JAN1, end=MAR31, episodes=[], attendance=attendance, screens=screens)
    jan, feb, mar = report.months
    assert (jan.attendance_rate, jan.negative_screen_share) == (0.9, 1.0)
    assert (feb.attendance_rate, feb.negative_screen_share) == (None, 0.0)
    assert mar.cells()[-2:] == ["—", "—"]
    assert report.total.negative_screen_share == 0.75
    assert report.total.cells()[-2:] == ["90%", "75%"]


# --- through the database and the page ------------------------------------------------


def _history(site, track, n, *, today):
    """``n`` episodes admitted 60 days ago, each with one attended and one missed session and
    one negative, one expected-positive and one unexpected-positive screen in the last month."""
    bup = AnalyteFactory(code="BUP")
    thc = AnalyteFactory(code="THC")
    attended = SessionFactory(site=site, track=track, date=today - dt.timedelta(days=3))
    missed = SessionFactory(site=site, track=track, date=today - dt.timedelta(days=2), start_time=dt.time(9))
    for _ in range(n):
        episode = EpisodeFactory(site=site, track=track, admitted_on=today - dt.timedelta(days=60))
        AttendanceFactory(session=attended, episode=episode)
        AttendanceFactory(session=missed, episode=episode, status=Attendance.Status.ABSENT, minutes_attended=0)
        PrescriptionFactory(client=episode.client, analyte=bup, start=today - dt.timedelta(days=60))
        now = timezone.now()
        ScreenResultFactory(screen=ScreenFactory(episode=episode, collected_at=now - dt.timedelta(days=5)), analyte=thc)
        ScreenResultFactory(
            screen=ScreenFactory(episode=episode, collected_at=now - dt.timedelta(days=4)),
            analyte=bup,
            result=ScreenResult.Result.POSITIVE,
        )
        ScreenResultFactory(
            screen=ScreenFactory(episode=episode, collected_at=now - dt.timedelta(days=3)),
            analyte=thc,
            result=ScreenResult.Result.POSITIVE,
        )


def _params(**overrides):
    today = timezone.localdate()
    return {"start": (today - dt.timedelta(days=90)).isoformat(), "end": today.isoformat(), **overrides}


def test_report_page_counts_the_users_sites(as_casemanager, site1, site2, track1):
    today = timezone.localdate()
    _history(site1, track1, 2, today=today)
    _history(site2, TrackFactory(site=site2), 5, today=today)  # another site: not counted
    EpisodeFactory(
        site=site1,
        track=track1,
        admitted_on=today - dt.timedelta(days=50),
        status=Episode.Status.GRADUATED,
        ended_on=today - dt.timedelta(days=8),
        end_reason=Episode.EndReason.GRADUATED,
    )

    response = as_casemanager.get(URL, _params())

    assert response.status_code == 200
    total = response.context["report"].total
    assert (total.census, total.admissions, total.graduations, total.median_stay_days) == (3, 3, 1, 42)
    assert total.attendance_rate == 0.5
    assert total.negative_screen_share == pytest.approx(0.667)
    assert "Median length of stay (days)" in response.text


def test_report_site_filter_refuses_a_site_of_someone_else(as_casemanager, site2):
    response = as_casemanager.get(URL, _params(site=site2.pk))
    assert response.status_code == 200
    assert response.context["report"] is None
    assert "Select a valid choice" in response.text


@pytest.mark.parametrize(
    "start, end, message",
    [
        ("2026-03-01", "2026-02-01", "The end date must be on or after the start date."),
        ("not-a-date", "2026-02-01", "Enter a valid date."),
        ("2026-01-01", "", "This field is required."),
    ],
)
def test_report_bad_dates_show_a_form_error(as_casemanager, start, end, message):
    response = as_casemanager.get(URL, {"start": start, "end": end})
    assert response.status_code == 200
    assert response.context["report"] is None
    assert message in response.text
    assert as_casemanager.get(CSV_URL, {"start": start, "end": end}).status_code == 400


def test_report_without_dates_shows_the_last_six_months(as_admin, site1):
    response = as_admin.get(URL)
    assert response.status_code == 200
    assert len(response.context["report"].months) == 6
    response = as_admin.get(URL, {"site": site1.pk})
    assert len(response.context["report"].months) == 6
    assert response.context["form"].cleaned_data["site"] == site1


def test_report_is_refused_without_the_permission(client, site1):
    nobody = UserFactory(username="norole", sites=[site1])
    client.force_login(nobody)
    assert client.get(URL).status_code == 403
    assert client.get(CSV_URL).status_code == 403


def test_report_csv_has_the_same_numbers_and_logs_the_export(as_casemanager, casemanager, site1, track1):
    _history(site1, track1, 2, today=timezone.localdate())
    page = as_casemanager.get(URL, _params()).context["report"]

    response = as_casemanager.get(CSV_URL, _params())

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["group", "period or track", "census"]
    total = next(r for r in rows if r and r[0] == "total")  # the after-the-program block follows
    assert total[:2] == ["total", "All"]
    assert total[2:10] == ["" if v is None else str(v) for v in page.total.values()]
    assert [r[1] for r in rows if r[0] == "track"] == ["Evening"]
    assert AccessEvent.objects.filter(user=casemanager, action=AccessEvent.Action.EXPORT).count() == 1


def test_report_query_count_is_the_same_for_3_and_30_episodes(as_casemanager, site1, track1, django_assert_num_queries):
    today = timezone.localdate()
    # session + user (2), the request's savepoint and its release (2), the user's and the
    # groups' permissions (1), the episodes (1), attendance by month and track (1), the screens
    # (1), their results (1), the prescriptions of their clients (1), the sites of the form (1),
    # the page's access event (1) (no idle-logoff session update within a minute of sign-in)
    # +4: after the program (the 30- and 90-day follow-ups, the episodes ended with "readmitted",
    # their clients' admissions, continuing-care attendance: dashboard.reports.aftercare_outcomes_build);
    # +1: hours by modality; the access event is sealed after commit (audit/chain.py)
    expected = 12 + 4 + 1
    _history(site1, track1, 3, today=today)
    with django_assert_num_queries(expected):
        assert as_casemanager.get(URL, _params()).context["report"].total.census == 3
    _history(site1, TrackFactory(site=site1), 27, today=today)
    with django_assert_num_queries(expected):
        assert as_casemanager.get(URL, _params()).context["report"].total.census == 30
    assert Screen.objects.count() == 90


def test_report_at_300_episodes_runs_the_same_queries(as_casemanager, site1, track1, django_assert_num_queries):
    """Bulk rows (no history needed here): 300 episodes, each with a session and a screen."""
    from clients.models import Client

    today = timezone.localdate()
    _history(site1, track1, 3, today=today)
    thc = AnalyteFactory(code="THC")
    clients = Client.objects.bulk_create(
        Client(mrn=f"BLK-{i:04d}", first_name="A", last_name=f"B{i}", date_of_birth=dt.date(1990, 1, 1))
        for i in range(297)
    )
    episodes = Episode.objects.bulk_create(
        Episode(client=c, ref=f"{c.mrn}-1", site=site1, track=track1, admitted_on=today - dt.timedelta(days=30))
        for c in clients
    )
    session = SessionFactory(site=site1, track=track1, date=today - dt.timedelta(days=1), start_time=dt.time(7))
    Attendance.objects.bulk_create(Attendance(session=session, episode=e, status="present") for e in episodes)
    screens = Screen.objects.bulk_create(
        Screen(episode=e, collected_at=timezone.now() - dt.timedelta(days=2)) for e in episodes
    )
    ScreenResult.objects.bulk_create(ScreenResult(screen=s, analyte=thc) for s in screens)

    with django_assert_num_queries(12 + 4 + 1):  # as for 3 and 30 episodes (see above)
        report = as_casemanager.get(URL, _params()).context["report"]
    assert report.total.census == 300
    assert report.total.screens == 9 + 297


def test_therapists_do_not_see_the_program_report(as_therapist):
    """The report is for case managers and program admins (issue 6)."""
    assert as_therapist.get(URL).status_code == 403
    assert as_therapist.get(CSV_URL).status_code == 403
    assert b"Reports</a>" not in as_therapist.get("/clients/").content
