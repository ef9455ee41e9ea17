"""Follow-up rules after an episode ends: pure (no ORM, no clock), table-tested.

- A follow-up contact is due ``offset`` days after the episode's last day, for each offset of
  the program setting ``AFTERCARE_FOLLOWUP_DAYS`` (default 7, 30 and 90 days).
- As of a day it is *not yet due* before its due date, *due* from its due date for
  ``GRACE_DAYS`` days, *overdue* after that, and *done* once the client was reached or
  ``MAX_ATTEMPTS`` attempts were made without reaching them.
- The program report's outcomes (reach and self-reported abstinence at 30 and 90 days,
  readmissions within 90 days) are counted by the functions at the end of this module.
"""

import datetime as dt
from dataclasses import dataclass

DEFAULT_OFFSETS = (7, 30, 90)
GRACE_DAYS = 7  # a follow-up is overdue this many days after its due date
MAX_ATTEMPTS = 3  # unreached after this many attempts: the follow-up is closed

NOT_YET_DUE, DUE, OVERDUE, DONE = "not_yet_due", "due", "overdue", "done"
STATE_LABELS = {NOT_YET_DUE: "Not yet due", DUE: "Due", OVERDUE: "Overdue", DONE: "Done"}


def followup_due_dates(ended_on: dt.date, offsets=DEFAULT_OFFSETS) -> list[tuple[int, dt.date]]:
    """(offset, due date) for each distinct positive offset, earliest first."""
    if any(not isinstance(o, int) or o < 1 for o in offsets):
        raise ValueError(f"Follow-up offsets are whole days after the episode ends (got {offsets!r}).")
    return [(offset, ended_on + dt.timedelta(days=offset)) for offset in sorted(set(offsets))]


def followup_is_done(*, reached: bool | None, attempts: int) -> bool:
    """Whether the contact is over: the client was reached, or the attempts ran out."""
    return bool(reached) or attempts >= MAX_ATTEMPTS


def followup_state(*, due_on: dt.date, on: dt.date, done: bool) -> str:
    """The follow-up's state as of day ``on``."""
    if done:
        return DONE
    if on < due_on:
        return NOT_YET_DUE
    if on <= due_on + dt.timedelta(days=GRACE_DAYS):
        return DUE
    return OVERDUE


# --- Outcomes after the program (the program report) --------------------------------------
# Definitions in docs/aftercare.md ("Outcomes in the program report").

REPORT_OFFSETS = (30, 90)  # the report's reach and abstinence figures are of these follow-ups
REACH_WINDOW_DAYS = 14  # a follow-up counts as reached "by day N" up to this many days after its due date
READMISSION_WINDOW_DAYS = 90
ABSTINENT = "no"  # "using substances since?" answered no


@dataclass(frozen=True)
class FollowUpFact:
    offset_days: int
    due_on: dt.date
    reached: bool | None
    contacted_on: dt.date | None
    substance_use: str  # SelfReport value, "" when not reached


@dataclass(frozen=True)
class EndedEpisodeFact:
    ended_on: dt.date
    later_admissions: tuple  # admission days of the client's other episodes (any order)
    followup_readmitted: bool  # a follow-up of this episode logged "readmitted anywhere: yes"


@dataclass(frozen=True)
class Share:
    """``count`` of ``of``; ``rate`` None when there is nothing to count."""

    count: int
    of: int

    @property
    def rate(self):
        return round(self.count / self.of, 3) if self.of else None


def reached_by(*, reached: bool | None, contacted_on: dt.date | None, due_on: dt.date) -> bool:
    """Whether a follow-up counts as reached by its day: the client was reached, on a contact
    no later than ``REACH_WINDOW_DAYS`` after the due date (earlier contacts count too)."""
    return bool(reached) and contacted_on is not None and contacted_on <= due_on + dt.timedelta(days=REACH_WINDOW_DAYS)


def reach_and_abstinence(followups, *, offset: int, start: dt.date, end: dt.date, as_of: dt.date):
    """(reach, abstinence) of the ``offset``-day follow-ups due in [start, end] and by ``as_of``.

    reach = reached by their day ÷ due; abstinence = answered "not using" ÷ reached (a client
    who declined to say is not counted abstinent)."""
    due = [f for f in followups if f.offset_days == offset and start <= f.due_on <= min(end, as_of)]
    reached = [f for f in due if reached_by(reached=f.reached, contacted_on=f.contacted_on, due_on=f.due_on)]
    abstinent = [f for f in reached if f.substance_use == ABSTINENT]
    return Share(len(reached), len(due)), Share(len(abstinent), len(reached))


def readmitted_within(*, ended_on: dt.date, later_admissions, followup_readmitted: bool) -> bool:
    """Readmitted within ``READMISSION_WINDOW_DAYS`` of the episode's end: another episode of the
    client admitted after the end day and at most that many days after it (an episode opened
    the same day — a step-down, a graduation into continuing care — continues the stay and is
    no readmission), or a follow-up that says "readmitted anywhere"."""
    last = ended_on + dt.timedelta(days=READMISSION_WINDOW_DAYS)
    return followup_readmitted or any(ended_on < day <= last for day in later_admissions)


def readmissions(ended) -> Share:
    """Readmitted within 90 days ÷ ended episodes (``EndedEpisodeFact``s)."""
    ended = list(ended)
    count = sum(
        readmitted_within(
            ended_on=e.ended_on, later_admissions=e.later_admissions, followup_readmitted=e.followup_readmitted
        )
        for e in ended
    )
    return Share(count, len(ended))
