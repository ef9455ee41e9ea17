"""Reads of goals and worksheets for many rows, in a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Subquery

from goals import rules
from goals.models import Goal, GoalRating, Worksheet
from programs.models import Criteria

DEFAULT_ON_TRACK_RATING = Criteria._meta.get_field("on_track_rating").default


def latest_worksheets(episode_ids):
    """{episode_id: (week, [(goal_ref, goal_status, rating), …])} for each episode's latest
    worksheet (episodes without one are absent). Two queries whatever the number of episodes:
    1. the latest worksheet of each episode (a subquery picks its week);
    2. the ratings of those worksheets with their goals.
    """
    episode_ids = list(episode_ids)
    if not episode_ids:
        return {}
    latest_week = Worksheet.objects.filter(episode=OuterRef("episode")).order_by("-week").values("week")[:1]
    sheets = {
        pk: (episode_id, week)
        for pk, episode_id, week in Worksheet.objects.filter(
            episode_id__in=episode_ids, week=Subquery(latest_week)
        ).values_list("pk", "episode_id", "week")
    }
    result = {episode_id: (week, []) for episode_id, week in sheets.values()}
    rows = GoalRating.objects.filter(worksheet_id__in=sheets).values_list(
        "worksheet_id", "goal__ref", "goal__status", "rating"
    )
    for worksheet_id, ref, status, rating in rows:
        result[sheets[worksheet_id][0]][1].append((ref, status, rating))
    for _week, ratings in result.values():
        ratings.sort(key=lambda r: rules.ref_sort_key(r[0]))
    return result


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


def on_track_rating(site_id):
    """The site's on-track threshold (Criteria), or the default. One query."""
    value = Criteria.objects.filter(site_id=site_id).values_list("on_track_rating", flat=True).first()
    return DEFAULT_ON_TRACK_RATING if value is None else value


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
    on_track: float | None  # share of the latest worksheet's active goals rated >= threshold
    on_track_count: int = 0
    rated_count: int = 0
    trend: list = field(default_factory=list)  # per week: {"week", "on_track" %, "mean"} (chart data)


def goals_overview(episode):
    """Everything the Goals tab shows for one episode, in four queries:
    1. the goals (with who set them and the goal each revises);
    2. the worksheets (with who completed them);
    3. every rating of those worksheets;
    4. the site's on-track threshold.
    """
    goals = list(Goal.objects.filter(episode=episode).select_related("set_by", "revises"))
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
    threshold = on_track_rating(episode.site_id)
    latest_sheet = worksheets[0] if worksheets else None
    on_track, count, rated = None, 0, 0
    if latest_sheet is not None:
        status = {g.pk: g.status for g in goals}
        latest_ratings = [
            r.rating
            for (week, goal_id), r in by_sheet_goal.items()
            if week == latest_sheet.week and status[goal_id] == Goal.Status.ACTIVE
        ]
        on_track = rules.on_track_share(latest_ratings, threshold)
        rated, count = len(latest_ratings), sum(1 for r in latest_ratings if r >= threshold)
    trend = []
    for i, week in enumerate(weeks):
        values = [row.cells[i].rating for row in rows if row.cells[i] is not None]
        share = rules.on_track_share(values, threshold)
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
        on_track=on_track,
        on_track_count=count,
        rated_count=rated,
    )
