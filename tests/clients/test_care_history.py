"""The level-of-care history named by what happened (clients.care_history): a table of stories."""

import datetime as dt
from types import SimpleNamespace

import pytest

from clients.care_history import care_history, continued_from, is_continuous_stay

D = dt.date(2026, 3, 2)


def day(n):
    return D + dt.timedelta(days=n)


def ep(pk, admitted, ended=None, reason="", level="IOP"):
    return SimpleNamespace(
        pk=pk,
        admitted_on=day(admitted),
        ended_on=None if ended is None else day(ended),
        end_reason=reason,
        level_of_care=level,
    )


def row(episode, level, on, reason="Admission", by=None, pk=None):
    return SimpleNamespace(
        episode_id=episode, level_of_care=level, effective_on=day(on), reason=reason, changed_by=by, pk=pk
    )


STORIES = {
    "a first admission": ([ep(1, 0)], [row(1, "IOP", 0)], ["Admitted to IOP"]),
    "a step-down opens an OP episode the same day": (
        [ep(1, 0, 50, "stepped_down"), ep(2, 50, level="OP")],
        [row(1, "IOP", 0), row(2, "OP", 50)],
        ["Admitted to IOP", "Stepped down from IOP to OP"],
    ),
    "a step-up within the episode": (
        [ep(1, 0, level="PHP")],
        [row(1, "IOP", 0), row(1, "PHP", 20, "Stepped up by decision")],
        ["Admitted to IOP", "Stepped up from IOP to PHP"],
    ),
    "a step-up that opens a PHP episode": (
        [ep(1, 0, 20, "stepped_up"), ep(2, 20, level="PHP")],
        [row(1, "IOP", 0), row(2, "PHP", 20)],
        ["Admitted to IOP", "Stepped up from IOP to PHP"],
    ),
    "stepped up, then down to OP: named from PHP": (
        [ep(1, 0, 60, "stepped_down", level="PHP"), ep(2, 60, level="OP")],
        [row(1, "IOP", 0), row(1, "PHP", 20), row(2, "OP", 60)],
        ["Admitted to IOP", "Stepped up from IOP to PHP", "Stepped down from PHP to OP"],
    ),
    "graduation ends the episode": (
        [ep(1, 0, 90, "graduated")],
        [row(1, "IOP", 0)],
        ["Admitted to IOP", "Graduated from IOP"],
    ),
    "a readmission after a graduation": (
        [ep(1, 0, 90, "graduated"), ep(2, 200)],
        [row(1, "IOP", 0), row(2, "IOP", 200)],
        ["Admitted to IOP", "Graduated from IOP", "Readmitted to IOP"],
    ),
    "a readmission the day after a step-down is not a continuous stay": (
        [ep(1, 0, 50, "stepped_down"), ep(2, 51)],
        [row(1, "IOP", 0), row(2, "IOP", 51)],
        ["Admitted to IOP", "Stepped down from IOP: care continues elsewhere", "Readmitted to IOP"],
    ),
    "discharged against advice, then readmitted": (
        [ep(1, 0, 10, "left_against_advice"), ep(2, 40)],
        [row(1, "IOP", 0), row(2, "IOP", 40)],
        ["Admitted to IOP", "Discharged from IOP: left against clinical advice", "Readmitted to IOP"],
    ),
    "administrative discharge": (
        [ep(1, 0, 10, "administrative")],
        [row(1, "IOP", 0)],
        ["Admitted to IOP", "Discharged from IOP: administrative"],
    ),
    "a step-down, then the OP episode graduates": (
        [ep(1, 0, 50, "stepped_down"), ep(2, 50, 80, "graduated", level="OP")],
        [row(1, "IOP", 0), row(2, "OP", 50)],
        ["Admitted to IOP", "Stepped down from IOP to OP", "Graduated from OP"],
    ),
    "an episode without a level row is named from its level": ([ep(1, 0, level="PHP")], [], ["Admitted to PHP"]),
}


@pytest.mark.parametrize("episodes, changes, expected", STORIES.values(), ids=STORIES.keys())
def test_care_history_names_each_change_by_what_happened(episodes, changes, expected):
    assert [event.what for event in care_history(episodes, changes)] == expected


def test_events_are_dated_and_keep_a_reason_that_says_more():
    episodes = [ep(1, 0, level="PHP")]
    changes = [row(1, "IOP", 0, by="cm"), row(1, "PHP", 20, "Relapse; needs daily structure", by="cm")]
    admitted, stepped_up = care_history(episodes, changes)
    assert (admitted.on, admitted.kind, admitted.level, admitted.note, admitted.by) == (D, "admitted", "IOP", "", "cm")
    assert (stepped_up.on, stepped_up.kind, stepped_up.note) == (
        day(20),
        "stepped_up",
        "Relapse; needs daily structure",
    )


def test_rows_of_episodes_not_given_are_left_out():
    """The caller passes the episodes the user may see: another site's rows are not named."""
    assert [e.what for e in care_history([ep(1, 0)], [row(1, "IOP", 0), row(9, "PHP", 5)])] == ["Admitted to IOP"]


@pytest.mark.parametrize(
    "ended_on, reason, admitted_on, expected",
    [
        (D, "stepped_down", D, True),
        (D, "stepped_up", D, True),
        (D, "graduated", D, False),
        (D, "stepped_down", day(1), False),
        (None, "", D, False),
    ],
)
def test_is_continuous_stay(ended_on, reason, admitted_on, expected):
    assert is_continuous_stay(ended_on, reason, admitted_on) is expected


def test_continued_from_finds_the_episode_a_step_down_left():
    iop, op = ep(1, 0, 50, "stepped_down"), ep(2, 50, level="OP")
    assert continued_from(op, [iop, op]) is iop
    assert continued_from(iop, [iop, op]) is None
