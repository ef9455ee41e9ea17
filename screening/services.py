"""Writes for urine drug screens: record a screen with its results, confirmations, prescriptions.

Every service validates first and raises ``ValidationError`` with a clear message; nothing is
saved unless everything is valid (each runs in one transaction). History rows are written
by django-simple-history (``save()`` / ``bulk_create_with_history``).
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clients.services import episodes_inputs_changed
from iop.validators import prescription_end_problem
from screening.models import Prescription, Screen, ScreenResult

TEMPERATURE_PHYSICAL = (Decimal("20"), Decimal("45"))  # °C: outside this the reading is wrong
TEMPERATURE_ACCEPTABLE = (Decimal("32"), Decimal("38"))  # °C, HHS/DOT, read within 4 minutes
PH_PHYSICAL = (Decimal("0"), Decimal("14"))
NO_RESULT_OUTCOMES = (Screen.Outcome.REFUSED, Screen.Outcome.MISSED)
ERROR_REASON_MAX_LENGTH = 200  # as the reason of a refused or missed screen


def _minute(moment):
    return moment.replace(second=0, microsecond=0)


def _check_collected_at(episode, collected_at, errors):
    if collected_at > timezone.now():
        errors.setdefault("collected_at", []).append("The collection time is in the future.")
        return
    day = timezone.localdate(collected_at)
    if day < episode.admitted_on:
        errors.setdefault("collected_at", []).append(
            f"The collection date is before the admission on {episode.admitted_on:%m/%d/%Y}."
        )
    elif episode.ended_on and day > episode.ended_on:
        errors.setdefault("collected_at", []).append(
            f"The collection date is after the episode ended on {episode.ended_on:%m/%d/%Y}."
        )
    elif Screen.objects.filter(episode=episode, collected_at=collected_at).exists():
        errors.setdefault("collected_at", []).append(
            f"A screen is already recorded for this episode at {timezone.localtime(collected_at):%m/%d/%Y %H:%M}."
        )


def _check_validity(validity, errors):
    temp = validity.get("temperature_c")
    if temp is not None and not TEMPERATURE_PHYSICAL[0] <= temp <= TEMPERATURE_PHYSICAL[1]:
        errors.setdefault("temperature_c", []).append(
            "The temperature must be between 20 and 45 °C (a specimen cannot be outside that range)."
        )
    ph = validity.get("ph")
    if ph is not None and not PH_PHYSICAL[0] <= ph <= PH_PHYSICAL[1]:
        errors.setdefault("ph", []).append("The pH must be between 0 and 14.")
    for name, label in (
        ("creatinine_mg_dl", "creatinine"),
        ("specific_gravity", "specific gravity"),
        ("nitrite_ug_ml", "nitrite"),
    ):
        value = validity.get(name)
        if value is not None and value < 0:
            errors.setdefault(name, []).append(f"The {label} cannot be negative.")


@transaction.atomic
def screen_record(
    *,
    episode,
    collected_at,
    by,
    outcome=Screen.Outcome.COMPLETED,
    panel=None,
    method=Screen.Method.POC,
    observed=True,
    reason="",
    results=None,
    levels=None,
    send_for_confirmation=False,
    send_analyte_ids=None,
    validity=None,
    notes="",
):
    """Record one screen. ``results`` maps analyte id -> "positive" | "inconclusive" | "negative"
    (every panel analyte not named is negative); ``levels`` maps analyte id -> ng/mL;
    ``send_for_confirmation`` marks every positive and inconclusive result pending at the lab;
    ``send_analyte_ids``, when given, instead names the analytes whose non-negative results are
    sent (the entry form's per-analyte choice, defaulting to interpretation.sent_to_lab_by_default).
    ``validity`` holds the optional specimen validity fields of ``Screen``."""
    results, levels, validity = dict(results or {}), dict(levels or {}), dict(validity or {})
    collected_at = _minute(collected_at)
    errors = {}
    _check_collected_at(episode, collected_at, errors)
    if outcome in NO_RESULT_OUTCOMES:
        if not reason.strip():
            errors.setdefault("reason", []).append("Give a reason for a refused or missed screen.")
        if results or levels:
            errors.setdefault("__all__", []).append("A refused or missed screen has no results.")
    else:
        if panel is None:
            errors.setdefault("panel", []).append("Choose the panel that was used.")
        else:
            panel_ids = {a.pk for a in panel.analytes.all()}
            outside = sorted(str(k) for k in set(results) | set(levels) if k not in panel_ids)
            if outside:
                errors.setdefault("__all__", []).append(
                    f"A result was given for an analyte that is not on the {panel.name} panel."
                )
            for value in results.values():
                if value not in ScreenResult.Result.values:
                    errors.setdefault("__all__", []).append(f"Unknown result “{value}”.")
        for level in levels.values():
            if level is not None and level < 0:
                errors.setdefault("__all__", []).append("A level cannot be below 0 ng/mL.")
                break
        _check_validity(validity, errors)
    if errors:
        raise ValidationError(errors)

    temperature = validity.get("temperature_c")
    if temperature is not None and validity.get("temperature_in_range") is None:
        validity["temperature_in_range"] = TEMPERATURE_ACCEPTABLE[0] <= temperature <= TEMPERATURE_ACCEPTABLE[1]
    screen = Screen(
        episode=episode,
        collected_at=collected_at,
        collected_by=by,
        observed=observed,
        method=method,
        panel=panel if outcome not in NO_RESULT_OUTCOMES else None,
        outcome=outcome,
        reason=reason.strip(),
        notes=notes,
        **validity,
    )
    screen.full_clean()
    screen._history_user = by
    screen.save()
    if outcome == Screen.Outcome.COMPLETED:
        today = timezone.localdate()
        rows = []
        for analyte in panel.analytes.all():
            result = results.get(analyte.pk, ScreenResult.Result.NEGATIVE)
            chosen = send_for_confirmation if send_analyte_ids is None else analyte.pk in send_analyte_ids
            sent = chosen and result != ScreenResult.Result.NEGATIVE
            rows.append(
                ScreenResult(
                    screen=screen,
                    analyte=analyte,
                    result=result,
                    level_ng_ml=levels.get(analyte.pk),
                    confirmation=ScreenResult.Confirmation.PENDING if sent else ScreenResult.Confirmation.NOT_SENT,
                    confirmation_sent_on=today if sent else None,
                )
            )
        bulk_create_with_history(rows, ScreenResult, default_user=by)
    episodes_inputs_changed(episode_ids=[screen.episode_id])
    return screen


def _locked_result(result):
    return ScreenResult.objects.select_for_update(of=("self",)).select_related("screen", "analyte").get(pk=result.pk)


@transaction.atomic
def result_send_for_confirmation(*, result, by, sent_on=None):
    """Send a presumptive positive or inconclusive result to the lab: its confirmation is pending."""
    current = _locked_result(result)
    if current.result == ScreenResult.Result.NEGATIVE:
        raise ValidationError("Only a positive or inconclusive result is sent for confirmation.")
    if current.confirmation != ScreenResult.Confirmation.NOT_SENT:
        raise ValidationError(
            f"This {current.analyte.code} result is already {current.get_confirmation_display().lower()}."
        )
    current.confirmation = ScreenResult.Confirmation.PENDING
    current.confirmation_sent_on = sent_on or timezone.localdate()
    current._history_user = by
    current.save()
    episodes_inputs_changed(episode_ids=[current.screen.episode_id])
    return current


@transaction.atomic
def result_confirm(*, result, confirmation, by, confirmed_on=None, seen=None):
    """Record the lab's answer for a result: confirmed positive or confirmed negative.

    ``seen`` is the confirmation status the user saw; if it changed since, nothing is
    overwritten and the user is told."""
    if confirmation not in (ScreenResult.Confirmation.CONFIRMED_POSITIVE, ScreenResult.Confirmation.CONFIRMED_NEGATIVE):
        raise ValidationError("The lab result must be confirmed positive or confirmed negative.")
    current = _locked_result(result)
    if seen is not None and current.confirmation != seen:
        raise ValidationError(
            "This result was changed by someone else since you opened it: it is now "
            f"{current.get_confirmation_display().lower()}. Nothing was overwritten."
        )
    if current.result == ScreenResult.Result.NEGATIVE:
        raise ValidationError("A negative result has nothing to confirm.")
    confirmed_on = confirmed_on or timezone.localdate()
    if confirmed_on > timezone.localdate():
        raise ValidationError("The lab result date is in the future.")
    if confirmed_on < timezone.localdate(current.screen.collected_at):
        raise ValidationError("The lab result date is before the collection.")
    current.confirmation = confirmation
    current.confirmed_on = confirmed_on
    current.confirmation_sent_on = current.confirmation_sent_on or confirmed_on
    current._history_user = by
    current.save()
    episodes_inputs_changed(episode_ids=[current.screen.episode_id])
    return current


@transaction.atomic
def prescription_add(*, client, analyte, medication, start, by, end=None, prescriber=""):
    rx = Prescription(
        client=client,
        analyte=analyte,
        medication=medication.strip(),
        start=start,
        end=end,
        prescriber=prescriber.strip(),
        created_by=by,
    )
    if end is not None and end < start:
        raise ValidationError({"end": "The end date is before the start date."})
    rx.full_clean()
    rx._history_user = by
    rx.save()
    episodes_inputs_changed(client_ids=[rx.client_id])
    return rx


@transaction.atomic
def prescription_end(*, prescription, end, by):
    current = Prescription.objects.select_for_update().get(pk=prescription.pk)
    if current.entered_in_error:
        raise ValidationError("This prescription was marked entered in error.")
    if end < current.start:
        raise ValidationError({"end": f"The end date is before the start on {current.start:%m/%d/%Y}."})
    if prescription_end_problem(current.start, end):
        raise ValidationError({"end": prescription_end_problem(current.start, end)})
    if end > timezone.localdate() + dt.timedelta(days=365):
        raise ValidationError({"end": "The end date is more than a year ahead."})
    current.end = end
    current._history_user = by
    current.save()
    episodes_inputs_changed(client_ids=[current.client_id])
    return current


@transaction.atomic
def prescription_mark_error(*, prescription, by):
    """Clinical rows are never deleted: a wrong prescription is marked entered in error."""
    current = Prescription.objects.select_for_update().get(pk=prescription.pk)
    current.entered_in_error = True
    current._history_user = by
    current.save()
    episodes_inputs_changed(client_ids=[current.client_id])
    return current


@transaction.atomic
def screen_mark_error(*, screen, by, reason):
    """A screen recorded by mistake (wrong client, wrong time) is marked entered in error, never
    deleted: it drops out of the timeline, streaks and markers; its history stays."""
    current = Screen.objects.select_for_update().get(pk=screen.pk)
    if current.entered_in_error:
        raise ValidationError("This screen is already marked entered in error.")
    if not reason.strip():
        raise ValidationError("Say why the screen was entered in error.")
    if len(reason.strip()) > ERROR_REASON_MAX_LENGTH:
        raise ValidationError(f"Say why in at most {ERROR_REASON_MAX_LENGTH} characters.")
    current.entered_in_error = True
    current.notes = f"{current.notes}\nEntered in error: {reason.strip()}".strip()
    current._history_user = by
    current.save()
    episodes_inputs_changed(episode_ids=[current.episode_id])
    return current
