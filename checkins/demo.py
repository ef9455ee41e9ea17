"""Demo weekly check-ins that fit each episode's story (called by ``seed_demo``).

Each episode gets a signed check-in for (almost) every week of its stay, by its therapist:
cravings fall and recommendations move to step-down or graduation for the ready stories;
"approaching" and "steady" clients stay on "continue"; struggling clients have gaps and
barriers; relapsing clients carry a risk flag (moderate risk or PHQ-9 item 9) in their latest
week. Some active clients have no signed check-in for this week yet (a few have a draft), so
the due list has work on it. PHQ-9 every other week, GAD-7 every fourth. A few signed
check-ins carry an addendum. Bulk inserts with history rows: a few statements in all.
"""

import datetime as dt

import pgtrigger
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from audit.services import signatures_record
from checkins.models import Addendum, CheckIn
from iop import integrity
from iop.dates import aware_at, week_start, weeks_between

# (cravings at admission, cravings at the end of the stay) per story.
CRAVINGS = {
    "ready_graduate": (6, 1),
    "graduated": (6, 1),
    "ready_step_down": (7, 2),
    "approaching": (7, 2),
    "stepped_down": (7, 2),
    "steady": (6, 3),
    "new": (7, 6),
    "struggling": (7, 6),
    "relapsing": (6, 3),
    "discharged": (7, 8),
}
# PHQ-9 total at admission and at the end.
PHQ9 = {
    "ready_graduate": (14, 3),
    "graduated": (14, 3),
    "ready_step_down": (13, 5),
    "approaching": (13, 6),
    "stepped_down": (13, 6),
    "steady": (12, 7),
    "new": (15, 14),
    "struggling": (15, 13),
    "relapsing": (12, 8),
    "discharged": (16, 17),
}
NOTES = {
    "good": [
        "Engaged in group, shared a relapse-prevention plan.",
        "Reports using coping skills at work; attended every session.",
        "Sleep improving; reconnecting with family.",
    ],
    "mid": [
        "Attending most groups; cravings manageable with support.",
        "Working on triggers at home; sponsor contact twice this week.",
        "Some stress at work; used distress-tolerance skills.",
    ],
    "low": [
        "Missed sessions; transportation fell through twice.",
        "Cravings high on weekends; ambivalent about meetings.",
        "Hard week; family conflict and money worries.",
    ],
}
RATIONALE = {
    CheckIn.Recommendation.CONTINUE: "Still building skills; continue the current plan.",
    CheckIn.Recommendation.STEP_DOWN: "Stable attendance, negative screens and goals on track: ready for outpatient.",
    CheckIn.Recommendation.GRADUATE: "Treatment goals met; relapse-prevention plan in place.",
    CheckIn.Recommendation.DISCHARGE: "Stopped attending despite outreach.",
}
ADDENDA = [
    "Client called after the session: clarified that the missed group was due to a medical appointment.",
    "Collateral from probation officer received; consistent with the note above.",
    "Correction: meetings attended this week were 3, not 2.",
]


def _items(ctx, total, count, item9_zero=True):
    """Answers 0–3 for ``count`` items summing to ``total`` (item 9 kept at 0 unless asked)."""
    slots = list(range(count - 1 if item9_zero and count == 9 else count))
    answers = [0] * count
    total = max(0, min(total, 3 * len(slots)))
    while total > 0:
        i = ctx.rng.choice(slots)
        if answers[i] < 3:
            answers[i] += 1
            total -= 1
    return answers


def _weeks(ctx, demo_ep, index):
    """The weeks that get a check-in, and whether this week's is left as a draft / not done."""
    episode, story = demo_ep.episode, demo_ep.story
    last_day = episode.ended_on or ctx.today
    weeks = weeks_between(week_start(episode.admitted_on), week_start(last_day))
    if story == "struggling":  # gaps: every third week missed
        weeks = [w for i, w in enumerate(weeks) if i % 3 != 1 or i == len(weeks) - 1]
    current_missing = episode.ended_on is None and (
        story in ("struggling", "new") or (story == "steady" and index % 2 == 0)
    )
    draft_current = current_missing and story == "steady" and index % 4 == 0
    return weeks, current_missing, draft_current


def _recommendation(story, weeks_left):
    R = CheckIn.Recommendation
    if story in ("ready_graduate", "graduated") and weeks_left == 0:
        return R.GRADUATE
    if story in ("ready_graduate", "graduated") and weeks_left <= 2:
        return R.STEP_DOWN if story == "graduated" else R.CONTINUE
    if story in ("ready_step_down", "stepped_down") and weeks_left == 0:
        return R.STEP_DOWN
    if story == "discharged" and weeks_left == 0:
        return R.DISCHARGE
    return R.CONTINUE


