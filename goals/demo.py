"""Demo goals and weekly worksheets that fit each episode's story (called by ``seed_demo``).

Every episode gets 2–4 goals set by its therapist at admission and a worksheet for each week
of its stay, with ratings that trend the way the story goes: up to 3–4 for the ready and
finished stories (ready_graduate: most goals achieved), flat and low for struggling, a drop
in the last weeks for relapsing, and nothing yet for some new clients. Written with bulk
inserts that also write the history rows: a few statements for the whole demo.
"""

import datetime as dt

from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from goals.models import Goal, GoalRating, Worksheet
from iop.dates import aware_at, week_start, weeks_between

GOAL_TEXTS = {  # area: [(the client's words, measurable objective)]
    "substance_use": [
        ("Stay clean one day at a time", "No unexpected positive screen for 8 weeks"),
        ("Stop drinking after work", "Goes straight home on work days, 5 days a week"),
    ],
    "mental_health": [
        ("Handle stress without using", "Uses a coping skill from group when stressed, logged 4 times a week"),
        ("Sleep through the night", "Sleeps 6+ hours on 5 nights a week (sleep log)"),
    ],
    "family": [
        ("Be there for my kids", "Family dinner 3 nights a week"),
        ("Rebuild trust with my partner", "Attends 2 family sessions this month"),
    ],
    "employment_education": [
        ("Keep my job", "No missed shifts for 4 weeks"),
        ("Finish my GED", "Passes 2 of the 4 GED tests"),
    ],
    "recovery_support": [
        ("Build a sober network", "Attends 3 mutual-help meetings a week and calls a sponsor weekly"),
        ("Find a sponsor", "Has a sponsor and talks to them twice a week"),
    ],
    "legal": [("Stay out of trouble with probation", "Keeps every probation appointment; clean reports")],
    "housing": [("Find a stable place to live", "Signed lease or sober-living bed by the target date")],
    "physical_health": [("Take care of my health", "Sees a primary care doctor and walks 20 minutes 4 days a week")],
}
OTHER_AREAS = [a for a in GOAL_TEXTS if a != "substance_use"]
REFLECTIONS = {
    0: ["Didn't work on it this week.", "Too much going on."],
    1: ["Tried once, hard week.", "Thought about it but didn't follow through."],
    2: ["Some progress, not every day.", "Halfway there."],
    3: ["Mostly on track.", "Did it most days."],
    4: ["Did it every day.", "This feels solid now."],
}
OVERALL = {
    "low": ["Rough week. Cravings were strong.", "Hard to stay focused this week.", "Missed a few things."],
    "mid": ["Up and down, but still here.", "Some good days.", "Learning what triggers me."],
    "high": ["Best week so far.", "Feeling stronger and more in control.", "Using my skills without thinking."],
}
# Rating curve per story: (start, end) of the trend over the stay, plus the end for the last two weeks.
TRENDS = {
    "ready_graduate": (1.5, 4.0),
    "graduated": (1.5, 4.0),
    "ready_step_down": (1.2, 3.6),
    "approaching": (1.2, 3.5),
    "stepped_down": (1.2, 3.5),
    "steady": (1.2, 2.8),
    "new": (1.2, 1.8),
    "struggling": (1.0, 1.3),
    "relapsing": (1.2, 2.8),
    "discharged": (1.2, 0.8),
}
ON_TRACK_AT_END = {"ready_graduate", "graduated", "ready_step_down", "approaching", "stepped_down"}


def _goals_for(ctx, demo_ep, number):
    """Unsaved goals G1..Gn of an episode (substance use first, then other life areas)."""
    episode = demo_ep.episode
    therapist = episode.primary_therapist
    areas = ["substance_use"] + ctx.rng.sample(OTHER_AREAS, number - 1)
    goals = []
    for i, area in enumerate(areas):
        statement, objective = ctx.rng.choice(GOAL_TEXTS[area])
        goal = Goal(
            episode=episode,
            ref=f"G{i + 1}",
            area=area,
            statement=statement,
            objective=objective,
            target_date=episode.admitted_on + dt.timedelta(weeks=ctx.rng.choice([8, 10, 12])),
            set_by=therapist,
        )
        goal._history_user = therapist
        goal._history_date = aware_at(episode.admitted_on, 12)
        goals.append(goal)
    return goals


def _weeks(ctx, episode):
    last_day = episode.ended_on or ctx.today
    weeks = weeks_between(week_start(episode.admitted_on), week_start(last_day))
    if episode.ended_on is None and ctx.today.weekday() < 2 and len(weeks) > 1:
        weeks = weeks[:-1]  # early in the week: this week's worksheet is not done yet
    return weeks


def _rating(ctx, story, t, weeks_left, on_track):
    start, end = TRENDS[story]
    base = start + (end - start) * t
    if story == "relapsing" and weeks_left < 2:
        base = 0.8
    value = round(base + ctx.rng.uniform(-0.7, 0.7))
    if on_track and weeks_left == 0:
        value = max(value, 3)
    return min(max(value, 0), 4)


