"""Writes of the weekly check-in: save a draft, sign it, add an addendum.

Rules every path obeys (views and imports alike):
- one check-in per episode per week (the Monday), only for a week the episode was open and
  that has started;
- a draft is saved with an optimistic lock on ``version``: a save based on an older version
  is refused (``StaleEdit``) and nothing is overwritten;
- a signed check-in never changes; the only later write is an ``Addendum``.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from audit.services import signatures_record
from checkins import scoring
from checkins.models import CHECKIN_FIELDS, Addendum, CheckIn
from clients.services import episodes_inputs_changed
from iop import integrity
from iop.cosign import record_cosign
from iop.dates import is_week_start, week_end
from iop.errors import StaleEdit
from iop.validators import note_problem
from programs.models import cosign_supervisor_for

MAX_MEETINGS = 50
SIGNED_MESSAGE = "This check-in is signed and can no longer be edited; add an addendum instead."
CONFLICT_MESSAGE = (
    "This check-in was changed by someone else since you opened it. Nothing was saved; the current version is shown."
)


def checkin_week_problems(*, episode, week, today=None):
    """Why ``week`` cannot have a check-in for ``episode`` (empty list = it can)."""
    today = today or timezone.localdate()
    if not isinstance(week, dt.date):
        return ["Choose the week (its Monday)."]
    if not is_week_start(week):
        return [f"A check-in week starts on a Monday; {week:%m/%d/%Y} is a {week:%A}."]
    problems = []
    if week > today:
        problems.append("That week has not started yet: a check-in cannot be written in advance.")
    if week_end(week) < episode.admitted_on:
        problems.append(f"That week is before the admission on {episode.admitted_on:%m/%d/%Y}.")
    elif episode.ended_on is not None and week > episode.ended_on:
        problems.append(f"The episode was not active that week (it ended on {episode.ended_on:%m/%d/%Y}).")
    return problems


def checkin_field_problems(fields):
    """Field name → messages for out-of-range or unknown values (empty dict = all fine)."""
    problems = {}

    def check_range(name, low, high, label):
        value = fields.get(name)
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems[name] = [f"{label} must be a whole number from {low} to {high}."]

    check_range("cravings", 0, 10, "Cravings")
    check_range("engagement", 1, 5, "Engagement")
    check_range("mood", 1, 5, "Mood")
    check_range("mutual_help_meetings", 0, MAX_MEETINGS, "Mutual-help meetings")
    if fields.get("risk") and fields["risk"] not in CheckIn.Risk.values:  # empty: not chosen yet (a draft)
        problems["risk"] = ["Choose a risk level: none, low, moderate or high."]
    if fields.get("recommendation") and fields["recommendation"] not in CheckIn.Recommendation.values:
        problems["recommendation"] = ["Choose a recommendation."]
    for name in ("note", "rationale", "safety_note"):
        too_long = note_problem(fields.get(name))
        if too_long:
            problems[name] = [too_long]
    barriers = fields.get("barriers") or []
    if not isinstance(barriers, list | tuple) or any(b not in CheckIn.Barrier.values for b in barriers):
        problems["barriers"] = ["Unknown barrier."]
    for name, count, label in (("phq9_items", scoring.PHQ9_ITEMS, "PHQ-9"), ("gad7_items", 7, "GAD-7")):
        messages = scoring.validate_items(fields.get(name), count, label)
        if messages:
            problems[name] = messages
    return problems


def _clean_fields(fields):
    unknown = set(fields) - set(CHECKIN_FIELDS)
    if unknown:
        raise ValueError(f"Not check-in fields: {sorted(unknown)}")
    problems = checkin_field_problems(fields)
    if problems:
        raise ValidationError(problems)
    cleaned = dict(fields)
    for name in ("risk", "recommendation", "note", "rationale", "safety_note"):
        if name in cleaned and cleaned[name] is None:
            cleaned[name] = ""
    if "barriers" in cleaned:
        cleaned["barriers"] = sorted(set(cleaned["barriers"] or []), key=CheckIn.Barrier.values.index)
    for name in ("phq9_items", "gad7_items"):
        if name in cleaned and cleaned[name] is not None:
            cleaned[name] = list(cleaned[name])
    return cleaned


@transaction.atomic
def checkin_save(*, episode, week, author, fields, seen_version=None, today=None):
    """Create or update the draft check-in of ``episode`` for ``week``.

    ``seen_version`` is the version the editor opened (None when they started a new one). A
    save against a changed draft raises ``StaleEdit``; against a signed one, a
    ``ValidationError``. Nothing is written in either case. Returns the saved check-in.
    """
    problems = checkin_week_problems(episode=episode, week=week, today=today)
    if problems:
        raise ValidationError({"week": problems})
    cleaned = _clean_fields(fields)
    existing = CheckIn.objects.filter(episode=episode, week=week).first()
    if existing is None:
        if seen_version is not None:  # the editor had a saved draft open, but there is none
            raise StaleEdit(CONFLICT_MESSAGE)
        checkin = CheckIn(episode=episode, week=week, author=author, **cleaned)
        checkin.full_clean(exclude=["episode", "author"], validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                checkin.save()
        except IntegrityError as exc:  # someone created this week's check-in a moment ago
            raise StaleEdit(CONFLICT_MESSAGE) from exc
        episodes_inputs_changed(episode_ids=[episode.pk])
        return checkin
    if existing.is_signed:
        raise ValidationError(SIGNED_MESSAGE)
    if seen_version is None or seen_version != existing.version:
        raise StaleEdit(CONFLICT_MESSAGE)
    # Claim the draft atomically: only one of two concurrent saves of the same version wins.
    claimed = CheckIn.objects.filter(pk=existing.pk, version=seen_version, signed_at__isnull=True).update(
        version=F("version") + 1
    )
    if not claimed:
        raise StaleEdit(CONFLICT_MESSAGE)
    for name, value in cleaned.items():
        setattr(existing, name, value)
    existing.version = seen_version + 1
    existing.full_clean(exclude=["episode", "author"], validate_unique=False, validate_constraints=False)
    existing.save()  # a plain save, so django-simple-history records the change
    episodes_inputs_changed(episode_ids=[episode.pk])
    return existing


def checkin_signing_problems(checkin):
    """Field name -> why ``checkin`` cannot be signed as saved (scoring.signing_problems)."""
    return scoring.signing_problems(
        risk=checkin.risk,
        recommendation=checkin.recommendation,
        phq9_items=checkin.phq9_items,
        no_current_risk=checkin.no_current_risk,
        safety_note=checkin.safety_note,
    )


@transaction.atomic
def checkin_sign(*, checkin, by, seen_version=None):
    """Sign the draft: records who and when, and locks it for good. Refused (nothing written)
    while a risk level or recommendation is missing or PHQ-9 item 9 > 0 is not assessed."""
    current = CheckIn.objects.select_for_update().get(pk=checkin.pk)
    if current.is_signed:
        raise ValidationError("This check-in is already signed.")
    if seen_version is not None and seen_version != current.version:
        raise StaleEdit(CONFLICT_MESSAGE)
    problems = checkin_signing_problems(current)
    if problems:
        raise ValidationError({field: [message] for field, message in problems.items()})
    claimed = CheckIn.objects.filter(pk=current.pk, version=current.version, signed_at__isnull=True).update(
        version=F("version") + 1
    )
    if not claimed:
        raise StaleEdit(CONFLICT_MESSAGE)
    current.version += 1
    current.signed_at = timezone.now()
    current.signed_by = by
    current.cosign_supervisor = cosign_supervisor_for(by)  # None: no co-signature needed
    current.signature_sha256 = integrity.content_sha256(current.signed_content())
    current.save()
    signatures_record(records=[current])
    episodes_inputs_changed(episode_ids=[current.episode_id])
    return current


@transaction.atomic
def checkin_cosign(*, checkin, by):
    """The named supervisor co-signs a signed check-in (iop.cosign): the text and its SHA-256
    are unchanged; readiness may count it from now on (``readiness_requires_cosignature``)."""
    current = record_cosign(model=CheckIn, pk=checkin.pk, by=by)
    episodes_inputs_changed(episode_ids=[current.episode_id])
    return current


@transaction.atomic
def addendum_add(*, checkin, by, text):
    """Add a dated addendum to a signed check-in (the signed text never changes)."""
    current = CheckIn.objects.get(pk=checkin.pk)
    if not current.is_signed:
        raise ValidationError("An addendum can only be added to a signed check-in; edit the draft instead.")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ["Write the addendum text."]})
    addendum = Addendum(checkin=current, author=by, text=text)
    addendum.full_clean()
    addendum.save()
    return addendum
