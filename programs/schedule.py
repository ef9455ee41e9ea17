"""Which days a track meets: pure (no ORM, no clock), table-tested.

- A **weekly** track meets on each of its weekdays, every week.
- A **monthly** track (a continuing-care / alumni group) meets on its weekdays only in the
  chosen week of the month: the 1st–4th occurrence of that weekday in the month, or the last
  (``LAST_WEEK``). "First Tuesday of the month" is weekdays ``["tue"]``, week of month 1.
"""

import datetime as dt

WEEKDAY_CODES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]  # index = date.weekday()
WEEKLY, MONTHLY = "weekly", "monthly"
LAST_WEEK = -1
WEEKS_OF_MONTH = (1, 2, 3, 4, LAST_WEEK)


def week_of_month(day: dt.date) -> int:
    """Which occurrence of its weekday ``day`` is in its month (1 for the first Tuesday…)."""
    return (day.day - 1) // 7 + 1


def is_last_of_month(day: dt.date) -> bool:
    """Whether no later day of the month falls on the same weekday."""
    return (day + dt.timedelta(days=7)).month != day.month


def track_meets_on(day: dt.date, *, weekdays, cadence=WEEKLY, month_week=None) -> bool:
    """Whether a track with these ``weekdays`` (codes) and ``cadence`` meets on ``day``."""
    if WEEKDAY_CODES[day.weekday()] not in weekdays:
        return False
    if cadence == WEEKLY:
        return True
    if cadence != MONTHLY or month_week not in WEEKS_OF_MONTH:
        raise ValueError(f"A monthly track needs its week of the month (1–4 or last), not {month_week!r}.")
    if month_week == LAST_WEEK:
        return is_last_of_month(day)
    return week_of_month(day) == month_week


def meeting_dates(date_from: dt.date, date_to: dt.date, **schedule) -> list[dt.date]:
    """Every day from ``date_from`` to ``date_to`` (inclusive) the track meets, in order."""
    days, day = [], date_from
    while day <= date_to:
        if track_meets_on(day, **schedule):
            days.append(day)
        day += dt.timedelta(days=1)
    return days
