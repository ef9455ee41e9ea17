"""The level-of-care history named by what happened — pure: episodes and their level-of-care rows
in, named events out (no ORM, no clock). Every page that shows the history (the Profile &
episodes tab, the printed record) calls ``care_history``; tests/clients/test_care_history.py is
its table.

What a row means (DOMAIN.md "Settled readings"):
- the first row of an episode with no previous level is an **admission** ("Admitted to IOP"), or a
  **readmission** when the client has an earlier episode that had ended by then ("Readmitted to IOP");
- the first row of an episode that continues the previous one (opened the day that one ended by a
  step-down or step-up: ``is_continuous_stay``) is named by the level it came from: "Stepped down
  from IOP to OP", "Stepped up from IOP to PHP";
- a later row of the same episode is named the same way against the row before it;
- an episode's end is an event of its own ("Graduated from IOP", "Discharged from IOP: left against
  clinical advice"), except a step-down or step-up that continues in the next episode: that
  episode's first row already says it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Values of clients.models.LevelOfCare, least to most intensive.
LEVEL_RANK = {"OP": 1, "IOP": 2, "PHP": 3}
# Values of clients.models.Episode.EndReason that hand the client over to the next episode.
CONTINUOUS_END_REASONS = frozenset({"stepped_down", "stepped_up"})
# The reasons the services write themselves: they add nothing to the event's name.
DEFAULT_REASONS = frozenset({"", "Admission", "Stepped up by decision"})
DISCHARGE_WORDS = {
    "left_against_advice": "left against clinical advice",
    "administrative": "administrative",
    "other": "other reason",
}


@dataclass(frozen=True)
class CareEvent:
    on: dt.date
    episode: object  # the episode object the caller passed
    kind: str  # admitted | readmitted | stepped_down | stepped_up | same_level | graduated | discharged | ended
    what: str  # "Stepped down from IOP to OP"
    level: str  # the level of care from this event on (the level left, for an end)
    note: str = ""  # the recorded reason, when it says more than the name
    by: object = None  # who recorded it (a level-of-care row's ``changed_by``), if known


def is_continuous_stay(previous_ended_on, previous_end_reason, admitted_on) -> bool:
    """Whether an episode admitted on ``admitted_on`` continues the previous one."""
    return previous_ended_on == admitted_on and previous_end_reason in CONTINUOUS_END_REASONS


def continued_from(episode, episodes):
    """The episode of ``episodes`` that ``episode`` continues (a continuous stay), else None."""
    candidates = [
        e for e in episodes if e.pk != episode.pk and is_continuous_stay(e.ended_on, e.end_reason, episode.admitted_on)
    ]
    return max(candidates, key=lambda e: (e.admitted_on, e.pk), default=None)


def _move(previous, level):
    """The name of a change from ``previous`` to ``level`` (both LevelOfCare values)."""
    before, after = LEVEL_RANK.get(previous, 0), LEVEL_RANK.get(level, 0)
    if after < before:
        return "stepped_down", f"Stepped down from {previous} to {level}"
    if after > before:
        return "stepped_up", f"Stepped up from {previous} to {level}"
    return "same_level", f"Continued at {level}"


def _end(episode, level, continued):
    reason = episode.end_reason
    if reason == "graduated":
        return "graduated", f"Graduated from {level}"
    if reason in CONTINUOUS_END_REASONS:
        if continued:
            return None
        verb = "Stepped down" if reason == "stepped_down" else "Stepped up / transferred"
        return "ended", f"{verb} from {level}: care continues elsewhere"
    words = DISCHARGE_WORDS.get(reason)
    return "discharged", f"Discharged from {level}" + (f": {words}" if words else "")


def care_history(episodes, changes) -> list[CareEvent]:
    """The named events of a client's episodes, oldest first.

    ``episodes``: objects with ``pk``, ``admitted_on``, ``ended_on``, ``end_reason`` and
    ``level_of_care`` (e.g. ``clients.models.Episode``); ``changes``: their level-of-care rows,
    objects with ``episode_id``, ``level_of_care``, ``effective_on``, ``reason`` and ``changed_by``
    (e.g. ``LevelOfCareChange``). An episode without a row is named from its own level.
    """
    episodes = sorted(episodes, key=lambda e: (e.admitted_on, e.pk))
    rows = {e.pk: [] for e in episodes}
    for change in sorted(changes, key=lambda c: (c.effective_on, getattr(c, "pk", 0) or 0)):
        if change.episode_id in rows:
            rows[change.episode_id].append(change)
    last_level = {e.pk: (rows[e.pk][-1].level_of_care if rows[e.pk] else e.level_of_care) for e in episodes}
    continues = {e.pk: continued_from(e, episodes) for e in episodes}
    continued = {c.pk for c in continues.values() if c is not None}

    events = []  # (sort key, event)
    for order, episode in enumerate(episodes):
        own = rows[episode.pk] or [None]
        previous_level = None
        if (before := continues[episode.pk]) is not None:
            previous_level = last_level[before.pk]
        for seq, change in enumerate(own):
            level = change.level_of_care if change else episode.level_of_care
            on = change.effective_on if change else episode.admitted_on
            if previous_level is None:
                readmitted = any(
                    e.pk != episode.pk and e.ended_on is not None and e.ended_on <= episode.admitted_on
                    for e in episodes
                )
                kind, what = ("readmitted", "Readmitted to") if readmitted else ("admitted", "Admitted to")
                what = f"{what} {level}"
            else:
                kind, what = _move(previous_level, level)
            reason = (change.reason or "").strip() if change else ""
            note = "" if reason in DEFAULT_REASONS else reason
            by = change.changed_by if change else None
            events.append(((on, order, 0, seq), CareEvent(on, episode, kind, what, level, note, by)))
            previous_level = level
        if episode.ended_on is not None:
            end = _end(episode, last_level[episode.pk], episode.pk in continued)
            if end is not None:
                kind, what = end
                events.append(
                    (
                        (episode.ended_on, order, 1, 0),
                        CareEvent(episode.ended_on, episode, kind, what, last_level[episode.pk]),
                    )
                )
    return [event for _, event in sorted(events, key=lambda pair: pair[0])]
