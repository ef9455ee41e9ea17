"""Calendar helpers shared by every app (weeks start on Monday, as in DOMAIN.md)."""

import datetime as dt

from django.utils import timezone


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def weeks_between(first_monday: dt.date, last_monday: dt.date) -> list[dt.date]:
    """Every Monday from ``first_monday`` to ``last_monday`` inclusive."""
    count = (last_monday - first_monday).days // 7 + 1
    return [first_monday + dt.timedelta(weeks=i) for i in range(max(count, 0))]


def is_week_start(day: dt.date) -> bool:
    """Whether ``day`` starts a week (is a Monday)."""
    return day.weekday() == 0


def week_end(day: dt.date) -> dt.date:
    """The Sunday of ``day``'s week."""
    return week_start(day) + dt.timedelta(days=6)


def aware_at(day: dt.date, hour: int = 17) -> dt.datetime:
    """``day`` at ``hour``:00 in the current time zone (timestamps of demo and test data)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
