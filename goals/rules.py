"""Pure goal-worksheet rules: no ORM, no clock (the caller passes "today")."""

import datetime as dt

RATING_MIN, RATING_MAX = 0, 4


def on_track_share(ratings, threshold=3):
    """Share of ``ratings`` at or above ``threshold`` (0..1), or None when there are none.

    >>> on_track_share([4, 3, 2, 1], 3)
    0.5
    """
    ratings = [r for r in ratings if r is not None]
    if not ratings:
        return None
    return sum(1 for r in ratings if r >= threshold) / len(ratings)


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
    if week.weekday() != 0:
        return [f"The week must start on a Monday ({week:%m/%d/%Y} is a {week:%A})."]
    problems = []
    this_week = today - dt.timedelta(days=today.weekday())
    if week > this_week:
        problems.append(f"The week of {week:%m/%d/%Y} is in the future.")
    week_end = week + dt.timedelta(days=6)
    if week_end < admitted_on:
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
