"""Reads for many screens at once, in a fixed number of queries."""

from collections import defaultdict
from dataclasses import fields
from datetime import date
from typing import NamedTuple

from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from clients.models import Episode
from screening.interpretation import (
    Interpretation,
    PrescriptionFact,
    ResultFact,
    Streak,
    ValidityFact,
    interpret,
    invalid_reason,
    last_unexpected_positive,
    negative_streak,
)
from screening.models import Prescription, Screen, ScreenResult


def may_not_be_negative() -> Q:
    """The screens ``interpret`` may read as anything but negative (a Screen filter). A screen
    outside it is negative whatever the prescriptions say: completed, no specimen-validity measure
    or problem recorded, and every result negative or confirmed negative (interpret's rules, read
    backwards; tests/dashboard/test_fact_windows.py checks it on generated screens)."""
    not_negative_result = ScreenResult.objects.filter(screen=OuterRef("pk")).exclude(
        Q(result=ScreenResult.Result.NEGATIVE) | Q(confirmation=ScreenResult.Confirmation.CONFIRMED_NEGATIVE)
    )
    return (
        ~Q(outcome=Screen.Outcome.COMPLETED)
        | Q(adulterant_noted=True)
        | Q(temperature_in_range=False)
        | Q(creatinine_mg_dl__isnull=False)
        | Q(specific_gravity__isnull=False)
        | Q(ph__isnull=False)
        | Q(nitrite_ug_ml__isnull=False)
        | Exists(not_negative_result)
    )


# The Screen columns a ValidityFact holds, in its fields' order: ``ValidityFact(*row)`` of a
# ``values_list(*VALIDITY_COLUMNS)``.
VALIDITY_COLUMNS = tuple(f.name for f in fields(ValidityFact))


def collected_day():
    """A screen's local collection date, computed by the database in the program's time zone
    (annotate a queryset with it rather than converting every timestamp here)."""
    return TruncDate("collected_at", tzinfo=timezone.get_current_timezone())


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


def screen_invalid_reason(screen) -> str | None:
    """Why a Screen model object is invalid, in words (None when it is not)."""
    return invalid_reason(outcome=screen.outcome, validity=validity_of(screen))


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


def screen_interpretations(episode_ids):
    """episode id -> [(collected_on, Interpretation, screen)], newest first, for every episode
    asked for (an empty list when it has no screen). Screens entered in error are left out.

    Three queries whatever the number of episodes and screens: the screens (with panel and
    collector), their results (with analyte), and the clients' prescriptions."""
    episode_ids = list(episode_ids)
    out = {pk: [] for pk in episode_ids}
    if not episode_ids:
        return out
    screens = list(
        Screen.objects.filter(episode_id__in=episode_ids, entered_in_error=False)
        .annotate(client_pk=F("episode__client_id"))
        .select_related("panel", "collected_by")
        .prefetch_related(Prefetch("results", queryset=ScreenResult.objects.select_related("analyte")))
        .order_by("episode_id", "-collected_at", "-pk")
    )
    prescriptions = defaultdict(list)
    rx_rows = Prescription.objects.filter(client__episodes__id__in=episode_ids, entered_in_error=False).select_related(
        "analyte"
    )
    seen = set()
    for rx in rx_rows:
        if rx.pk not in seen:  # a client with several of the episodes comes back once per episode
            seen.add(rx.pk)
            prescriptions[rx.client_id].append(rx)
    for screen in screens:
        out[screen.episode_id].append(
            (collected_on(screen), interpret_screen(screen, prescriptions[screen.client_pk]), screen)
        )
    return out


class ScreenSummary(NamedTuple):
    items: list  # [(collected_on, Interpretation, screen)], newest first
    streak: Streak
    last_unexpected: date | None
    days_since_unexpected: int | None


def screen_summary(episode, today: date) -> ScreenSummary:
    """The Screens tab's figures for one episode (three queries; none without an episode), from
    the same screening.interpretation rules as the markers."""
    items = screen_interpretations([episode.pk])[episode.pk] if episode else []
    items = [item for item in items if item[0] <= today]
    pairs = [(on, interp) for on, interp, _ in items]
    last = last_unexpected_positive(pairs)
    return ScreenSummary(items, negative_streak(pairs), last, (today - last).days if last else None)


def pending_results(user):
    """Results sent to the lab and not back yet, at the user's sites, oldest first. One query."""
    return (
        ScreenResult.objects.filter(
            confirmation=ScreenResult.Confirmation.PENDING,
            screen__entered_in_error=False,
            screen__episode__in=Episode.objects.for_user(user),
        )
        .select_related("analyte", "screen__episode__client", "screen__episode__site")
        .order_by(F("confirmation_sent_on").asc(nulls_first=True), "screen__collected_at", "pk")
    )
