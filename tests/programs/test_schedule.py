"""Which days a track meets (programs/schedule.py): weekly and monthly cadences, as a table."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from attendance.models import Session
from attendance.services import sessions_generate
from programs.schedule import LAST_WEEK, MONTHLY, WEEKLY, meeting_dates, track_meets_on, week_of_month
from tests.factories import TrackFactory

D = dt.date


@pytest.mark.parametrize(
    "day, weekdays, cadence, month_week, meets",
    [
        (D(2026, 3, 3), ["tue"], WEEKLY, None, True),  # any Tuesday, weekly
        (D(2026, 3, 4), ["tue"], WEEKLY, None, False),  # a Wednesday
        (D(2026, 3, 3), ["tue"], MONTHLY, 1, True),  # first Tuesday of March 2026
        (D(2026, 3, 10), ["tue"], MONTHLY, 1, False),  # second Tuesday
        (D(2026, 3, 10), ["tue"], MONTHLY, 2, True),
        (D(2026, 1, 6), ["tue"], MONTHLY, 1, True),  # January starts on a Thursday: 1st Tue is the 6th
        (D(2026, 1, 1), ["thu"], MONTHLY, 1, True),  # the 1st itself
        (D(2026, 1, 7), ["wed"], MONTHLY, 1, True),  # day 7 is still the first week
        (D(2026, 1, 8), ["thu"], MONTHLY, 2, True),  # day 8 is the second
        (D(2026, 3, 31), ["tue"], MONTHLY, LAST_WEEK, True),  # the fifth Tuesday is the last
        (D(2026, 3, 24), ["tue"], MONTHLY, LAST_WEEK, False),  # a later Tuesday exists
        (D(2026, 3, 24), ["tue"], MONTHLY, 4, True),
        (D(2026, 4, 28), ["tue"], MONTHLY, LAST_WEEK, True),  # April: the fourth Tuesday is the last
        (D(2026, 3, 31), ["tue"], MONTHLY, 4, False),  # a fifth Tuesday is no "fourth"
        (D(2026, 3, 4), ["tue"], MONTHLY, 1, False),  # first week, wrong weekday
        (D(2026, 3, 5), ["tue", "thu"], MONTHLY, 1, True),  # first Thursday of a Tue/Thu monthly track
    ],
)
def test_which_days_a_track_meets(day, weekdays, cadence, month_week, meets):
    assert track_meets_on(day, weekdays=weekdays, cadence=cadence, month_week=month_week) is meets


@pytest.mark.parametrize("day, week", [(D(2026, 3, 1), 1), (D(2026, 3, 7), 1), (D(2026, 3, 8), 2), (D(2026, 3, 29), 5)])
def test_week_of_month(day, week):
    assert week_of_month(day) == week


def test_a_first_tuesday_group_meets_once_a_month():
    days = meeting_dates(D(2026, 1, 1), D(2026, 4, 30), weekdays=["tue"], cadence=MONTHLY, month_week=1)
    assert days == [D(2026, 1, 6), D(2026, 2, 3), D(2026, 3, 3), D(2026, 4, 7)]


@pytest.mark.parametrize("month_week", [None, 0, 5, "1"])
def test_a_monthly_track_without_a_valid_week_is_refused(month_week):
    with pytest.raises(ValueError, match="week of the month"):
        track_meets_on(D(2026, 3, 3), weekdays=["tue"], cadence=MONTHLY, month_week=month_week)


def test_sessions_of_a_monthly_track_are_generated_on_its_days_only(site1):
    alumni = TrackFactory(
        site=site1,
        name="Alumni",
        weekdays=["tue"],
        cadence=MONTHLY,
        month_week=1,
        continuing_care=True,
        start_time=dt.time(18),
        end_time=dt.time(19, 30),
    )
    created = sessions_generate(track=alumni, date_from=D(2026, 1, 1), date_to=D(2026, 3, 31))
    assert [s.date for s in created] == [D(2026, 1, 6), D(2026, 2, 3), D(2026, 3, 3)]
    assert {s.duration_minutes for s in Session.objects.filter(track=alumni)} == {90}
    assert alumni.schedule_label == "First Tuesday of the month"


def test_the_week_of_the_month_goes_with_the_monthly_cadence_only(site1):
    with pytest.raises(ValidationError, match="week of the month"):
        TrackFactory.build(site=site1, cadence=MONTHLY, month_week=None).clean()
    with pytest.raises(ValidationError, match="Only a monthly track"):
        TrackFactory.build(site=site1, cadence=WEEKLY, month_week=1).clean()
