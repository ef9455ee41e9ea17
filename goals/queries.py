"""Reads of goals and worksheets for many rows, in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from goals import rules
from goals.models import Goal, GoalRating, Worksheet
from programs.services import criteria_for


def _closed_at():
    """The instant a goal first left "active", from its history (a correlated subquery)."""
    return Subquery(
        Goal.history.filter(id=OuterRef("pk"))
        .exclude(status=Goal.Status.ACTIVE)
        .order_by("history_date")
        .values("history_date")[:1]
    )


def _goal_fact(pk, status, created_at, closed_at):
    tz = timezone.get_current_timezone()
    return rules.GoalFact(
        key=pk,
        status=status,
        set_on=created_at.astimezone(tz).date(),
        closed_on=closed_at.astimezone(tz).date() if closed_at and status != Goal.Status.ACTIVE else None,
    )


def goal_facts(goals):
    """[(episode id, GoalFact)] of a Goal queryset, in ONE query: each goal's status, the day it
    was set and the day it first left "active" (from its history)."""
    rows = (
        goals.annotate(closed_at=_closed_at())
        .order_by()
        .values_list("episode_id", "pk", "status", "created_at", "closed_at")
    )
    return [(episode_id, _goal_fact(*fact)) for episode_id, *fact in rows]


def worksheet_for_week(episode, week):
    """The episode's worksheet of ``week`` with its ratings (``.rating_rows``: GoalRatings with
    their goal, in goal order), or None. Two queries."""
    ratings = GoalRating.objects.select_related("goal")
    worksheet = (
        Worksheet.objects.filter(episode=episode, week=week)
        .select_related("completed_by")
        .prefetch_related(Prefetch("ratings", queryset=ratings, to_attr="rating_rows"))
        .first()
    )
    if worksheet is not None:
        worksheet.rating_rows.sort(key=lambda r: rules.ref_sort_key(r.goal.ref))
    return worksheet


def week_ratings(episode, week):
    """{goal id: GoalRating} of the episode's worksheet of ``week`` (e.g. last week's). One query."""
    rows = GoalRating.objects.filter(worksheet__episode=episode, worksheet__week=week)
    return {r.goal_id: r for r in rows}


def on_track_rating(episode):
    """The on-track threshold of the episode's site and level of care (Criteria). One query."""
    return criteria_for(episode.site_id, episode.level_of_care).on_track_rating


@dataclass
class GoalRow:
    goal: Goal
    latest: GoalRating | None = None
    cells: list = field(default_factory=list)  # one GoalRating or None per week of the grid
    revised_as: Goal | None = None  # the goal that replaced this one


@dataclass
class GoalsOverview:
    rows: list  # [GoalRow]
    weeks: list  # the Mondays of the grid, oldest first
    worksheets: list  # newest first
    latest: Worksheet | None
    threshold: int
    on_track: float | None  # share of the goals active in the latest worksheet's week rated >= threshold
    on_track_count: int = 0
    rated_count: int = 0
    counted: int = 0  # every goal active in that week, rated or not
    all_achieved: bool = False  # every goal of the episode achieved: shown "all achieved"
    trend: list = field(default_factory=list)  # per week: {"week", "on_track" %, "mean"} (chart data)


def goals_overview(episode):
    """Everything the Goals tab shows for one episode, in four queries:
    1. the goals (with who set them, the goal each revises and when each was closed);
    2. the worksheets (with who completed them);
    3. every rating of those worksheets;
    4. the site's on-track threshold.
    """
    goals = list(
        Goal.objects.filter(episode=episode).select_related("set_by", "revises").annotate(closed_at=_closed_at())
    )
    goals.sort(key=lambda g: rules.ref_sort_key(g.ref))
    worksheets = list(Worksheet.objects.filter(episode=episode).select_related("completed_by").order_by("-week"))
    ratings = list(GoalRating.objects.filter(worksheet__episode=episode))
    by_sheet_goal = {}
    week_of = {w.pk: w.week for w in worksheets}
    for r in ratings:
        by_sheet_goal[(week_of[r.worksheet_id], r.goal_id)] = r
    weeks = sorted(week_of.values())
    revised_as = {g.revises_id: g for g in goals if g.revises_id}
    rows = []
    for goal in goals:
        cells = [by_sheet_goal.get((week, goal.pk)) for week in weeks]
        latest = next((c for c in reversed(cells) if c is not None), None)
        rows.append(GoalRow(goal=goal, latest=latest, cells=cells, revised_as=revised_as.get(goal.pk)))
    threshold = on_track_rating(episode)
    latest_sheet = worksheets[0] if worksheets else None
    facts = [_goal_fact(g.pk, g.status, g.created_at, g.closed_at) for g in goals]
    ratings_of = defaultdict(dict)  # week → {goal id: rating}
    for (week, goal_id), r in by_sheet_goal.items():
        ratings_of[week][goal_id] = r.rating
    on_track = rules.OnTrack(0, 0, 0)
    if latest_sheet is not None:
        on_track = rules.worksheet_on_track(facts, ratings_of[latest_sheet.week], latest_sheet.week, threshold)
    trend = []
    for i, week in enumerate(weeks):
        values = [row.cells[i].rating for row in rows if row.cells[i] is not None]
        share = rules.worksheet_on_track(facts, ratings_of[week], week, threshold).share
        trend.append(
            {
                "week": week.strftime("%m/%d/%Y"),
                "on_track": None if share is None else round(share * 100),
                "mean": round(sum(values) / len(values), 2) if values else None,
            }
        )
    return GoalsOverview(
        trend=trend,
        rows=rows,
        weeks=weeks,
        worksheets=worksheets,
        latest=latest_sheet,
        threshold=threshold,
        on_track=on_track.share,
        on_track_count=on_track.on_track,
        rated_count=on_track.rated,
        counted=on_track.counted,
        all_achieved=rules.every_goal_achieved(g.status for g in facts),
    )
