"""The follow-up rules as tables: due dates from an end date, a follow-up's state as of a day."""

import datetime as dt

import pytest

from aftercare import rules

END = dt.date(2026, 3, 31)


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [
        ((7, 30, 90), [(7, dt.date(2026, 4, 7)), (30, dt.date(2026, 4, 30)), (90, dt.date(2026, 6, 29))]),
        ((90, 7), [(7, dt.date(2026, 4, 7)), (90, dt.date(2026, 6, 29))]),  # earliest first
        ((14, 14), [(14, dt.date(2026, 4, 14))]),  # a repeated offset is one follow-up
        ((), []),
    ],
)
def test_due_dates_count_days_after_the_last_day_of_the_episode(offsets, expected):
    assert rules.followup_due_dates(END, offsets) == expected


@pytest.mark.parametrize("offsets", [(0,), (-7, 30), (7.5,)])
def test_offsets_are_whole_days_after_the_end(offsets):
    with pytest.raises(ValueError, match="whole days"):
        rules.followup_due_dates(END, offsets)


DUE_ON = dt.date(2026, 4, 7)


@pytest.mark.parametrize(
    ("on", "done", "state"),
    [
        (DUE_ON - dt.timedelta(days=1), False, rules.NOT_YET_DUE),
        (DUE_ON, False, rules.DUE),
        (DUE_ON + dt.timedelta(days=rules.GRACE_DAYS), False, rules.DUE),
        (DUE_ON + dt.timedelta(days=rules.GRACE_DAYS + 1), False, rules.OVERDUE),
        (DUE_ON + dt.timedelta(days=60), False, rules.OVERDUE),
        (DUE_ON - dt.timedelta(days=1), True, rules.DONE),  # reached early: done all the same
        (DUE_ON + dt.timedelta(days=60), True, rules.DONE),
    ],
)
def test_state_as_of_a_day(on, done, state):
    assert rules.followup_state(due_on=DUE_ON, on=on, done=done) == state


@pytest.mark.parametrize(
    ("reached", "attempts", "done"),
    [
        (None, 0, False),
        (True, 1, True),
        (False, 1, False),
        (False, rules.MAX_ATTEMPTS - 1, False),
        (False, rules.MAX_ATTEMPTS, True),  # attempts ran out: closed unreached
    ],
)
def test_a_follow_up_is_done_when_reached_or_out_of_attempts(reached, attempts, done):
    assert rules.followup_is_done(reached=reached, attempts=attempts) is done
