"""Reads for many screens at once, in a fixed number of queries."""

from collections import defaultdict

from django.db.models import F, Prefetch

from clients.models import Episode
from screening.interpretation import collected_on, interpret_screen
from screening.models import Prescription, Screen, ScreenResult


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
