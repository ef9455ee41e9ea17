import datetime as dt

from goals import queries, services
from goals.models import Goal
from programs.models import Criteria
from tests.factories import EpisodeFactory, GoalFactory, GoalRatingFactory, WorksheetFactory


def _episode_with_history(site, weeks, goals, this_week, rating=3):
    """An episode with ``goals`` goals rated ``rating`` on each of the last ``weeks`` weeks."""
    episode = EpisodeFactory(site=site, admitted_on=this_week - dt.timedelta(weeks=weeks + 1))
    made = [GoalFactory(episode=episode, ref=f"G{i + 1}") for i in range(goals)]
    for w in range(weeks):
        sheet = WorksheetFactory(episode=episode, week=this_week - dt.timedelta(weeks=w))
        for goal in made:
            GoalRatingFactory(worksheet=sheet, goal=goal, rating=rating)
    return episode


def test_latest_worksheets_gives_each_episodes_latest_week_and_ratings(site1, this_week, last_week):
    a = EpisodeFactory(site=site1)
    g1, g2 = GoalFactory(episode=a, ref="G1"), GoalFactory(episode=a, ref="G2", status=Goal.Status.ACHIEVED)
    old = WorksheetFactory(episode=a, week=last_week)
    GoalRatingFactory(worksheet=old, goal=g1, rating=1)
    new = WorksheetFactory(episode=a, week=this_week)
    GoalRatingFactory(worksheet=new, goal=g2, rating=4)
    GoalRatingFactory(worksheet=new, goal=g1, rating=3)
    b = EpisodeFactory(site=site1)  # no worksheet: absent
    assert queries.latest_worksheets([a.pk, b.pk]) == {a.pk: (this_week, [("G1", "active", 3), ("G2", "achieved", 4)])}
    assert queries.latest_worksheets([]) == {}


def test_latest_worksheets_runs_two_queries_for_3_or_15_episodes(site1, this_week, django_assert_num_queries):
    few = [_episode_with_history(site1, 2, 2, this_week).pk for _ in range(3)]
    with django_assert_num_queries(2):  # 1. latest worksheet per episode (subquery) 2. their ratings + goals
        assert len(queries.latest_worksheets(few)) == 3
    many = few + [_episode_with_history(site1, 4, 4, this_week).pk for _ in range(12)]
    with django_assert_num_queries(2):
        result = queries.latest_worksheets(many)
    assert len(result) == 15 and all(len(r[1]) in (2, 4) for r in result.values())


def test_worksheet_for_week_returns_the_week_with_ratings_in_goal_order(
    episode1, two_goals, this_week, last_week, django_assert_num_queries
):
    services.worksheet_save(
        episode=episode1, week=this_week, ratings={two_goals[1].pk: (2, "b"), two_goals[0].pk: (4, "a")}
    )
    with django_assert_num_queries(2):  # the worksheet (+ who completed it), its ratings + goals
        sheet = queries.worksheet_for_week(episode1, this_week)
        rows = [(r.goal.ref, r.rating, r.reflection) for r in sheet.rating_rows]
    assert rows == [("G1", 4, "a"), ("G2", 2, "b")]
    assert queries.worksheet_for_week(episode1, last_week) is None


def test_goals_overview_builds_the_grid_and_share_on_track(episode1, two_goals, this_week, last_week):
    g1, g2 = two_goals
    services.worksheet_save(episode=episode1, week=last_week, ratings={g1.pk: (1, ""), g2.pk: (2, "")})
    services.worksheet_save(episode=episode1, week=this_week, ratings={g1.pk: (3, ""), g2.pk: (2, "")})
    overview = queries.goals_overview(episode1)
    assert overview.weeks == [last_week, this_week]
    assert [[c.rating for c in row.cells] for row in overview.rows] == [[1, 3], [2, 2]]
    assert [row.latest.rating for row in overview.rows] == [3, 2]
    assert (overview.on_track, overview.on_track_count, overview.rated_count, overview.threshold) == (0.5, 1, 2, 3)


def test_goals_overview_uses_the_sites_on_track_rating(episode1, two_goals, this_week):
    Criteria.objects.create(site=episode1.site, on_track_rating=2)
    services.worksheet_save(
        episode=episode1, week=this_week, ratings={two_goals[0].pk: (3, ""), two_goals[1].pk: (2, "")}
    )
    assert queries.goals_overview(episode1).on_track == 1.0


def test_goals_overview_counts_only_active_goals_on_track(episode1, two_goals, this_week):
    services.worksheet_save(
        episode=episode1, week=this_week, ratings={two_goals[0].pk: (4, ""), two_goals[1].pk: (1, "")}
    )
    services.goal_status_set(goal=two_goals[0], status="achieved")
    assert queries.goals_overview(episode1).on_track == 0.0