def _plan(ctx, index, demo_ep):
    """(goals, weeks, revision) for one episode; revision = (goal index, week index) or None.
    ``index`` counts the episodes of the same story (every other new client has no worksheet yet)."""
    story = demo_ep.story
    number = 2 if story == "new" else ctx.rng.randint(2, 4)
    if story == "ready_graduate":
        number = max(number, 3)
    weeks = [] if story == "new" and index % 2 == 0 else _weeks(ctx, demo_ep.episode)
    revision = None
    if story in ("approaching", "steady", "stepped_down") and len(weeks) >= 4:
        revision = (ctx.rng.randrange(1, number), len(weeks) // 2)
    return _goals_for(ctx, demo_ep, number), weeks, revision


def seed(ctx):
    seen = {}
    plans = []
    for demo_ep in ctx.episodes:
        seen[demo_ep.story] = seen.get(demo_ep.story, -1) + 1
        plans.append((demo_ep, *_plan(ctx, seen[demo_ep.story], demo_ep)))
    originals = [g for _demo_ep, goals, _weeks, _rev in plans for g in goals]
    bulk_create_with_history(originals, Goal)

    # Revisions: the old wording is kept (status revised), the new goal revises it.
    revisions, closing = [], []
    for demo_ep, goals, weeks, revision in plans:
        if revision is None:
            continue
        old = goals[revision[0]]
        new = Goal(
            episode=demo_ep.episode,
            ref=f"G{len(goals) + 1}",
            area=old.area,
            statement=f"{old.statement} (smaller steps)",
            objective=f"Revised: {old.objective.lower()} — half as often to start",
            target_date=old.target_date + dt.timedelta(weeks=4) if old.target_date else None,
            set_by=old.set_by,
            revises=old,
        )
        new._history_user = old.set_by
        new._history_date = aware_at(weeks[revision[1]], 12)
        old.status = Goal.Status.REVISED
        old._history_date = new._history_date
        revisions.append(new)
        closing.append(old)
    bulk_create_with_history(revisions, Goal)
    for goal in originals:  # auto_now_add stamped "now": back-date to when it was set
        goal.created_at = aware_at(goal.episode.admitted_on, 12)
    for goal in revisions:
        goal.created_at = goal._history_date
    Goal.objects.bulk_update(originals + revisions, ["created_at"], batch_size=500)
    revised_by_old = {g.revises_id: g for g in revisions}

    sheets, rating_plan = [], []  # rating_plan: (sheet, goal, rating)
    for demo_ep, goals, weeks, revision in plans:
        episode, story = demo_ep.episode, demo_ep.story
        therapist = episode.primary_therapist
        achieve_at = {}
        if story in ("ready_graduate", "graduated") and len(weeks) >= 3:
            # all goals but one achieved in the last weeks (the last one still active, on track)
            for g in goals[:-1]:
                achieve_at[g.pk] = len(weeks) - 1 - ctx.rng.randint(0, 2)
        for w, week in enumerate(weeks):
            t = w / max(len(weeks) - 1, 1)
            weeks_left = len(weeks) - 1 - w
            day = min(week + dt.timedelta(days=4), ctx.today)
            sheet = Worksheet(episode=episode, week=week, completed_by=therapist)
            sheet._history_user, sheet._history_date = therapist, aware_at(day)
            ratings = []
            for g in goals:
                goal = g
                if revision is not None and g is goals[revision[0]] and w >= revision[1]:
                    goal = revised_by_old[g.pk]
                if g.pk in achieve_at and w > achieve_at[g.pk]:
                    continue  # achieved: no longer rated
                if g.pk in achieve_at and w == achieve_at[g.pk]:
                    rating = 4
                else:
                    rating = _rating(ctx, story, t, weeks_left, story in ON_TRACK_AT_END)
                ratings.append((goal, rating))
            mean = sum(r for _g, r in ratings) / len(ratings)
            sheet.reflection = ctx.rng.choice(OVERALL["low" if mean < 1.8 else "mid" if mean < 2.8 else "high"])
            sheets.append(sheet)
            rating_plan.extend((sheet, goal, rating) for goal, rating in ratings)
        for goal in goals:
            if goal.pk in achieve_at:
                goal.status = Goal.Status.ACHIEVED
                goal._history_date = aware_at(min(weeks[achieve_at[goal.pk]] + dt.timedelta(days=4), ctx.today))
                closing.append(goal)
        if story == "discharged" and goals and episode.ended_on:
            goals[-1].status = Goal.Status.DISCONTINUED
            goals[-1]._history_date = aware_at(episode.ended_on)
            closing.append(goals[-1])

    bulk_create_with_history(sheets, Worksheet)
    ratings = []
    for sheet, goal, rating in rating_plan:
        row = GoalRating(worksheet=sheet, goal=goal, rating=rating, reflection=ctx.rng.choice(REFLECTIONS[rating]))
        row._history_user, row._history_date = sheet._history_user, sheet._history_date
        ratings.append(row)
    bulk_create_with_history(ratings, GoalRating, batch_size=500)
    _close(closing)


def _close(goals):
    """Status changes (revised, achieved, discontinued) with their history rows."""
    if goals:
        bulk_update_with_history(goals, Goal, ["status"], batch_size=500)
