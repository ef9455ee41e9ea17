import datetime as dt

import pytest

from goals.rules import next_ref, on_track_share, rating_problem, ref_sort_key, week_problems


@pytest.mark.parametrize(
    "ratings, threshold, expected",
    [
        ([], 3, None),  # nothing rated: no share (not 0 %)
        ([None], 3, None),
        ([3], 3, 1.0),  # exactly the threshold is on track
        ([2], 3, 0.0),
        ([4, 3, 2, 1], 3, 0.5),
        ([4, 4, 4, 2], 3, 0.75),
        ([0, 1, 2], 3, 0.0),
        ([2, 2], 2, 1.0),  # a site may lower the threshold (Criteria.on_track_rating)
        ([3, 3], 4, 0.0),
        ([4, None, 2], 3, 0.5),  # unrated goals are left out
    ],
)
def test_on_track_share(ratings, threshold, expected):
    assert on_track_share(ratings, threshold) == expected


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
