import datetime as dt

import pytest

from goals.rules import (
    GoalFact,
    every_goal_achieved,
    next_ref,
    rating_problem,
    ref_sort_key,
    week_problems,
    worksheet_on_track,
)


@pytest.mark.parametrize(
    "rating, ok",
    [
        (0, True),
        (4, True),
        (2, True),
        (-1, False),
        (5, False),
        (None, False),
        ("3", False),
        (True, False),
        (2.5, False),
    ],
)
def test_rating_must_be_a_whole_number_from_0_to_4(rating, ok):
    assert (rating_problem(rating) is None) is ok


MON = dt.date(2026, 3, 2)  # a Monday
TODAY = dt.date(2026, 3, 18)  # a Wednesday; this week starts 03/16


@pytest.mark.parametrize(
    "week, admitted_on, ended_on, expected",
    [
        (MON, MON, None, None),  # the admission week
        (dt.date(2026, 3, 16), MON, None, None),  # this week
        (dt.date(2026, 3, 3), MON, None, "must start on a Monday"),
        (dt.date(2026, 3, 23), MON, None, "in the future"),
        (dt.date(2026, 2, 23), MON, None, "before the admission"),
        (dt.date(2026, 2, 23), dt.date(2026, 3, 1), None, None),  # admitted Sunday: that week counts
        (dt.date(2026, 2, 16), dt.date(2026, 3, 1), None, "before the admission"),
        (dt.date(2026, 3, 9), MON, dt.date(2026, 3, 9), None),  # ended on the Monday: still open that day
        (dt.date(2026, 3, 16), MON, dt.date(2026, 3, 13), "not active in the week"),
    ],
)
def test_week_problems(week, admitted_on, ended_on, expected):
    problems = week_problems(week=week, today=TODAY, admitted_on=admitted_on, ended_on=ended_on)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    "refs, expected",
    [([], "G1"), (["G1"], "G2"), (["G1", "G2", "G10"], "G11"), (["G3"], "G4"), (["X", "G2"], "G3")],
)
def test_next_ref_follows_the_highest_number(refs, expected):
    assert next_ref(refs) == expected


def test_refs_sort_in_number_order():
    assert sorted(["G10", "G2", "G1"], key=ref_sort_key) == ["G1", "G2", "G10"]


WEEK = dt.date(2026, 3, 2)  # a Monday


@pytest.mark.parametrize(
    "goals, ratings, expected",
    [
        # DOMAIN.md "Settled readings": the denominator is every goal active in the worksheet's week
        ([GoalFact(1, "active"), GoalFact(2, "active")], {1: 4, 2: 3}, (2, 2, 2)),
        ([GoalFact(i, "active") for i in range(4)], {0: 4, 1: 4, 2: 4}, (3, 4, 3)),  # 3 of 4 rated: 75 %
        ([GoalFact(1, "active"), GoalFact(2, "active", set_on=WEEK + dt.timedelta(days=7))], {1: 4}, (1, 1, 1)),
        ([GoalFact(1, "active"), GoalFact(2, "active", set_on=WEEK + dt.timedelta(days=6))], {1: 4}, (1, 2, 1)),
        ([GoalFact(1, "active"), GoalFact(2, "achieved", closed_on=WEEK - dt.timedelta(days=1))], {1: 4}, (1, 1, 1)),
        ([GoalFact(1, "active"), GoalFact(2, "achieved", closed_on=WEEK)], {1: 4}, (1, 2, 1)),  # closed that week
        ([GoalFact(1, "achieved", set_on=WEEK + dt.timedelta(days=30))], {1: 4}, (1, 1, 1)),  # rated: it was there
        ([], {}, (0, 0, 0)),  # nothing to measure: no share (not 0 %)
        ([GoalFact(i, "active") for i in range(4)], {0: 4, 1: 3, 2: 2, 3: 1}, (2, 4, 4)),  # 3 is on track
    ],
)
def test_worksheet_on_track_counts_every_goal_active_that_week(goals, ratings, expected):
    got = worksheet_on_track(goals, ratings, WEEK, 3)
    assert (got.on_track, got.counted, got.rated) == expected
    assert got.share == (None if expected[1] == 0 else expected[0] / expected[1])


@pytest.mark.parametrize(
    "statuses, achieved",
    [
        (["achieved", "achieved"], True),
        (["achieved", "discontinued", "revised"], True),  # revised and discontinued goals don't count
        (["achieved", "active"], False),
        ([], False),
        (["discontinued"], False),
    ],
)
def test_every_goal_achieved(statuses, achieved):
    assert every_goal_achieved(statuses) is achieved


@pytest.mark.parametrize("threshold, on_track", [(2, 2), (3, 1), (4, 0)])  # Criteria.on_track_rating
def test_worksheet_on_track_uses_the_sites_threshold(threshold, on_track):
    goals = [GoalFact(1, "active"), GoalFact(2, "active")]
    assert worksheet_on_track(goals, {1: 3, 2: 2}, WEEK, threshold).on_track == on_track


def test_only_an_active_goal_past_its_target_date_is_overdue():
    from goals.rules import overdue_since

    today = dt.date(2026, 3, 10)
    assert overdue_since(status="active", target_date=dt.date(2026, 3, 9), today=today) == dt.date(2026, 3, 9)
    assert overdue_since(status="active", target_date=today, today=today) is None
    assert overdue_since(status="achieved", target_date=dt.date(2026, 1, 1), today=today) is None
    assert overdue_since(status="active", target_date=None, today=today) is None
