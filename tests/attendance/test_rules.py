"""The attendance arithmetic (attendance/rules.py), table-driven, no database."""

import datetime as dt
from decimal import Decimal

import pytest

from attendance.rules import AttendanceFact, default_minutes, minutes_problem, rate_over, week_summary, weekly_summaries

MON = dt.date(2026, 3, 2)  # a Monday
SUN = MON + dt.timedelta(days=6)
AS_OF = dt.date(2026, 3, 30)  # the 28-day window starts on MON


def fact(day, status="present", minutes=180, session_status="held"):
    return AttendanceFact(day, status, minutes, session_status)


@pytest.mark.parametrize(
    "facts, expected, attended, excused, unexcused, hours",
    [
        ([], 0, 0, 0, 0, 0),
        ([fact(MON), fact(MON + dt.timedelta(days=1)), fact(MON + dt.timedelta(days=3))], 3, 3, 0, 0, 9),
        # week edges: Monday and Sunday are in; the Sunday before and the Monday after are not
        ([fact(MON), fact(SUN), fact(MON - dt.timedelta(days=1)), fact(SUN + dt.timedelta(days=1))], 2, 2, 0, 0, 6),
        # late and left early attend, with the minutes actually attended
        ([fact(MON, "late", 150), fact(SUN, "left_early", 90)], 2, 2, 0, 0, 4),
        # an excused absence is expected and reported, with no hours
        ([fact(MON), fact(SUN, "excused", 0)], 2, 1, 1, 0, 3),
        # a no-show is unexcused
        ([fact(MON), fact(SUN, "absent", 0)], 2, 1, 0, 1, 3),
        # a cancelled session counts for no one, whatever the row says
        ([fact(MON), fact(SUN, "present", 180, "cancelled")], 1, 1, 0, 0, 3),
        ([fact(MON), fact(SUN, "cancelled", 0)], 1, 1, 0, 0, 3),
        # a make-up (an extra individual or other-track session) adds its time
        ([fact(MON), fact(MON + dt.timedelta(days=2), minutes=60)], 2, 2, 0, 0, 4),
    ],
)
def test_week_summary(facts, expected, attended, excused, unexcused, hours):
    week = week_summary(facts, MON, 9)
    assert (week.expected, week.attended, week.excused, week.unexcused) == (expected, attended, excused, unexcused)
    assert week.hours == Decimal(hours)
    assert week.week == MON


@pytest.mark.parametrize(
    "minutes, required, met",
    [(540, 9, True), (539, 9, False), (600, "9.5", True), (0, 0, True), (360, "6.5", False)],
)
def test_required_hours_met_at_the_boundary(minutes, required, met):
    week = week_summary([fact(MON, minutes=minutes)], MON, Decimal(required))
    assert week.hours_met is met


def test_week_summary_accepts_any_day_of_the_week():
    assert week_summary([fact(MON)], MON + dt.timedelta(days=4), 9).week == MON


@pytest.mark.parametrize(
    "facts, rate, attended, unexcused, excused",
    [
        ([], None, 0, 0, 0),  # no session: no rate
        ([fact(MON)], 1.0, 1, 0, 0),  # exactly 28 days before as_of: in the window
        ([fact(MON - dt.timedelta(days=1))], None, 0, 0, 0),  # 29 days before: out
        ([fact(AS_OF)], 1.0, 1, 0, 0),  # on as_of: in
        ([fact(AS_OF + dt.timedelta(days=1))], None, 0, 0, 0),  # after as_of: out
        ([fact(MON), fact(AS_OF, "absent", 0)], 0.5, 1, 1, 0),
        ([fact(MON), fact(AS_OF, "excused", 0)], 1.0, 1, 0, 1),  # excused does not lower the rate
        ([fact(MON, "excused", 0)], None, 0, 0, 1),  # only excused: no rate, excused still reported
        ([fact(MON), fact(AS_OF, "absent", 0, "cancelled")], 1.0, 1, 0, 0),  # cancelled: nobody's
        ([fact(MON, "late", 100), fact(MON, "left_early", 60), fact(AS_OF, "absent", 0)], 2 / 3, 2, 1, 0),
        ([fact(MON)] * 9 + [fact(AS_OF, "absent", 0)], 0.9, 9, 1, 0),
    ],
)
def test_rate_over_the_last_28_days(facts, rate, attended, unexcused, excused):
    summary = rate_over(facts, AS_OF)
    assert summary.rate == (pytest.approx(rate) if rate is not None else None)
    assert (summary.attended, summary.unexcused, summary.excused) == (attended, unexcused, excused)


def test_weekly_summaries_cover_every_week_oldest_first_even_empty_ones():
    facts = [fact(MON), fact(MON + dt.timedelta(weeks=2), "absent", 0)]
    weeks = weekly_summaries(facts, MON + dt.timedelta(days=3), MON + dt.timedelta(weeks=2, days=1), 9)
    assert [w.week for w in weeks] == [MON, MON + dt.timedelta(weeks=1), MON + dt.timedelta(weeks=2)]
    assert [(w.attended, w.unexcused) for w in weeks] == [(1, 0), (0, 0), (0, 1)]


@pytest.mark.parametrize(
    "status, minutes, result",
    [
        ("present", None, 180),  # present defaults to the whole session
        ("present", 170, 170),
        ("late", None, None),  # late: required
        ("left_early", 120, 120),
        ("absent", None, 0),
        ("excused", None, 0),
    ],
)
def test_default_minutes(status, minutes, result):
    assert default_minutes(status, 180, minutes) == result


@pytest.mark.parametrize(
    "status, minutes, problem",
    [
        ("present", None, None),
        ("present", 180, None),
        ("present", 181, "cannot exceed"),
        ("present", -1, "cannot be negative"),
        ("late", None, "Enter the minutes"),
        ("left_early", None, "Enter the minutes"),
        ("late", 0, None),
        ("absent", 30, "no minutes"),
        ("excused", 0, None),
    ],
)
def test_minutes_problem(status, minutes, problem):
    found = minutes_problem(status, 180, minutes)
    if problem is None:
        assert found is None
    else:
        assert problem in found
