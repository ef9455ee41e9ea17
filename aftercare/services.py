"""Writes of aftercare plans and follow-ups: each in one transaction, refused in words with
nothing written (ValidationError), or StaleEdit when someone saved the record meanwhile."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aftercare import rules
from aftercare.models import AftercarePlan, FollowUp
from iop.errors import StaleEdit

CHANGED = "Someone saved this record after you opened it: nothing was saved. It is shown as it is now."
PLAN_FIELDS = (
    "continuing_care_track",
    "outpatient_sessions_per_week",
    "mutual_help_meetings_per_week",
    "recovery_supports",
    "medication_provider",
    "next_appointment_at",
    "crisis_plan",
    "contact_name",
    "contact_phone",
)
FOLLOWUP_FIELDS = (
    "contacted_on",
    "reached",
    "attempts",
    "substance_use",
    "in_treatment",
    "continuing_care",
    "housing",
    "employment",
    "readmitted",
    "needs",
)


def followup_offsets():
    """The program's follow-up days after an episode ends (setting ``AFTERCARE_FOLLOWUP_DAYS``)."""
    return tuple(getattr(settings, "AFTERCARE_FOLLOWUP_DAYS", rules.DEFAULT_OFFSETS))


@transaction.atomic
def aftercare_plan_save(*, episode, fields, by, version=None):
    """Create the episode's plan (``version`` None) or correct it (``version``: the one the
    form was opened with). Returns the plan."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(f"Not a plan field: {', '.join(sorted(unknown))}.")
    plan = AftercarePlan.objects.select_for_update().filter(episode=episode).first()
    if plan is None:
        if version is not None:
            raise ValidationError("This plan no longer exists.")
        plan = AftercarePlan(episode=episode, recorded_by=by, version=0)
    elif version != plan.version:
        raise StaleEdit(CHANGED, current=plan)
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.updated_by = by
    plan.version += 1
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def followups_schedule(*, episode, offsets=None):
    """The follow-ups of an ended episode, one per offset (idempotent: only the missing ones
    are created). An episode still open gets none. Returns the follow-ups created."""
    if episode.ended_on is None:
        return []
    offsets = followup_offsets() if offsets is None else offsets
    existing = set(FollowUp.objects.filter(episode=episode).values_list("offset_days", flat=True))
    missing = [
        FollowUp(episode=episode, offset_days=offset, due_on=due_on)
        for offset, due_on in rules.followup_due_dates(episode.ended_on, offsets)
        if offset not in existing
    ]
    for followup in missing:
        followup.save()  # one by one: each gets its history row
    return missing


@transaction.atomic
def followup_record(*, followup, fields, by, version):
    """Log a contact on ``followup``: the attempts so far and, when reached, what the client
    said. ``version``: the one the form was opened with. Returns the follow-up."""
    unknown = set(fields) - set(FOLLOWUP_FIELDS)
    if unknown:
        raise ValidationError(f"Not a follow-up field: {', '.join(sorted(unknown))}.")
    locked = FollowUp.objects.select_for_update().select_related("episode").get(pk=followup.pk)
    if locked.version != version:
        raise StaleEdit(CHANGED, current=locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    _followup_check(locked)
    locked.done = rules.followup_is_done(reached=locked.reached, attempts=locked.attempts)
    locked.recorded_by, locked.recorded_at = by, timezone.now()
    locked.version += 1
    locked.full_clean()
    locked.save()
    return locked


def _followup_check(followup):
    errors = {}
    if followup.reached is None:
        errors["reached"] = "Say whether the client was reached."
    if followup.attempts < 1:
        errors["attempts"] = "A logged contact is at least one attempt."
    if followup.contacted_on is None:
        errors["contacted_on"] = "Give the day of the last attempt."
    elif followup.contacted_on > timezone.localdate():
        errors["contacted_on"] = "A contact cannot be dated in the future."
    elif followup.episode.ended_on and followup.contacted_on < followup.episode.ended_on:
        errors["contacted_on"] = "A follow-up is after the episode ended."
    if followup.reached and not followup.substance_use:
        errors["substance_use"] = "Record the client's answer (or that they declined)."
    if errors:
        raise ValidationError(errors)
