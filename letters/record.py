"""The printed record: everything a chart copy or a transfer of care needs, in a fixed number
of queries whatever the length of the history."""

from attendance.queries import attendance_rows, facts_of
from attendance.rules import weekly_summaries
from checkins.models import CheckIn
from clients.care_history import care_history
from clients.models import Episode, LevelOfCareChange
from dashboard.models import Decision
from goals.models import Goal
from screening.queries import screen_interpretations


def record_print_context(client, user):
    """The printed record of ``client``: only the episodes at ``user``'s sites (another site's
    stay is not shown, as on every tab of the record)."""
    episodes = list(
        Episode.objects.for_user(user)
        .filter(client=client)
        .select_related("site", "track", "primary_therapist", "case_manager")
        .order_by("admitted_on")
    )
    ids = [e.pk for e in episodes]
    rows = attendance_rows(ids, min((e.admitted_on for e in episodes), default=None) or client.created_at.date())
    screens = screen_interpretations(ids)
    goals = Goal.objects.filter(episode_id__in=ids).order_by("ref")
    checkins = (
        CheckIn.objects.filter(episode_id__in=ids)
        .exclude(signed_at=None)
        .select_related("signed_by")
        .prefetch_related("addenda__author")
        .order_by("week")
    )
    decisions = Decision.objects.filter(episode_id__in=ids).select_related("decided_by").order_by("decided_on")
    levels = LevelOfCareChange.objects.filter(episode_id__in=ids).select_related("changed_by")
    by_episode = {e.pk: {"episode": e, "goals": [], "checkins": [], "decisions": [], "levels": []} for e in episodes}
    for family, items in (("goals", goals), ("checkins", checkins), ("decisions", decisions)):
        for item in items:
            by_episode[item.episode_id][family].append(item)
    for event in care_history(episodes, levels):  # named by what happened, as on the Profile tab
        by_episode[event.episode.pk]["levels"].append(event)
    for e in episodes:
        facts = facts_of(r for r in rows if r.episode_id == e.pk)
        last = e.ended_on or max((r.date for r in rows if r.episode_id == e.pk), default=e.admitted_on)
        by_episode[e.pk]["weeks"] = weekly_summaries(facts, e.admitted_on, last, e.required_weekly_hours)
        by_episode[e.pk]["screens"] = screens[e.pk]
    return {"printed": list(by_episode.values())}
