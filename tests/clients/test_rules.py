"""The intake rules as pure functions (no database)."""

import datetime as dt

import pytest

from clients.services import admission_problem, age_on, birth_date_problem

TODAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    "born, expected",
    [
        (dt.date(2014, 3, 2), 12),  # 12th birthday today
        (dt.date(2014, 3, 3), 11),  # 12th birthday tomorrow
        (dt.date(1990, 1, 31), 36),
        (dt.date(2000, 2, 29), 26),  # leap-day birthday
    ],
)
def test_age_on_counts_whole_years(born, expected):
    assert age_on(born, TODAY) == expected


@pytest.mark.parametrize(
    "born, problem",
    [
        (dt.date(1990, 1, 31), None),
        (dt.date(2014, 3, 2), None),  # exactly 12 is old enough
        (dt.date(2014, 3, 3), "at least 12 years old"),
        (dt.date(2020, 1, 1), "at least 12 years old"),
        (TODAY, "at least 12 years old"),
        (TODAY + dt.timedelta(days=1), "cannot be in the future"),
    ],
)
def test_birth_date_must_be_past_and_client_at_least_12(born, problem):
    result = birth_date_problem(born, TODAY)
    assert (result is None) if problem is None else (problem in result)


@pytest.mark.parametrize(
    "admitted, previous_end, problem",
    [
        (TODAY, None, None),
        (TODAY - dt.timedelta(days=30), None, None),
        (TODAY + dt.timedelta(days=1), None, "cannot be in the future"),
        (TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=3), None),  # same day as the last discharge
        (TODAY - dt.timedelta(days=4), TODAY - dt.timedelta(days=3), "on or after the previous episode ended"),
    ],
)
def test_admission_not_in_future_nor_before_the_last_episode_ended(admitted, previous_end, problem):
    result = admission_problem(admitted, TODAY, previous_end=previous_end)
    assert (result is None) if problem is None else (problem in result)
