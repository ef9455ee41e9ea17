"""What a urine drug screen means clinically: a pure function, no database access.

Rules (DOMAIN.md, "Urine drug screens"):

- refused / missed / invalid outcomes map directly to the interpretation of the same name;
- a completed screen whose specimen validity says dilute, substituted, adulterated or whose
  temperature was out of range is **invalid**;
- a positive overturned by a confirmed-negative lab result counts as negative;
- a positive explained by a prescription active on the collection date (start <= day <= end,
  an open end is active) is **expected**;
- an unexplained positive is **pending confirmation** while its confirmation is pending, otherwise
  **unexpected positive**; unexpected wins over everything else;
- an inconclusive result: pending -> pending confirmation, confirmed negative -> negative,
  confirmed positive -> handled as a positive, otherwise the screen is **invalid**;
- all positives explained -> **expected positive**; nothing positive -> **negative**.

Precedence when several results disagree: unexpected positive > invalid (an inconclusive result
that was not sent) > pending confirmation > expected positive > negative.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils import timezone

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


class Interpretation(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    EXPECTED_POSITIVE = "expected_positive", "Expected positive"
    UNEXPECTED_POSITIVE = "unexpected_positive", "Unexpected positive"
    INVALID = "invalid", "Invalid"
    REFUSED = "refused", "Refused"
    MISSED = "missed", "Missed"
    PENDING_CONFIRMATION = "pending_confirmation", "Pending confirmation"


# Interpretations that keep a negative streak going (DOMAIN.md "Negative streak").
STREAK_KEEPING = frozenset({Interpretation.NEGATIVE, Interpretation.EXPECTED_POSITIVE})
# Bootstrap colour per interpretation; templates always print the label beside it.
BADGE_CLASS = {
    Interpretation.NEGATIVE: "text-bg-success",
    Interpretation.EXPECTED_POSITIVE: "text-bg-info",
    Interpretation.UNEXPECTED_POSITIVE: "text-bg-danger",
    Interpretation.INVALID: "text-bg-warning",
    Interpretation.REFUSED: "text-bg-warning",
    Interpretation.MISSED: "text-bg-secondary",
    Interpretation.PENDING_CONFIRMATION: "text-bg-light border",
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
            found.add(Interpretation.PENDING_CONFIRMATION if r.confirmation == PENDING else Interpretation.INVALID)
            continue
        # a positive (presumptive or confirmed), or an inconclusive confirmed positive
        if r.analyte in explained:
            found.add(Interpretation.EXPECTED_POSITIVE)
        elif r.confirmation == PENDING:
            found.add(Interpretation.PENDING_CONFIRMATION)
        else:
            found.add(Interpretation.UNEXPECTED_POSITIVE)
    for winner in (
        Interpretation.UNEXPECTED_POSITIVE,
        Interpretation.INVALID,
        Interpretation.PENDING_CONFIRMATION,
        Interpretation.EXPECTED_POSITIVE,
    ):
        if winner in found:
            return winner
    return Interpretation.NEGATIVE


def validity_of(screen) -> ValidityFact:
    return ValidityFact(
        temperature_in_range=screen.temperature_in_range,
        creatinine_mg_dl=screen.creatinine_mg_dl,
        specific_gravity=screen.specific_gravity,
        ph=screen.ph,
        nitrite_ug_ml=screen.nitrite_ug_ml,
        adulterant_noted=screen.adulterant_noted,
    )


def collected_on(screen) -> date:
    return timezone.localtime(screen.collected_at).date()


def interpret_screen(screen, prescriptions) -> Interpretation:
    """Interpret a Screen model object whose ``results`` are prefetched, given the Prescription
    model objects of its client (entered-in-error ones are ignored). Analytes are matched by id,
    so neither the results' nor the prescriptions' analytes need to be loaded."""
    results = [ResultFact(str(r.analyte_id), r.result, r.confirmation) for r in screen.results.all()]
    facts = [PrescriptionFact(str(p.analyte_id), p.start, p.end) for p in prescriptions if not p.entered_in_error]
    return interpret(
        outcome=screen.outcome,
        collected_on=collected_on(screen),
        results=results,
        validity=validity_of(screen),
        prescriptions=facts,
    )


@dataclass(frozen=True)
class Streak:
    count: int
    days: int  # from the oldest to the newest screen of the streak
    since: date | None  # the oldest screen of the streak


def negative_streak(items: Iterable[tuple[date, str]]) -> Streak:
    """Screens newest first as (collected_on, interpretation): the run of negative or expected-
    positive screens before the first that is not (pending confirmation breaks it too)."""
    days = [day for day, _ in _take_while_negative(items)]
    if not days:
        return Streak(0, 0, None)
    return Streak(len(days), (days[0] - days[-1]).days, days[-1])


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
