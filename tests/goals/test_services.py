import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from goals import services
from goals.models import Goal, GoalRating, Worksheet
from iop.errors import StaleEdit
from tests.factories import EpisodeFactory, WorksheetFactory


def test_goal_refs_are_assigned_g1_g2_per_episode(two_goals, site1):
    assert [g.ref for g in two_goals] == ["G1", "G2"]
    other = EpisodeFactory(site=site1)
    goal = services.goal_add(episode=other, area="housing", statement="Find a stable place")
    assert goal.ref == "G1"


def test_goal_add_refuses_an_unknown_area_and_saves_nothing(episode1):
    with pytest.raises(ValidationError) as exc:
        services.goal_add(episode=episode1, area="astrology", statement="x")
    assert "area" in exc.value.message_dict
    assert not Goal.objects.exists()


def test_goal_add_refuses_an_ended_episode(site1):
    ended = EpisodeFactory(site=site1, status="graduated", ended_on=dt.date.today())
    with pytest.raises(ValidationError, match="active episode"):
        services.goal_add(episode=ended, area="housing", statement="Find a stable place")


def test_revising_a_goal_keeps_the_old_wording_and_links_the_new_one(two_goals, therapist):
    old = two_goals[0]
    new = services.goal_revise(goal=old, statement="Stay sober at every social event", by=therapist)
    old.refresh_from_db()
    assert old.status == Goal.Status.REVISED
    assert old.statement == "Stay sober at work events"  # the old wording is kept
    assert (new.ref, new.revises, new.status) == ("G3", old, Goal.Status.ACTIVE)
    assert new.statement == "Stay sober at every social event"
    assert new.area == old.area and new.objective == old.objective  # unchanged fields carry over
    assert old.history.first().history_change_reason == "Revised as G3"


def test_a_revised_goal_cannot_be_revised_again(two_goals):
    services.goal_revise(goal=two_goals[0], statement="New wording")
    with pytest.raises(ValidationError, match="Only an active goal"):
        services.goal_revise(goal=two_goals[0], statement="Again")
    assert Goal.objects.count() == 3


@pytest.mark.parametrize("status", ["achieved", "discontinued"])
def test_goal_status_set_closes_an_active_goal_with_history(two_goals, therapist, status):
    goal = services.goal_status_set(goal=two_goals[0], status=status, by=therapist)
    assert goal.status == status
    assert goal.history.first().history_user == therapist


@pytest.mark.parametrize("status", ["revised", "active", "bogus"])
def test_goal_status_set_refuses_other_statuses(two_goals, status):
    with pytest.raises(ValidationError):
        services.goal_status_set(goal=two_goals[0], status=status)
    assert Goal.objects.get(pk=two_goals[0].pk).status == "active"


def test_goal_status_set_refuses_a_closed_goal(two_goals):
    services.goal_status_set(goal=two_goals[0], status="achieved")
    with pytest.raises(ValidationError, match="already achieved"):
        services.goal_status_set(goal=two_goals[0], status="discontinued")


def _ratings(goals, *values):
    return {g.pk: (v, f"note {g.ref}") for g, v in zip(goals, values, strict=True)}


def test_worksheet_save_creates_the_week_with_ratings_and_history(episode1, two_goals, therapist, this_week):
    sheet = services.worksheet_save(
        episode=episode1, week=this_week, ratings=_ratings(two_goals, 3, 1), reflection="Good week", by=therapist
    )
    assert (sheet.week, sheet.version, sheet.completed_by, sheet.reflection) == (this_week, 0, therapist, "Good week")
    assert sorted(GoalRating.objects.values_list("goal__ref", "rating", "reflection")) == [
        ("G1", 3, "note G1"),
        ("G2", 1, "note G2"),
    ]
    assert GoalRating.history.count() == 2  # bulk writes still leave history rows
    assert Worksheet.history.count() == 1


def test_saving_a_week_again_updates_that_worksheet_instead_of_making_a_second(
    episode1, two_goals, therapist, this_week
):
    services.worksheet_save(episode=episode1, week=this_week, ratings=_ratings(two_goals, 3, 1), by=therapist)
    sheet = services.worksheet_save(
        episode=episode1, week=this_week, ratings=_ratings(two_goals, 4, 1), reflection="Edited", version=0
    )
    assert Worksheet.objects.count() == 1
    assert sheet.version == 1
    assert dict(GoalRating.objects.values_list("goal__ref", "rating")) == {"G1": 4, "G2": 1}
    assert GoalRating.history.filter(history_type="~").count() == 1  # only the changed rating rewritten


