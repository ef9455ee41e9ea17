"""What a 42 CFR Part 2 consent allows, as of a day: pure (no ORM, no clock).

- A consent's **state** on day D: *entered in error* (a mistake kept for the record), *not
  yet signed* (no signature, or signed after D), *revoked* (revoked on or before D), *expired*
  (its expiry date is before D, or its expiry event was recorded on or before D), else *active*.
  An expiry date is the last day the consent may be used.
- **What may be released** under it on D: only while active, only the categories it names
  (urine screen results cover the screen summary too), for a period that has ended by D.
- The **accounting of disclosures** covers the 3 years up to D (§2.25).
"""

import datetime as dt
from dataclasses import dataclass

ACTIVE = "active"
NOT_SIGNED = "not_signed"
EXPIRED = "expired"
REVOKED = "revoked"
IN_ERROR = "entered_in_error"
STATE_LABELS = {
    ACTIVE: "Active",
    NOT_SIGNED: "Not yet signed",
    EXPIRED: "Expired",
    REVOKED: "Revoked",
    IN_ERROR: "Entered in error",
}

ATTENDANCE = "attendance"
SCREEN_RESULTS = "screen_results"
SCREEN_SUMMARY = "screen_summary"
PROGRESS = "progress"
GOALS = "goals"
LEVEL_OF_CARE = "level_of_care"
CATEGORY_LABELS = {
    ATTENDANCE: "Attendance and hours",
    SCREEN_RESULTS: "Urine screen results",
    SCREEN_SUMMARY: "Urine screen summary only (counts of negative and positive screens, no substances named)",
    PROGRESS: "Progress and readiness markers",
    GOALS: "Treatment plan goals",
    LEVEL_OF_CARE: "Level of care and discharge status",
}
# A wider category covers a narrower one.
IMPLIES = {SCREEN_RESULTS: frozenset({SCREEN_SUMMARY})}
ACCOUNTING_YEARS = 3


@dataclass(frozen=True)
class ConsentFacts:
    """A consent as the rules see it."""

    categories: frozenset
    signed_on: dt.date | None = None
    expires_on: dt.date | None = None
    event_occurred_on: dt.date | None = None
    revoked_on: dt.date | None = None
    entered_in_error: bool = False


def consent_state(consent: ConsentFacts, on: dt.date) -> str:
    if consent.entered_in_error:
        return IN_ERROR
    if consent.signed_on is None or consent.signed_on > on:
        return NOT_SIGNED
    if consent.revoked_on is not None and consent.revoked_on <= on:
        return REVOKED
    if consent.expires_on is not None and consent.expires_on < on:
        return EXPIRED
    if consent.event_occurred_on is not None and consent.event_occurred_on <= on:
        return EXPIRED
    return ACTIVE


def covered(categories) -> frozenset:
    """The categories a consent naming ``categories`` covers (with the narrower ones implied)."""
    out = set(categories)
    for category in categories:
        out |= IMPLIES.get(category, frozenset())
    return frozenset(out)


def release_problems(consent: ConsentFacts, on: dt.date, categories, period_start, period_end) -> list[str]:
    """Why ``categories`` for ``period_start``–``period_end`` may not be released under
    ``consent`` on ``on``, in words; an empty list means the release is allowed."""
    problems = []
    state = consent_state(consent, on)
    if state != ACTIVE:
        problems.append(_STATE_REASONS[state](consent))
    if not categories:
        problems.append("Choose at least one kind of information to release.")
    outside = sorted(set(categories) - covered(consent.categories))
    if outside:
        names = ", ".join(CATEGORY_LABELS.get(c, c).split(" (")[0].lower() for c in outside)
        problems.append(f"The consent does not cover: {names}.")
    if period_start and period_end and period_start > period_end:
        problems.append("The period starts after it ends.")
    if period_end and period_end > on:
        problems.append("The period cannot end after today.")
    return problems


def _day(value):
    return value.strftime("%m/%d/%Y")


_STATE_REASONS = {
    IN_ERROR: lambda c: "The consent was entered in error.",
    NOT_SIGNED: lambda c: (
        "The consent is not signed yet."
        if c.signed_on is None
        else f"The consent is signed only from {_day(c.signed_on)}."
    ),
    REVOKED: lambda c: f"The client revoked this consent on {_day(c.revoked_on)}.",
    EXPIRED: lambda c: (
        f"The consent expired on {_day(c.expires_on)}."
        if c.expires_on is not None and (c.event_occurred_on is None or c.expires_on < c.event_occurred_on)
        else f"The consent's expiry event happened on {_day(c.event_occurred_on)}."
    ),
}


def accounting_since(on: dt.date) -> dt.date:
    """The first day of the accounting period ending ``on`` (3 years; 29 February → 28th)."""
    try:
        return on.replace(year=on.year - ACCOUNTING_YEARS)
    except ValueError:
        return on.replace(year=on.year - ACCOUNTING_YEARS, day=28)
