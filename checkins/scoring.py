"""Pure scoring rules for the check-in's measures (PHQ-9, GAD-7) and the risk flag.

No ORM here: the dashboard and the check-in form both call these.
"""

from collections.abc import Sequence

PHQ9_ITEMS = 9
GAD7_ITEMS = 7
ITEM_MIN = 0
ITEM_MAX = 3

# (lowest total of the band, band key, label), ascending.
PHQ9_BANDS = (
    (0, "minimal", "Minimal"),
    (5, "mild", "Mild"),
    (10, "moderate", "Moderate"),
    (15, "moderately_severe", "Moderately severe"),
    (20, "severe", "Severe"),
)
GAD7_BANDS = (
    (0, "minimal", "Minimal"),
    (5, "mild", "Mild"),
    (10, "moderate", "Moderate"),
    (15, "severe", "Severe"),
)
BAND_LABELS = {key: label for _, key, label in PHQ9_BANDS + GAD7_BANDS}

RISK_FLAG_LEVELS = frozenset({"moderate", "high"})


def validate_items(items, count: int, name: str) -> list[str]:
    """Problems with a list of item answers (empty list = fine). None is allowed (not given)."""
    if items is None:
        return []
    if not isinstance(items, list | tuple) or len(items) != count:
        return [f"{name} needs exactly {count} answers."]
    problems = []
    for number, value in enumerate(items, start=1):
        if isinstance(value, bool) or not isinstance(value, int) or not ITEM_MIN <= value <= ITEM_MAX:
            problems.append(f"{name} item {number} must be {ITEM_MIN}–{ITEM_MAX}.")
    return problems


def _total(items: Sequence[int] | None, count: int, name: str) -> int | None:
    if items is None:
        return None
    problems = validate_items(items, count, name)
    if problems:
        raise ValueError(" ".join(problems))
    return sum(items)


def _band(total: int | None, bands, maximum: int) -> str | None:
    if total is None:
        return None
    if not 0 <= total <= maximum:
        raise ValueError(f"Total {total} out of range 0–{maximum}.")
    found = bands[0][1]
    for lowest, key, _label in bands:
        if total >= lowest:
            found = key
    return found


def phq9_total(items: Sequence[int] | None) -> int | None:
    """Sum of the nine answers (0–27); None when the PHQ-9 was not given."""
    return _total(items, PHQ9_ITEMS, "PHQ-9")


def phq9_band(total: int | None) -> str | None:
    """minimal 0–4, mild 5–9, moderate 10–14, moderately_severe 15–19, severe 20–27."""
    return _band(total, PHQ9_BANDS, PHQ9_ITEMS * ITEM_MAX)


def gad7_total(items: Sequence[int] | None) -> int | None:
    """Sum of the seven answers (0–21); None when the GAD-7 was not given."""
    return _total(items, GAD7_ITEMS, "GAD-7")


def gad7_band(total: int | None) -> str | None:
    """minimal 0–4, mild 5–9, moderate 10–14, severe 15–21."""
    return _band(total, GAD7_BANDS, GAD7_ITEMS * ITEM_MAX)


def band_label(band: str | None) -> str:
    return BAND_LABELS.get(band, "") if band else ""


def phq9_item9_positive(phq9_items: Sequence[int] | None) -> bool:
    return bool(phq9_items) and len(phq9_items) >= PHQ9_ITEMS and (phq9_items[8] or 0) > 0


def risk_flag(
    *,
    risk: str,
    suicidal_ideation: bool = False,
    homicidal_ideation: bool = False,
    overdose_risk: bool = False,
    phq9_items: Sequence[int] | None = None,
) -> bool:
    """Risk moderate or high, any ideation/overdose box, or PHQ-9 item 9 > 0."""
    return (
        risk in RISK_FLAG_LEVELS
        or bool(suicidal_ideation)
        or bool(homicidal_ideation)
        or bool(overdose_risk)
        or phq9_item9_positive(phq9_items)
    )


# -- Signing a check-in (issue 11, safety gaps) -----------------------------------------
SAFETY_NOTE_MIN_CHARS = 80
NO_RISK = "none"
ITEM9_LABELS = ("Not at all", "Several days", "More than half the days", "Nearly every day")


def phq9_item9_answer(phq9_items: Sequence[int] | None) -> int | None:
    """The answer to PHQ-9 item 9 (thoughts of death or self-harm), or None when not given."""
    if not phq9_items or len(phq9_items) < PHQ9_ITEMS:
        return None
    return phq9_items[PHQ9_ITEMS - 1]


def signing_problems(
    *,
    risk: str | None,
    recommendation: str | None,
    phq9_items: Sequence[int] | None,
    no_current_risk: bool = False,
    safety_note: str = "",
) -> dict[str, str]:
    """Why a check-in cannot be signed as it stands: field name -> message (empty = it can).

    A signed check-in records choices the therapist made: a risk level and a recommendation.
    When PHQ-9 item 9 is above 0, the risk is either assessed above "None", or "None" with the
    explicit "assessed: no current risk" and a safety note of at least SAFETY_NOTE_MIN_CHARS.
    """
    problems = {}
    item9 = phq9_item9_answer(phq9_items)
    endorsed = item9 is not None and item9 > 0
    if not risk:
        problems["risk"] = "Choose a risk level before signing."
    elif no_current_risk and risk != NO_RISK:
        problems["no_current_risk"] = "“Assessed: no current risk” contradicts the risk level chosen."
    if not recommendation:
        problems["recommendation"] = "Choose a recommendation before signing."
    if endorsed and risk in (None, "", NO_RISK):
        label = ITEM9_LABELS[item9] if item9 < len(ITEM9_LABELS) else ""
        said = f"PHQ-9 item 9 (thoughts of death or self-harm) was answered {item9} – {label}"
        if not no_current_risk:
            problems["risk"] = (
                f"{said}: assess the risk before signing. Choose a risk level above None, or tick "
                "“Assessed: no current risk” and write a safety note."
            )
        if len((safety_note or "").strip()) < SAFETY_NOTE_MIN_CHARS:
            problems["safety_note"] = (
                f"{said}: write a safety note of at least {SAFETY_NOTE_MIN_CHARS} characters "
                "(what was asked, what the client said, the safety plan)."
            )
    return problems


def counts_for_readiness(*, signed: bool, awaiting_cosignature: bool, cosignature_required: bool) -> bool:
    """Whether a check-in counts toward readiness (its recommendation, its freshness).

    A check-in counts once its author signed it. When the site's criteria require the
    co-signature (``Criteria.readiness_requires_cosignature``), a check-in whose author needs
    co-signature counts only once the supervisor co-signed it; an author who needs no
    co-signature is never waited for. Drafts never count."""
    if not signed:
        return False
    return not (cosignature_required and awaiting_cosignature)