def _checkin(ctx, demo_ep, week, w, n_weeks):
    episode, story = demo_ep.episode, demo_ep.story
    therapist = episode.primary_therapist
    t = w / max(n_weeks - 1, 1)
    weeks_left = n_weeks - 1 - w
    start, end = CRAVINGS[story]
    cravings = round(start + (end - start) * t + ctx.rng.uniform(-1, 1))
    p_start, p_end = PHQ9[story]
    risk = CheckIn.Risk.LOW if story in ("struggling", "relapsing", "discharged", "new") else CheckIn.Risk.NONE
    relapse_week = story == "relapsing" and weeks_left == 0
    phq9 = None
    if w % 2 == 0 or relapse_week or weeks_left == 0:
        total = round(p_start + (p_end - p_start) * t + ctx.rng.uniform(-2, 2))
        if relapse_week:
            total = 16
        phq9 = _items(ctx, total, 9)
        if relapse_week and w % 2 == 0:
            phq9[8] = 1  # passive thoughts of death: item 9 raises the risk flag
    if relapse_week:
        cravings = 8
        risk = CheckIn.Risk.MODERATE
    gad7 = _items(ctx, round(sum(phq9) * 0.7), 7) if w % 4 == 0 and phq9 else None
    good = story in ("ready_graduate", "graduated", "ready_step_down", "approaching", "stepped_down")
    tone = "low" if story in ("struggling", "discharged") or relapse_week else "good" if good and t > 0.4 else "mid"
    barriers = []
    if story == "struggling":
        barriers = ctx.rng.sample(["transportation", "childcare", "finances", "work_schedule"], 2)
    elif story == "relapsing" and weeks_left <= 1:
        barriers = ["housing"]
    recommendation = _recommendation(story, weeks_left)
    signed_day = min(week + dt.timedelta(days=3), ctx.today)
    signed_at = min(aware_at(signed_day, 16), timezone.now() - dt.timedelta(minutes=5))
    checkin = CheckIn(
        episode=episode,
        week=week,
        cravings=min(max(cravings, 0), 10),
        engagement=min(max(round(2 + 3 * t) if good else 2 + ctx.rng.randint(0, 2), 1), 5),
        mood=min(max(round(2 + 2 * t + ctx.rng.uniform(-0.5, 0.5)), 1), 5) if tone != "low" else 2,
        risk=risk,
        overdose_risk=relapse_week and w % 2 == 1,
        mutual_help_meetings=ctx.rng.randint(1, 4) if good else ctx.rng.randint(0, 2),
        barriers=barriers,
        note=ctx.rng.choice(NOTES[tone])
        + (" Reports use over the weekend; safety plan reviewed." if relapse_week else ""),
        recommendation=recommendation,
        rationale=RATIONALE[recommendation]
        if not relapse_week
        else "Lapse this week: continue IOP with added individual sessions.",
        phq9_items=phq9,
        gad7_items=gad7,
        author=therapist,
        signed_at=signed_at,
        signed_by=therapist,
        version=1,
    )
    checkin._history_user = therapist
    checkin._history_date = signed_at
    return checkin


def seed(ctx):
    seen = {}
    checkins = []
    for demo_ep in ctx.episodes:
        if demo_ep.episode.primary_therapist is None:
            continue
        seen[demo_ep.story] = index = seen.get(demo_ep.story, -1) + 1
        weeks, current_missing, draft_current = _weeks(ctx, demo_ep, index)
        this_week = week_start(ctx.today)
        for w, week in enumerate(weeks):
            checkin = _checkin(ctx, demo_ep, week, w, len(weeks))
            if week == this_week and current_missing:
                if not draft_current:
                    continue
                checkin.signed_at = checkin.signed_by = None  # started, not signed: still due
            else:
                checkin.signature_sha256 = integrity.content_sha256(checkin.signed_content())
            checkins.append(checkin)
    bulk_create_with_history(checkins, CheckIn, batch_size=500)
    signatures_record(records=sorted((c for c in checkins if c.is_signed), key=lambda c: c.signed_at))
    stamped = []
    for checkin in checkins:  # auto_now_add stamped "now": back-date to when it was written
        checkin.created_at = checkin.updated_at = checkin._history_date
        stamped.append(checkin)
    with pgtrigger.ignore("checkins.CheckIn:checkin_signed_no_update"):  # back-dating, not an edit
        CheckIn.objects.bulk_update(stamped, ["created_at", "updated_at"], batch_size=500)

    signed = [c for c in checkins if c.signed_at is not None and c.week < week_start(ctx.today)]
    addenda = []
    for i, checkin in enumerate(signed[::23]):
        addendum = Addendum(checkin=checkin, author=checkin.author, text=ADDENDA[i % len(ADDENDA)])
        addendum._history_user = checkin.author
        addendum._history_date = checkin.signed_at + dt.timedelta(days=1)
        addenda.append(addendum)
    bulk_create_with_history(addenda, Addendum, batch_size=500)
    for addendum in addenda:
        addendum.created_at = addendum._history_date
    with pgtrigger.ignore("checkins.Addendum:checkin_addendum_append_only"):  # back-dating, not an edit
        Addendum.objects.bulk_update(addenda, ["created_at"], batch_size=500)
