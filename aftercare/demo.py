"""Demo continuing care (after ``dashboard`` in ``seed_demo``): aftercare plans for the
graduated and stepped-down episodes, and the follow-up contacts of every ended episode, some
logged (reached, or an unreached attempt) and the rest left due or overdue as the calendar has
them. A graduate's plan names the alumni group they went on to (``ctx.follow_on``, from the
dashboard demo). Written through the services, as in the app."""

import datetime as dt
from collections import Counter

from django.utils import timezone

from aftercare.services import aftercare_plan_save, followup_record, followups_schedule

PLANS = {
    "graduated": {
        "outpatient_sessions_per_week": 0,
        "mutual_help_meetings_per_week": 3,
        "recovery_supports": "Sponsor; SMART Recovery on Tuesdays; sister checks in on Sundays.",
        "crisis_plan": "Call the sponsor first. If unsafe: call 988 or go to the nearest emergency room.",
        "contact_name": "Sponsor (Dana)",
        "contact_phone": "(804) 555-0171",
    },
    "stepped_down": {
        "outpatient_sessions_per_week": 1,
        "mutual_help_meetings_per_week": 2,
        "recovery_supports": "Weekly outpatient group; NA home group; recovery coach.",
        "medication_provider": "Capitol Family Health, buprenorphine clinic",
        "crisis_plan": "Call the outpatient therapist or the program's after-hours line; 988 in a crisis.",
        "contact_name": "Program after-hours line",
        "contact_phone": "(804) 555-0100",
    },
}
REACHED = {
    "reached": True,
    "attempts": 1,
    "substance_use": "no",
    "in_treatment": "yes",
    "continuing_care": "attending",
    "housing": "stable",
    "employment": "employed",
    "readmitted": "no",
}
UNREACHED = {"reached": False, "attempts": 1}


def seed(ctx):
    ended = [d for d in ctx.episodes if d.episode.ended_on is not None]
    seen = Counter()
    for demo in ended:
        episode = demo.episode
        index = seen[demo.story]  # counted per story: each story's follow-ups get every outcome
        seen[demo.story] += 1
        by = episode.case_manager or ctx.users["casemanager"]
        if demo.story in PLANS:
            fields = dict(PLANS[demo.story])
            follow_on = ctx.follow_on.get(episode.pk)
            if follow_on is not None and follow_on.track_id is not None:
                fields["continuing_care_track"] = follow_on.track  # the group the graduate went on to
            if "medication_provider" in fields:
                fields["next_appointment_at"] = _appointment(ctx.today + dt.timedelta(days=5 + index % 7))
            aftercare_plan_save(episode=episode, fields=fields, by=by)
        for position, followup in enumerate(followups_schedule(episode=episode)):
            if followup.due_on > ctx.today:
                continue
            outcome = (index + position) % 3  # 0: logged reached, 1: one unreached attempt, 2: not logged yet
            if outcome == 2:
                continue
            fields = REACHED if outcome == 0 else UNREACHED
            contacted_on = min(followup.due_on + dt.timedelta(days=1), ctx.today)
            followup_record(followup=followup, fields={**fields, "contacted_on": contacted_on}, by=by, version=0)


def _appointment(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30)))
