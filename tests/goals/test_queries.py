import datetime as dt

from goals import queries, rules, services
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


def test_goals_overview_counts_every_goal_active_in_the_worksheets_week(episode1, two_goals, this_week):
    services.worksheet_save(
        episode=episode1, week=this_week, ratings={two_goals[0].pk: (4, ""), two_goals[1].pk: (1, "")}
    )
    services.goal_status_set(goal=two_goals[0], status="achieved")  # achieved after: it was active that week
    overview = queries.goals_overview(episode1)
    assert (overview.on_track, overview.counted) == (0.5, 2)


def test_goals_overview_an_unrated_active_goal_is_not_on_track(episode1, two_goals, this_week):
    services.worksheet_save(
        episode=episode1, week=this_week, ratings={two_goals[0].pk: (4, ""), two_goals[1].pk: (3, "")}
    )
    GoalFactory(episode=episode1, ref="G3")  # set this week, after the worksheet: active, unrated
    overview = queries.goals_overview(episode1)
    assert (overview.on_track, overview.on_track_count, overview.counted, overview.rated_count) == (2 / 3, 2, 3, 2)


def test_goals_overview_says_all_achieved(episode1, two_goals, this_week):
    for goal in two_goals:
        services.goal_status_set(goal=goal, status="achieved")
    assert queries.goals_overview(episode1).all_achieved


def test_goal_facts_read_when_each_goal_was_set_and_closed_in_one_query(episode1, two_goals, django_assert_num_queries):
    services.goal_status_set(goal=two_goals[0], status="achieved")
    with django_assert_num_queries(1):
        facts = {fact.key: fact for _, fact in queries.goal_facts(Goal.objects.all())}
    today = dt.date.today()
    assert facts[two_goals[0].pk].status == "achieved" and facts[two_goals[0].pk].closed_on is not None
    assert facts[two_goals[1].pk].closed_on is None and facts[two_goals[1].pk].set_on <= today
    assert rules.GoalFact(1, "active", set_on=today).active_in_week(today)
