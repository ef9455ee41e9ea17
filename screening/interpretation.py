"""What a urine drug screen means clinically: a pure function, no database access.

Rules (DOMAIN.md, "Urine drug screens"):

- refused / missed / invalid outcomes map directly to the interpretation of the same name;
- a completed screen whose specimen validity says dilute, substituted, adulterated or whose
  temperature was out of range is **invalid**;
- a positive overturned by a confirmed-negative lab result counts as negative;
- a positive explained by a prescription active on the collection date (start <= day <= end,
  an open end is active) is **expected**;
- an unexplained positive is an **unexpected positive**, also while the lab is pending (DOMAIN.md
  "Settled readings": a presumptive unexplained positive counts everywhere until a lab result
  overturns it); unexpected wins over everything else;
- an inconclusive result: not sent -> **inconclusive** (breaks the streak, yet a completed screen:
  not a positive, not a missing specimen), pending -> **pending confirmation**, confirmed
  negative -> negative, confirmed positive -> handled as a positive;
- all positives explained -> **expected positive**; nothing positive -> **negative**.

Precedence when several results disagree: unexpected positive > inconclusive > pending
confirmation > expected positive > negative.

No ORM, no clock: the model-object adapters (``interpret_screen``) live in ``screening.queries``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

# Values of screening.models.Screen.Outcome / ScreenResult.Result / ScreenResult.Confirmation,
# repeated here so this module stays importable without the ORM models.
COMPLETED, REFUSED, MISSED, INVALID = "completed", "refused", "missed", "invalid"
NEGATIVE, POSITIVE, INCONCLUSIVE = "negative", "positive", "inconclusive"
NOT_SENT, PENDING, CONFIRMED_POSITIVE, CONFIRMED_NEGATIVE = (
    "not_sent",
    "pending",
    "confirmed_positive",
    "confirmed_negative",
)

# Specimen validity criteria (HHS/DOT). These are regulatory definitions, not program policy.
DILUTE_CREATININE_BELOW = Decimal("20")
DILUTE_SG_BELOW = Decimal("1.003")
SUBSTITUTED_CREATININE_BELOW = Decimal("2")
SUBSTITUTED_SG_AT_MOST = Decimal("1.001")
SUBSTITUTED_SG_AT_LEAST = Decimal("1.020")
ADULTERATED_PH_BELOW = Decimal("3")
ADULTERATED_PH_AT_LEAST = Decimal("11")
ADULTERATED_NITRITE_AT_LEAST = Decimal("500")


class Interpretation(StrEnum):
    NEGATIVE = "negative"
    EXPECTED_POSITIVE = "expected_positive"
    UNEXPECTED_POSITIVE = "unexpected_positive"
    INCONCLUSIVE = "inconclusive"
    INVALID = "invalid"
    REFUSED = "refused"
    MISSED = "missed"
    PENDING_CONFIRMATION = "pending_confirmation"

    @property
    def label(self):
        return LABELS[self]


LABELS = {
    Interpretation.NEGATIVE: "Negative",
    Interpretation.EXPECTED_POSITIVE: "Expected positive",
    Interpretation.UNEXPECTED_POSITIVE: "Unexpected positive",
    Interpretation.INCONCLUSIVE: "Inconclusive",
    Interpretation.INVALID: "Invalid",
    Interpretation.REFUSED: "Refused",
    Interpretation.MISSED: "Missed",
    Interpretation.PENDING_CONFIRMATION: "Pending confirmation",
}

# The sets every reader of screens uses (DOMAIN.md "Precise meanings" and "Settled readings").
# Keep a negative streak going:
STREAK_KEEPING = frozenset({Interpretation.NEGATIVE, Interpretation.EXPECTED_POSITIVE})
# Fail "no recent positive" (an inconclusive or pending result does not):
NOT_NEGATIVE = frozenset(
    {Interpretation.UNEXPECTED_POSITIVE, Interpretation.REFUSED, Interpretation.MISSED, Interpretation.INVALID}
)
# No usable specimen (the missed_screen flag):
NO_SPECIMEN = frozenset({Interpretation.REFUSED, Interpretation.MISSED, Interpretation.INVALID})
# A completed screen (a result exists, readable or not; screen_overdue looks for one):
COMPLETED_SCREEN = frozenset(
    {
        Interpretation.NEGATIVE,
        Interpretation.EXPECTED_POSITIVE,
        Interpretation.UNEXPECTED_POSITIVE,
        Interpretation.INCONCLUSIVE,
        Interpretation.PENDING_CONFIRMATION,
    }
)

# Why a screen is invalid, in the Screens tab's words (``invalid_reason``).
INVALID_REASONS = {
    "dilute": "dilute",
    "substituted": "substituted",
    "adulterated": "adulterated",
    "temperature": "temperature out of range",
    "recorded": "recorded invalid",
}


@dataclass(frozen=True)
class ResultFact:
    analyte: str
    result: str
    confirmation: str = NOT_SENT


@dataclass(frozen=True)
class ValidityFact:
    temperature_in_range: bool | None = None
    creatinine_mg_dl: Decimal | None = None
    specific_gravity: Decimal | None = None
    ph: Decimal | None = None
    nitrite_ug_ml: Decimal | None = None
    adulterant_noted: bool = False


@dataclass(frozen=True)
class PrescriptionFact:
    analyte: str
    start: date
    end: date | None = None

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def specimen_validity(v: ValidityFact) -> str | None:
    """None when nothing says the specimen is bad, else the first problem found:
    "adulterated", "substituted", "dilute" or "temperature"."""
    if (
        v.adulterant_noted
        or (v.ph is not None and (v.ph < ADULTERATED_PH_BELOW or v.ph >= ADULTERATED_PH_AT_LEAST))
        or (v.nitrite_ug_ml is not None and v.nitrite_ug_ml >= ADULTERATED_NITRITE_AT_LEAST)
    ):
        return "adulterated"
    creat, sg = v.creatinine_mg_dl, v.specific_gravity
    if creat is not None and sg is not None:
        if creat < SUBSTITUTED_CREATININE_BELOW and (sg <= SUBSTITUTED_SG_AT_MOST or sg >= SUBSTITUTED_SG_AT_LEAST):
            return "substituted"
        if creat < DILUTE_CREATININE_BELOW and sg < DILUTE_SG_BELOW:
            return "dilute"
    if v.temperature_in_range is False:
        return "temperature"
    return None


def interpret(
    *,
    outcome: str,
    collected_on: date,
    results: Iterable[ResultFact],
    validity: ValidityFact = ValidityFact(),
    prescriptions: Iterable[PrescriptionFact] = (),
) -> Interpretation:
    if outcome == REFUSED:
        return Interpretation.REFUSED
    if outcome == MISSED:
        return Interpretation.MISSED
    if outcome == INVALID or specimen_validity(validity) is not None:
        return Interpretation.INVALID
    explained = {p.analyte for p in prescriptions if p.active_on(collected_on)}
    found = set()
    for r in results:
        if r.result == NEGATIVE or r.confirmation == CONFIRMED_NEGATIVE:
            continue
        if r.result == INCONCLUSIVE and r.confirmation != CONFIRMED_POSITIVE:
            found.add(Interpretation.PENDING_CONFIRMATION if r.confirmation == PENDING else Interpretation.INCONCLUSIVE)
            continue
        # a positive (presumptive, awaiting the lab or confirmed), or an inconclusive confirmed positive
        found.add(Interpretation.EXPECTED_POSITIVE if r.analyte in explained else Interpretation.UNEXPECTED_POSITIVE)
    for winner in (
        Interpretation.UNEXPECTED_POSITIVE,
        Interpretation.INCONCLUSIVE,
        Interpretation.PENDING_CONFIRMATION,
        Interpretation.EXPECTED_POSITIVE,
    ):
        if winner in found:
            return winner
    return Interpretation.NEGATIVE


def invalid_reason(*, outcome: str, validity: ValidityFact = ValidityFact()) -> str | None:
    """Why a screen is invalid, in words ("dilute", "substituted", "adulterated", "temperature out
    of range", "recorded invalid"), or None when it is not invalid."""
    problem = specimen_validity(validity)
    if problem is not None and outcome in (COMPLETED, INVALID):
        return INVALID_REASONS[problem]
    if outcome == INVALID:
        return INVALID_REASONS["recorded"]
    return None


@dataclass(frozen=True)
class Streak:
    count: int
    days: int  # from the oldest to the newest screen of the streak
    since: date | None  # the oldest screen of the streak
    expected_positives: int = 0  # of ``count``, the positives a prescription explains (the rest are negatives)

    @property
    def negatives(self):
        return self.count - self.expected_positives


def negative_streak(items: Iterable[tuple[date, str]]) -> Streak:
    """Screens newest first as (collected_on, interpretation): the run of negative or expected-
    positive screens before the first that is not (pending confirmation breaks it too)."""
    run = list(_take_while_negative(items))
    if not run:
        return Streak(0, 0, None)
    expected = sum(1 for _, i in run if i == Interpretation.EXPECTED_POSITIVE)
    return Streak(len(run), (run[0][0] - run[-1][0]).days, run[-1][0], expected)


def _take_while_negative(items):
    for day, interpretation in items:
        if interpretation not in STREAK_KEEPING:
            return
        yield day, interpretation


def last_unexpected_positive(items: Iterable[tuple[date, str]]) -> date | None:
    """The collection date of the newest unexpected positive (items newest first), or None."""
    return next((day for day, i in items if i == Interpretation.UNEXPECTED_POSITIVE), None)


# -- Recording a screen (issue 11, safety gaps) -------------------------------------------
FENTANYL, METHADONE = "FEN", "MTD"
BLIND_SPOT_NAMES = {FENTANYL: "fentanyl", METHADONE: "methadone"}


def explained_analytes(prescriptions: Iterable[PrescriptionFact], on: date) -> frozenset[str]:
    """The analytes a prescription active on ``on`` explains (their positives are expected)."""
    return frozenset(p.analyte for p in prescriptions if p.active_on(on))


def sent_to_lab_by_default(result: str, analyte: str, explained: Iterable[str]) -> bool:
    """Whether a new result goes to the lab unless the therapist says otherwise: every
    inconclusive result and every positive no active prescription explains. An expected positive
    (a prescription explains it) is not sent by default; a negative never is."""
    if result == INCONCLUSIVE:
        return True
    return result == POSITIVE and analyte not in set(explained)


def panel_blind_spots(
    *, panel_analytes: Iterable[str], prescriptions: Iterable[PrescriptionFact], on: date
) -> list[str]:
    """The analytes a panel cannot answer for this client on ``on``: fentanyl when the panel
    lacks FEN, and methadone when the client has a methadone prescription active that day and
    the panel lacks MTD (its adherence cannot be checked). Codes, in that order."""
    codes = set(panel_analytes)
    missing = []
    if FENTANYL not in codes:
        missing.append(FENTANYL)
    if METHADONE not in codes and METHADONE in explained_analytes(prescriptions, on):
        missing.append(METHADONE)
    return missing


def blind_spot_message(code: str) -> str:
    """The sentence the screen form and the Screens tab show for a blind spot."""
    if code == METHADONE:
        return (
            "This panel cannot detect methadone (MTD): the client's methadone prescription cannot be checked with it."
        )
    return f"This panel cannot detect {BLIND_SPOT_NAMES.get(code, code)} ({code})."
