"""Attendance arithmetic, pure: facts in, summaries out (no ORM, no ``now()``).

The meanings are DOMAIN.md's "Precise meanings":

- attended = present, late or left early; unexcused = absent (no-show); excused absences are
  reported beside the rate, never in it;
- a session cancelled by the program (session status ``cancelled``, or an attendance row
  marked ``cancelled``) counts for no one: it is in no number at all;
- attendance rate over 4 weeks = attended ÷ (attended + unexcused) over sessions dated in
  the last 28 days (on or after D − 28, on or before D); no such session → no rate (``None``);
- weekly hours = minutes attended in a calendar week (Monday start) ÷ 60, compared with the
  episode's required weekly hours.

A make-up session (a client attending a session outside their track) is simply another row:
it counts like any other.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from iop.dates import week_end, week_start, weeks_between

PRESENT, LATE, LEFT_EARLY, EXCUSED, ABSENT, CANCELLED = (
    "present",
    "late",
    "left_early",
    "excused",
    "absent",
    "cancelled",
)
ATTENDED = frozenset({PRESENT, LATE, LEFT_EARLY})
SESSION_CANCELLED = "cancelled"
RATE_WINDOW_DAYS = 28

# How a client took part (telehealth): a session has one, an attendance row may differ from
# it (a client joins a group by video). Every modality counts the same for the hours.
IN_PERSON, VIDEO, PHONE = "in_person", "video", "phone"
MODALITIES = (IN_PERSON, VIDEO, PHONE)
MODALITY_LABELS = {IN_PERSON: "In person", VIDEO: "Video", PHONE: "Phone"}


@dataclass(frozen=True)
class AttendanceFact:
    """One attendance row as the rules see it."""

    date: dt.date
    status: str  # an Attendance.Status value
    minutes: int = 0
    session_status: str = "held"  # a Session.Status value
    modality: str = IN_PERSON  # how the client took part (the row's, else the session's)

    @property
    def counts(self):
        """Whether the row counts at all (a cancelled session counts for no one)."""
        return self.session_status != SESSION_CANCELLED and self.status != CANCELLED

    @property
    def attended(self):
        return self.counts and self.status in ATTENDED


@dataclass(frozen=True)
class WeekSummary:
    """One calendar week of one episode: what the client page and the check-in form show."""

    week: dt.date  # the Monday
    expected: int  # sessions the client was expected at: attended + excused + unexcused
    attended: int
    excused: int
    unexcused: int
    minutes: int
    required_hours: Decimal

    @property
    def hours(self):
        return Decimal(self.minutes) / 60

    @property
    def hours_met(self):
        return self.hours >= self.required_hours

    @property
    def rate(self):
        """attended ÷ (attended + unexcused) for this week; ``None`` with no such session."""
        return attendance_rate(self.attended, self.unexcused)


@dataclass(frozen=True)
class RateSummary:
    """The 4-week attendance rate and the counts behind it."""

    start: dt.date
    end: dt.date
    attended: int
    unexcused: int
    excused: int

    @property
    def days(self):
        """The length of the window (the site's ``attendance_window_days``)."""
        return (self.end - self.start).days

    @property
    def rate(self):
        return attendance_rate(self.attended, self.unexcused)


def attendance_rate(attended: int, unexcused: int) -> float | None:
    """attended ÷ (attended + unexcused); ``None`` when the client was expected at nothing."""
    total = attended + unexcused
    return None if total == 0 else attended / total


def week_summary(facts: Iterable[AttendanceFact], week: dt.date, required_hours) -> WeekSummary:
    """The summary of the calendar week starting ``week`` (any day of the week is accepted)."""
    monday, sunday = week_start(week), week_end(week)
    attended = excused = unexcused = minutes = 0
    for fact in facts:
        if not (monday <= fact.date <= sunday) or not fact.counts:
            continue
        if fact.status in ATTENDED:
            attended += 1
            minutes += fact.minutes
        elif fact.status == EXCUSED:
            excused += 1
        elif fact.status == ABSENT:
            unexcused += 1
    return WeekSummary(
        week=monday,
        expected=attended + excused + unexcused,
        attended=attended,
        excused=excused,
        unexcused=unexcused,
        minutes=minutes,
        required_hours=Decimal(required_hours),
    )


def weekly_summaries(facts, first_day: dt.date, last_day: dt.date, required_hours) -> list[WeekSummary]:
    """One summary per calendar week from ``first_day``'s week to ``last_day``'s, oldest first."""
    weeks = weeks_between(week_start(first_day), week_start(last_day))
    by_week = {w: [] for w in weeks}
    for fact in facts:
        bucket = by_week.get(week_start(fact.date))
        if bucket is not None:
            bucket.append(fact)
    return [week_summary(by_week[w], w, required_hours) for w in weeks]


def rate_over(facts: Iterable[AttendanceFact], as_of: dt.date, window_days: int = RATE_WINDOW_DAYS) -> RateSummary:
    """Attendance over the sessions dated from ``as_of − window_days`` to ``as_of`` (the site's
    ``Criteria.attendance_window_days``; 28 by default)."""
    start = as_of - dt.timedelta(days=window_days)
    attended = excused = unexcused = 0
    for fact in facts:
        if not (start <= fact.date <= as_of) or not fact.counts:
            continue
        if fact.status in ATTENDED:
            attended += 1
        elif fact.status == EXCUSED:
            excused += 1
        elif fact.status == ABSENT:
            unexcused += 1
    return RateSummary(start=start, end=as_of, attended=attended, unexcused=unexcused, excused=excused)


def complete_weeks_before(as_of: dt.date, count: int) -> list[dt.date]:
    """The Mondays of the ``count`` complete weeks before the week containing ``as_of``, oldest
    first ("the last 4 weeks" of the hours criterion; the newest is "last week")."""
    current = week_start(as_of)
    return [current - dt.timedelta(weeks=n) for n in range(count, 0, -1)]


def hours_weeks(facts, as_of: dt.date, count: int, admitted_on: dt.date, required_hours) -> list[WeekSummary | None]:
    """The summaries of the ``count`` complete weeks before ``as_of``'s week, oldest first; a
    week that ended before admission cannot be measured (``None``)."""
    facts = [f for f in facts if f.date <= as_of]
    return [
        None if week_end(monday) < admitted_on else week_summary(facts, monday, required_hours)
        for monday in complete_weeks_before(as_of, count)
    ]


def unexcused_since(facts: Iterable[AttendanceFact], since: dt.date, as_of: dt.date) -> int:
    """Unexcused absences (no-shows) dated from ``since`` to ``as_of`` (the absences flag)."""
    return sum(1 for f in facts if f.counts and f.status == ABSENT and since <= f.date <= as_of)


def week_finished(week: dt.date, today: dt.date) -> bool:
    """Whether the calendar week of ``week`` is over on ``today``: until then its hours are
    "so far", never "short"."""
    return week_end(week) < today


def partial_admission_week(week: dt.date, admitted_on: dt.date) -> bool:
    """Whether the client was admitted after the Monday of ``week`` (and within it or later)."""
    return admitted_on > week_start(week)


def default_minutes(status: str, duration: int, minutes: int | None) -> int | None:
    """Minutes attended to record: entered minutes win; present defaults to the full
    duration; absences record 0; late / left early have no default (``None`` = required)."""
    if minutes is not None:
        return minutes
    if status == PRESENT:
        return duration
    if status in (EXCUSED, ABSENT, CANCELLED):
        return 0
    return None


def minutes_problem(status: str, duration: int, minutes: int | None) -> str | None:
    """Why these minutes cannot be recorded for this status, or ``None`` when they can."""
    if minutes is None:
        if status in (LATE, LEFT_EARLY):
            return "Enter the minutes attended for a client who came late or left early."
        return None
    if minutes < 0:
        return "Minutes attended cannot be negative."
    if minutes > duration:
        return f"Minutes attended cannot exceed the session's {duration} minutes."
    if status in (EXCUSED, ABSENT, CANCELLED) and minutes > 0:
        return "An absence has no minutes attended."
    return None


def effective_modality(row_modality: str, session_modality: str) -> str:
    """How a client took part: the attendance row's own modality, else the session's (an
    empty row modality means "as the session")."""
    return row_modality or session_modality or IN_PERSON


@dataclass(frozen=True)
class ModalityHours:
    """Minutes attended by modality (the same minutes as the weekly hours, split)."""

    minutes: dict  # modality -> minutes attended, every modality present (0 when none)

    @property
    def total_minutes(self):
        return sum(self.minutes.values())

    @property
    def hours(self):
        return Decimal(self.total_minutes) / 60

    @property
    def telehealth_minutes(self):
        return self.total_minutes - self.minutes[IN_PERSON]

    @property
    def rows(self):
        """``(modality, label, hours)`` in the fixed order in person, video, phone."""
        return [(m, MODALITY_LABELS[m], Decimal(self.minutes[m]) / 60) for m in MODALITIES]

    @property
    def present_rows(self):
        """The rows of the modalities that have minutes (what a compact line shows)."""
        return [row for row in self.rows if row[2]]

    def __bool__(self):
        return self.total_minutes > 0


def hours_by_modality(
    facts: Iterable[AttendanceFact], start: dt.date | None = None, end: dt.date | None = None
) -> ModalityHours:
    """The minutes attended (the rows that count toward the weekly hours: attended, session
    not cancelled) split by modality, over facts dated from ``start`` to ``end`` (inclusive;
    ``None`` = unbounded). Each modality counts the same toward the required hours: this only
    says how the hours were delivered. A fact may stand for several rows (its minutes summed)."""
    minutes = dict.fromkeys(MODALITIES, 0)
    for fact in facts:
        if not fact.attended or (start and fact.date < start) or (end and fact.date > end):
            continue
        modality = fact.modality if fact.modality in minutes else IN_PERSON
        minutes[modality] += fact.minutes
    return ModalityHours(minutes=minutes)
