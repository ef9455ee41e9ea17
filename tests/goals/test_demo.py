import random
from collections import defaultdict

import pytest
from django.utils import timezone

from clients import demo as clients_demo
from goals import demo
from goals.models import Goal, GoalRating, Worksheet
from goals.queries import goals_overview
from goals.rules import week_problems


@pytest.fixture
def demo_ctx(db):
    ctx = clients_demo.DemoContext(rng=random.Random(7), today=timezone.localdate(), weeks=16)
    clients_demo.seed_users_and_sites(ctx)
    clients_demo.seed_clients(ctx, 24)
    return ctx


def test_demo_goals_and_worksheets_fit_each_story(demo_ctx, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):  # bulk writes: a handful of statements for everyone
        demo.seed(demo_ctx)
    by_story = defaultdict(list)
    for d in demo_ctx.episodes:
        overview = goals_overview(d.episode)  # the Goals tab's share, by goals.rules.worksheet_on_track
        week_ratings = None
        if overview.latest is not None:
            week_ratings = (overview.latest.week, [(r.goal.ref, r.goal.status, r.latest) for r in overview.rows])
        by_story[d.story].append((d, week_ratings, overview.on_track))
        assert 2 <= Goal.objects.filter(episode=d.episode).exclude(revises__isnull=False).count() <= 4

    for story in ("ready_graduate", "ready_step_down", "approaching"):
        for _d, week_ratings, share in by_story[story]:
            assert share is not None and share >= 0.8, (story, week_ratings)
            assert (demo_ctx.today - week_ratings[0]).days <= 14  # recent enough to count
    for d, _week_ratings, _share in by_story["ready_graduate"]:
        statuses = list(Goal.objects.filter(episode=d.episode).values_list("status", flat=True))
        assert statuses.count("achieved") >= len(statuses) / 2  # most goals achieved
    for story in ("struggling", "relapsing"):
        for _d, week_ratings, share in by_story[story]:
            assert share is not None and share < 0.5, (story, week_ratings)
    new_counts = [Worksheet.objects.filter(episode=d.episode).count() for d, *_ in by_story["new"]]
    assert 0 in new_counts  # some new clients have no worksheet yet
    assert Goal.objects.filter(status="revised").exists()
    assert GoalRating.history.count() == GoalRating.objects.count() > 0  # history written
    assert Worksheet.history.count() == Worksheet.objects.count()
    for d in demo_ctx.episodes:  # every worksheet is a Monday inside its episode, none in the future
        episode = d.episode
        for week in Worksheet.objects.filter(episode=episode).values_list("week", flat=True):
            assert (
                week_problems(
                    week=week, today=demo_ctx.today, admitted_on=episode.admitted_on, ended_on=episode.ended_on
                )
                == []
            )