def test_a_concurrent_save_is_told_it_changed_and_nothing_is_overwritten(episode1, two_goals, this_week):
    services.worksheet_save(episode=episode1, week=this_week, ratings=_ratings(two_goals, 2, 2))
    services.worksheet_save(episode=episode1, week=this_week, ratings=_ratings(two_goals, 3, 3), version=0)  # first
    with pytest.raises(StaleEdit, match="changed by someone else"):
        services.worksheet_save(  # second user also opened version 0
            episode=episode1, week=this_week, ratings=_ratings(two_goals, 0, 0), reflection="Mine", version=0
        )
    sheet = Worksheet.objects.get()
    assert (sheet.version, sheet.reflection) == (1, "")
    assert dict(GoalRating.objects.values_list("goal__ref", "rating")) == {"G1": 3, "G2": 3}


def test_a_new_worksheet_form_loses_to_one_saved_meanwhile(episode1, two_goals, this_week):
    services.worksheet_save(episode=episode1, week=this_week, ratings=_ratings(two_goals, 3, 3))
    with pytest.raises(StaleEdit):
        services.worksheet_save(episode=episode1, week=this_week, ratings=_ratings(two_goals, 0, 0), version=None)
    assert dict(GoalRating.objects.values_list("goal__ref", "rating")) == {"G1": 3, "G2": 3}


@pytest.mark.parametrize(
    "weeks_offset, message",
    [
        (1, "in the future"),
        (-20, "before the admission"),  # episode1 was admitted 8 weeks ago
    ],
)
def test_worksheet_for_a_bad_week_is_refused_and_nothing_saved(episode1, two_goals, this_week, weeks_offset, message):
    week = this_week + dt.timedelta(weeks=weeks_offset)
    with pytest.raises(ValidationError, match=message):
        services.worksheet_save(episode=episode1, week=week, ratings=_ratings(two_goals, 3, 3))
    assert not Worksheet.objects.exists() and not GoalRating.objects.exists()


def test_worksheet_week_must_be_a_monday(episode1, two_goals, this_week):
    with pytest.raises(ValidationError, match="Monday"):
        services.worksheet_save(
            episode=episode1, week=this_week - dt.timedelta(days=5), ratings=_ratings(two_goals, 3, 3)
        )
    assert not Worksheet.objects.exists()


def test_worksheet_after_the_episode_ended_is_refused(episode1, two_goals, this_week):
    episode1.status, episode1.ended_on = "discharged", this_week - dt.timedelta(weeks=2)
    episode1.save()
    with pytest.raises(ValidationError, match="not active"):
        services.worksheet_save(episode=episode1, week=this_week, ratings=_ratings(two_goals, 3, 3))
    assert not Worksheet.objects.exists()


@pytest.mark.parametrize("bad", [5, -1, None, "3"])
def test_rating_out_of_range_is_refused_and_nothing_saved(episode1, two_goals, this_week, bad):
    with pytest.raises(ValidationError, match="G2: A rating must be"):
        services.worksheet_save(
            episode=episode1, week=this_week, ratings={**_ratings(two_goals, 3, 3), two_goals[1].pk: (bad, "")}
        )
    assert not Worksheet.objects.exists() and not GoalRating.objects.exists()


def test_every_active_goal_must_be_rated(episode1, two_goals, this_week):
    with pytest.raises(ValidationError, match="G2"):
        services.worksheet_save(episode=episode1, week=this_week, ratings={two_goals[0].pk: (3, "")})
    assert not Worksheet.objects.exists()


def test_a_rating_for_another_episodes_goal_is_refused(episode1, two_goals, this_week, site1):
    stranger = services.goal_add(episode=EpisodeFactory(site=site1), area="legal", statement="Finish probation")
    ratings = {**_ratings(two_goals, 3, 3), stranger.pk: (4, "")}
    with pytest.raises(ValidationError, match="not on this worksheet"):
        services.worksheet_save(episode=episode1, week=this_week, ratings=ratings)
    assert not GoalRating.objects.exists()


def test_a_closed_goal_keeps_its_rating_when_an_old_week_is_edited(episode1, two_goals, last_week):
    services.worksheet_save(episode=episode1, week=last_week, ratings=_ratings(two_goals, 4, 2))
    services.goal_status_set(goal=two_goals[0], status="achieved")
    services.worksheet_save(episode=episode1, week=last_week, ratings={two_goals[1].pk: (3, "")}, version=0)
    assert dict(GoalRating.objects.values_list("goal__ref", "rating")) == {"G1": 4, "G2": 3}


def test_the_database_allows_one_worksheet_per_episode_and_week(episode1, this_week):
    WorksheetFactory(episode=episode1, week=this_week)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorksheetFactory(episode=episode1, week=this_week)


def test_the_database_refuses_a_rating_above_4(episode1, two_goals, this_week):
    sheet = WorksheetFactory(episode=episode1, week=this_week)
    with pytest.raises(IntegrityError), transaction.atomic():
        GoalRating.objects.create(worksheet=sheet, goal=two_goals[0], rating=5)
