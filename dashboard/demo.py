"""Demo decisions (called last by ``seed_demo``): the decision that ended each ended episode.

The clients demo ends the graduated, stepped-down and discharged stories' episodes; here each
gets the case manager's decision of that day, with the markers as they stood on it as its
evidence (the same ``dashboard.queries`` path as a decision recorded in the app) and the
override mark when the markers did not show the client ready. Bulk insert with history rows.
"""

from simple_history.utils import bulk_create_with_history

from attendance.demo import seed_continuing_care
from clients.models import LevelOfCare
from clients.services import episodes_inputs_changed
from dashboard.models import Decision
from dashboard.queries import episode_evaluation, evaluation_document
from dashboard.services import CONTINUING_CARE_WEEKLY_HOURS, READINESS_OF_KIND, follow_on_episode_open

# story → (decision, rationale)
ENDINGS = {
    "graduated": (Decision.Kind.GRADUATE, "Completed the program: goals met, sustained negative screens."),
    "stepped_down": (
        Decision.Kind.STEP_DOWN,
        "Stable attendance and negative screens; continues in weekly outpatient care.",
    ),
    "discharged": (Decision.Kind.DISCHARGE, "Left against clinical advice after repeated missed sessions."),
}


def seed(ctx):
    decisions = []
    for demo in ctx.episodes:
        episode = demo.episode
        if demo.story not in ENDINGS or episode.ended_on is None:
            continue
        kind, rationale = ENDINGS[demo.story]
        evidence = evaluation_document(episode, episode_evaluation(episode, episode.ended_on), episode.ended_on)
        readiness = READINESS_OF_KIND.get(kind)
        follow_on = _follow_on(ctx, demo)
        decisions.append(
            Decision(
                episode=episode,
                kind=kind,
                decided_on=episode.ended_on,
                decided_by=episode.case_manager or ctx.users["casemanager"],
                rationale=rationale,
                evidence=evidence,
                is_override=readiness is not None and evidence[readiness]["status"] != "ready",
                resulting_episode=follow_on,
            )
        )
    bulk_create_with_history(decisions, Decision)
    continuing = [e for e in ctx.follow_on.values() if e.track_id is not None]
    if continuing:
        seed_continuing_care(ctx, continuing)
        episodes_inputs_changed(episode_ids=[e.pk for e in continuing])


def _follow_on(ctx, demo):
    """The OP episode after a step-down, or after a graduation into the alumni group (every demo
    graduate keeps attending it), opened the day the episode ended; None otherwise."""
    episode = demo.episode
    if demo.story == "stepped_down":
        track = None
    elif demo.story == "graduated":
        track = ctx.continuing_care_tracks.get(episode.site.code)
    else:
        return None
    by = episode.case_manager or ctx.users["casemanager"]
    hours = CONTINUING_CARE_WEEKLY_HOURS if track is not None else None  # None: the OP default
    ctx.follow_on[episode.pk] = follow_on_episode_open(
        episode, level=LevelOfCare.OP, admitted_on=episode.ended_on, by=by, weekly_hours=hours, track=track
    )
    return ctx.follow_on[episode.pk]
