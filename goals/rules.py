"""Pure goal-worksheet rules: no ORM, no clock (the caller passes "today")."""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from iop.dates import is_week_start, week_end, week_start

RATING_MIN, RATING_MAX = 0, 4
ACTIVE, ACHIEVED, REVISED, DISCONTINUED = "active", "achieved", "revised", "discontinued"


@dataclass(frozen=True)
class GoalFact:
    """One goal as the rules see it."""

    key: object  # the goal's id (or ref): what a worksheet's ratings are keyed by
    status: str  # its status as of the evaluation date
    set_on: dt.date | None = None  # the day it was set (None: unknown, counted from the start)
    closed_on: dt.date | None = None  # the day it stopped being active (achieved, revised, …)

    def open_in_week(self, week: dt.date) -> bool:
        """Not yet closed (achieved, revised, discontinued) before ``week``'s Monday."""
        return self.status == ACTIVE or self.closed_on is None or self.closed_on >= week_start(week)

    def set_by_week(self, week: dt.date) -> bool:
        """Set on or before the Sunday of ``week``."""
        return self.set_on is None or self.set_on <= week_end(week)

    def active_in_week(self, week: dt.date) -> bool:
        """Active on at least one day of ``week``'s calendar week."""
        return self.set_by_week(week) and self.open_in_week(week)


@dataclass(frozen=True)
class OnTrack:
    """Goals on track on one worksheet (DOMAIN.md "Settled readings")."""

    on_track: int
    counted: int  # every goal active in the worksheet's week, rated or not
    rated: int

    @property
    def share(self):
        return None if self.counted == 0 else self.on_track / self.counted


def worksheet_on_track(
    goals: Iterable[GoalFact], ratings: Mapping[object, int], week: dt.date, threshold: int = 3
) -> OnTrack:
    """The worksheet of ``week`` with ``ratings`` (goal key → 0–4): the denominator is every goal
    active in that week, an unrated one is not on track; a goal set after the week is not counted.
    A rated goal was there that week, whatever its status since."""
    counted = [g for g in goals if g.open_in_week(week) and (g.key in ratings or g.set_by_week(week))]
    rated = [ratings[g.key] for g in counted if ratings.get(g.key) is not None]
    return OnTrack(
        on_track=sum(1 for r in rated if r >= threshold),
        counted=len(counted),
        rated=len(rated),
    )


def overdue_since(*, status: str, target_date: dt.date | None, today: dt.date) -> dt.date | None:
    """The target date of an active goal that is past it ("overdue since …"), else None."""
    if status != ACTIVE or target_date is None or target_date >= today:
        return None
    return target_date


def every_goal_achieved(statuses: Iterable[str]) -> bool:
    """Every goal of the episode achieved (revised and discontinued ones don't count): the
    goals criterion is then met, shown "all achieved"."""
    kept = [s for s in statuses if s in (ACTIVE, ACHIEVED)]
    return bool(kept) and all(s == ACHIEVED for s in kept)


def rating_problem(rating):
    """Why ``rating`` is not an acceptable worksheet rating, or None."""
    if rating is None or isinstance(rating, bool) or not isinstance(rating, int):
        return "A rating must be a whole number from 0 to 4."
    if not RATING_MIN <= rating <= RATING_MAX:
        return f"A rating must be from 0 to 4 (got {rating})."
    return None


def week_problems(*, week, today, admitted_on, ended_on=None):
    """Why a worksheet (or check-in) cannot be written for ``week``: a list of messages, empty if it can.

    The week is the Monday that starts it; it may not start before the admission week, may not
    be a future week, and the episode must have been open on at least one day of it.
    """
    if not is_week_start(week):
        return [f"The week must start on a Monday ({week:%m/%d/%Y} is a {week:%A})."]
    problems = []
    if week > week_start(today):
        problems.append(f"The week of {week:%m/%d/%Y} is in the future.")
    if week_end(week) < admitted_on:
        problems.append(f"The week of {week:%m/%d/%Y} is before the admission on {admitted_on:%m/%d/%Y}.")
    elif ended_on is not None and week > ended_on:
        problems.append(f"The episode was not active in the week of {week:%m/%d/%Y} (it ended on {ended_on:%m/%d/%Y}).")
    return problems


def next_ref(existing_refs):
    """The next free goal reference ``G<n>`` of an episode, after the highest number used."""
    numbers = [int(ref[1:]) for ref in existing_refs if ref[:1] == "G" and ref[1:].isdigit()]
    return f"G{max(numbers, default=0) + 1}"


def ref_sort_key(ref):
    """Order G2 before G10."""
    return (len(ref), ref)
