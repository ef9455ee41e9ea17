"""Follow-up rules after an episode ends: pure (no ORM, no clock), table-tested.

- A follow-up contact is due ``offset`` days after the episode's last day, for each offset of
  the program setting ``AFTERCARE_FOLLOWUP_DAYS`` (default 7, 30 and 90 days).
- As of a day it is *not yet due* before its due date, *due* from its due date for
  ``GRACE_DAYS`` days, *overdue* after that, and *done* once the client was reached or
  ``MAX_ATTEMPTS`` attempts were made without reaching them.
"""

import datetime as dt

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
