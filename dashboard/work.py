"""My work: what needs one clinician now, gathered in a fixed number of queries.

Each ``*_for`` function returns a queryset (the page lists it, the navigation counts it), all
site-scoped (``Episode.objects.for_user``) and limited to *my* clients: the active episodes
whose primary therapist or case manager is the user. What each kind means:

- **sessions**: today's sessions at my sites not cancelled and whose note is not signed yet,
  that I facilitate — or that nobody facilitates yet and belong to a track one of my clients
  is in. Read by date and facilitator, whatever their kind (group or scheduled individual).
- **alerts**: my clients whose markers snapshot (the caseload's, refreshed first) carries the
  "risk" flag (the latest check-in is flagged) or the "unexpected positive" flag (one in the
  site's ``flag_positive_days``, 14 by default): the one rulebook, dashboard.markers.
- **labs**: lab confirmations back (confirmed positive or negative) in the last
  ``LABS_DAYS`` days for my clients, that I have not looked at since: no access event of mine
  on the client's Screens tab on or after the day the confirmation was recorded. Opening the
  Screens tab is what "reviewed" means (there is no separate acknowledgement).
- **checkins_due**: my clients without a signed check-in this week (checkins.queries.due_episodes).
- **cosign**: signed check-ins and group notes waiting for *my* co-signature (iop.cosign).
- **followups**: aftercare follow-ups due by today of my clients (aftercare.queries.followups_due).
- **intakes**: my clients admitted in the last ``INTAKE_DAYS`` days still missing an active goal
  or a first worksheet.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from aftercare.queries import followups_due
from attendance.models import Session
from audit.models import AccessEvent
from checkins.models import CheckIn
from checkins.queries import due_episodes
from clients.models import Episode
from dashboard import snapshots
from goals.models import Goal, Worksheet
from iop.dates import week_start
from programs.models import Site
from screening.models import ScreenResult

LABS_DAYS = 14
INTAKE_DAYS = 7
KINDS = ("sessions", "cosign", "alerts", "labs", "checkins_due", "followups", "intakes")


def mine(user):
    """Q on an episode: I am its primary therapist or its case manager."""
    return Q(primary_therapist=user) | Q(case_manager=user)


def my_episodes(user):
    return Episode.objects.for_user(user).active().filter(mine(user))


def sessions_for(user, today):
    my_tracks = my_episodes(user).filter(track__isnull=False).values("track_id")
    return (
        Session.objects.filter(site__in=Site.objects.for_user(user), date=today, note_signed_at__isnull=True)
        .exclude(status=Session.Status.CANCELLED)
        .filter(Q(facilitator=user) | Q(facilitator__isnull=True, track_id__in=my_tracks))
        .select_related("site", "track", "facilitator")
        .order_by("start_time", "pk")
    )


def alerts_for(user, today, *, refresh=True):
    """My clients flagged "risk" or "unexpected positive" on today's snapshot. ``refresh``
    brings stale snapshots up to date first (the page; the navigation counts read them as they are)."""
    episodes = my_episodes(user)
    if refresh:
        snapshots.refresh_stale(episodes, today)
    flagged = snapshots.flag_query("risk") | snapshots.flag_query("unexpected_positive")
    return (
        episodes.filter(marker_snapshot__as_of=today)
        .filter(flagged)
        .select_related("client", "marker_snapshot")
        .order_by("client__last_name", "client__first_name", "pk")
    )


def labs_for(user, today):
    seen = AccessEvent.objects.filter(
        user=user,
        client_id=OuterRef("screen__episode__client_id"),
        action=AccessEvent.Action.VIEW,
        path__startswith="/screening/client/",
        at__date__gte=OuterRef("confirmed_on"),
    )
    return (
        ScreenResult.objects.filter(
            confirmation__in=[
                ScreenResult.Confirmation.CONFIRMED_POSITIVE,
                ScreenResult.Confirmation.CONFIRMED_NEGATIVE,
            ],
            confirmed_on__gte=today - dt.timedelta(days=LABS_DAYS),
            screen__entered_in_error=False,
            screen__episode__in=my_episodes(user),
        )
        .exclude(Exists(seen))
        .select_related("analyte", "screen__episode__client")
        .order_by("-confirmed_on", "pk")
    )


def checkins_due_for(user, today):
    return due_episodes(user=user, week=week_start(today)).filter(mine(user))


def cosign_checkins_for(user):
    return (
        CheckIn.objects.filter(
            cosign_supervisor=user,
            cosigned_at__isnull=True,
            signed_at__isnull=False,
            episode__in=Episode.objects.for_user(user),
        )
        .select_related("episode__client", "signed_by")
        .order_by("signed_at", "pk")
    )


def cosign_sessions_for(user):
    return (
        Session.objects.filter(
            cosign_supervisor=user,
            cosigned_at__isnull=True,
            note_signed_at__isnull=False,
            site__in=Site.objects.for_user(user),
        )
        .select_related("track", "note_signed_by")
        .order_by("note_signed_at", "pk")
    )


def followups_for(user, today):
    return followups_due(user, today).filter(
        Q(episode__primary_therapist=user) | Q(episode__case_manager=user), episode__status=Episode.Status.ACTIVE
    )


def intakes_for(user, today):
    has_goal = Goal.objects.filter(episode=OuterRef("pk"), status=Goal.Status.ACTIVE)
    has_worksheet = Worksheet.objects.filter(episode=OuterRef("pk"))
    return (
        my_episodes(user)
        .filter(admitted_on__gte=today - dt.timedelta(days=INTAKE_DAYS))
        .annotate(has_goal=Exists(has_goal), has_worksheet=Exists(has_worksheet))
        .filter(Q(has_goal=False) | Q(has_worksheet=False))
        .select_related("client")
        .order_by("admitted_on", "pk")
    )


def work_lists(user, today):
    """Every kind's rows (lists), for the page: one query each, plus the snapshot refresh."""
    return {
        "sessions": list(sessions_for(user, today)),
        "cosign_checkins": list(cosign_checkins_for(user)),
        "cosign_sessions": list(cosign_sessions_for(user)),
        "alerts": list(alerts_for(user, today)),
        "labs": list(labs_for(user, today)),
        "checkins_due": list(checkins_due_for(user, today)),
        "followups": list(followups_for(user, today)),
        "intakes": list(intakes_for(user, today)),
    }


def work_counts(user, today):
    """{kind: count} for the navigation, ``total`` their sum: one COUNT query per kind (eight),
    whatever the number of clients. Snapshots are read as they are (not refreshed)."""
    counts = {
        "sessions": sessions_for(user, today).count(),
        "cosign": cosign_checkins_for(user).count() + cosign_sessions_for(user).count(),
        "alerts": alerts_for(user, today, refresh=False).count(),
        "labs": labs_for(user, today).count(),
        "checkins_due": checkins_due_for(user, today).count(),
        "followups": followups_for(user, today).count(),
        "intakes": intakes_for(user, today).count(),
    }
    counts["total"] = sum(counts.values())
    return counts
