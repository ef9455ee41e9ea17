import datetime as dt

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from goals import services
from goals.models import Goal, GoalRating, Worksheet
from tests.factories import GoalFactory, GoalRatingFactory


def tab(episode):
    return reverse("goals:client", args=[episode.client_id])


def sheet_url(episode, week):
    return f"{reverse('goals:worksheet', args=[episode.pk])}?week={week:%Y-%m-%d}"


def sheet_post(goals, week, ratings, reflection="", version=""):
    data = {"week": f"{week:%Y-%m-%d}", "version": version, "reflection": reflection}
    for goal, rating in zip(goals, ratings, strict=True):
        data[f"rating_{goal.pk}"] = rating
        data[f"note_{goal.pk}"] = f"about {goal.ref}"
    return data


def test_goals_tab_shows_goals_latest_rating_grid_and_share_on_track(as_therapist, episode1, two_goals, this_week):
    services.worksheet_save(
        episode=episode1, week=this_week, ratings={two_goals[0].pk: (4, ""), two_goals[1].pk: (2, "")}
    )
    response = as_therapist.get(tab(episode1))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Stay sober at work events" in text and "Eat dinner with my kids" in text
    assert "4 Achieved" in text and "2 Some" in text  # latest ratings, with words
    assert "50 %" in text and "1 of 2 active that week rated 3 or higher" in text
    assert this_week.strftime("%m/%d") in text  # the grid's week column
    assert AccessEvent.objects.filter(client=episode1.client, user__username="therapist").exists()


def test_goals_tab_shows_who_set_a_goal_and_the_revised_wording(as_therapist, episode1, two_goals, therapist):
    services.goal_revise(goal=two_goals[0], statement="Stay sober at every social event", by=therapist)
    text = as_therapist.get(tab(episode1)).content.decode()
    assert "Stay sober at work events" in text and "Stay sober at every social event" in text
    assert "Revises G1" in text and "Revised as G3" in text
    assert therapist.get_full_name() in text


@pytest.mark.parametrize("persona, status", [("as_therapist", 200), ("as_casemanager", 200), ("as_therapist2", 404)])
def test_goal_pages_are_scoped_to_the_users_sites(request, episode1, two_goals, this_week, persona, status):
    http = request.getfixturevalue(persona)
    assert http.get(tab(episode1)).status_code == status
    assert http.get(sheet_url(episode1, this_week)).status_code == status


def test_therapist2_cannot_post_to_another_sites_goal(as_therapist2, two_goals):
    response = as_therapist2.post(reverse("goals:goal_status", args=[two_goals[0].pk]), {"status": "achieved"})
    assert response.status_code == 404
    assert Goal.objects.get(pk=two_goals[0].pk).status == "active"


def test_case_manager_reads_but_may_not_write_goals_or_worksheets(as_casemanager, episode1, two_goals, this_week):
    assert as_casemanager.get(reverse("goals:goal_add", args=[episode1.pk])).status_code == 403
    response = as_casemanager.post(sheet_url(episode1, this_week), sheet_post(two_goals, this_week, [3, 3]))
    assert response.status_code == 403
    assert (
        as_casemanager.post(reverse("goals:goal_status", args=[two_goals[0].pk]), {"status": "achieved"}).status_code
        == 403
    )
    assert not Worksheet.objects.exists()


def test_case_manager_sees_a_worksheet_read_only(as_casemanager, episode1, two_goals, this_week):
    services.worksheet_save(
        episode=episode1, week=this_week, ratings={two_goals[0].pk: (4, ""), two_goals[1].pk: (1, "")}
    )
    text = as_casemanager.get(sheet_url(episode1, this_week)).content.decode()
    assert 'value="4" selected' in text and "disabled" in text
    assert "Save worksheet" not in text


def test_therapist_adds_a_goal(as_therapist, episode1, therapist):
    response = as_therapist.post(
        reverse("goals:goal_add", args=[episode1.pk]),
        {
            "area": "employment_education",
            "statement": "Get my GED",
            "objective": "Pass 2 of 4 tests",
            "target_date": "2030-01-15",
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert (goal.ref, goal.area, goal.set_by, goal.target_date) == (
        "G1",
        "employment_education",
        therapist,
        dt.date(2030, 1, 15),
    )


def test_adding_a_goal_without_a_statement_shows_the_error_and_saves_nothing(as_therapist, episode1):
    response = as_therapist.post(reverse("goals:goal_add", args=[episode1.pk]), {"area": "legal", "statement": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Goal.objects.exists()


def test_therapist_revises_a_goal(as_therapist, episode1, two_goals):
    url = reverse("goals:goal_revise", args=[two_goals[1].pk])
    assert "Eat dinner with my kids" in as_therapist.get(url).content.decode()  # starts from the old wording
    response = as_therapist.post(
        url, {"area": "family", "statement": "Eat dinner with my kids on weekends", "objective": "Saturday and Sunday"}
    )
    assert response.status_code == 302
    assert dict(Goal.objects.values_list("ref", "status")) == {"G1": "active", "G2": "revised", "G3": "active"}
    assert Goal.objects.get(ref="G3").revises == two_goals[1]


def test_therapist_marks_a_goal_achieved(as_therapist, episode1, two_goals):
    response = as_therapist.post(reverse("goals:goal_status", args=[two_goals[0].pk]), {"status": "achieved"})
    assert response.status_code == 302
    assert Goal.objects.get(pk=two_goals[0].pk).status == "achieved"
    assert "G1 marked achieved" in as_therapist.get(response["Location"]).content.decode()


def test_goal_status_is_post_only(as_therapist, two_goals):
    assert as_therapist.get(reverse("goals:goal_status", args=[two_goals[0].pk])).status_code == 405


def test_therapist_fills_this_weeks_worksheet(as_therapist, episode1, two_goals, this_week, therapist):
    url = sheet_url(episode1, this_week)
    assert "No worksheet for this week yet" in as_therapist.get(url).content.decode()
    response = as_therapist.post(url, sheet_post(two_goals, this_week, [3, 2], reflection="Hard but ok"))
    assert response.status_code == 302
    sheet = Worksheet.objects.get()
    assert (sheet.week, sheet.completed_by, sheet.reflection) == (this_week, therapist, "Hard but ok")
    assert dict(GoalRating.objects.values_list("goal__ref", "rating")) == {"G1": 3, "G2": 2}


def test_opening_a_week_already_done_opens_that_worksheet_for_editing(as_therapist, episode1, two_goals, this_week):
    as_therapist.post(sheet_url(episode1, this_week), sheet_post(two_goals, this_week, [3, 2], reflection="First"))
    text = as_therapist.get(sheet_url(episode1, this_week)).content.decode()
    assert "version 0" in text and "First" in text
    assert 'value="3" selected' in text
    response = as_therapist.post(sheet_url(episode1, this_week), sheet_post(two_goals, this_week, [4, 2], version=0))
    assert response.status_code == 302
    assert Worksheet.objects.count() == 1
    assert dict(GoalRating.objects.values_list("goal__ref", "rating")) == {"G1": 4, "G2": 2}


def test_concurrent_worksheet_edit_is_told_it_changed_and_nothing_is_overwritten(
    as_therapist, episode1, two_goals, this_week
):
    url = sheet_url(episode1, this_week)
    as_therapist.post(url, sheet_post(two_goals, this_week, [2, 2]))
    as_therapist.post(url, sheet_post(two_goals, this_week, [3, 3], reflection="Theirs", version=0))
    response = as_therapist.post(url, sheet_post(two_goals, this_week, [0, 0], reflection="Mine", version=0))
    assert response.status_code == 200
    text = response.content.decode()
    assert "changed by someone else since you opened it" in text
    assert "Theirs" in text  # the current state is shown
    assert Worksheet.objects.get().reflection == "Theirs"
    assert dict(GoalRating.objects.values_list("goal__ref", "rating")) == {"G1": 3, "G2": 3}


@pytest.mark.parametrize("rating", ["5", "-1", "x"])
def test_worksheet_rating_out_of_range_is_refused_with_a_message(as_therapist, episode1, two_goals, this_week, rating):
    response = as_therapist.post(sheet_url(episode1, this_week), sheet_post(two_goals, this_week, ["3", rating]))
    assert response.status_code == 200
    assert "A rating must be from 0 (none) to 4 (achieved)." in response.content.decode()
    assert not Worksheet.objects.exists()


def test_worksheet_without_a_rating_for_an_active_goal_is_refused(as_therapist, episode1, two_goals, this_week):
    response = as_therapist.post(sheet_url(episode1, this_week), sheet_post(two_goals, this_week, ["3", ""]))
    assert "Rate this goal from 0 to 4." in response.content.decode()
    assert not Worksheet.objects.exists()


@pytest.mark.parametrize(
    "offset_days, message",
    [
        (7, "is in the future"),
        (2, "must start on a Monday"),
        (-7 * 20, "before the admission"),
    ],
)
def test_worksheet_for_a_bad_week_is_refused(as_therapist, episode1, two_goals, this_week, offset_days, message):
    week = this_week + dt.timedelta(days=offset_days)
    assert message in as_therapist.get(sheet_url(episode1, week)).content.decode()
    response = as_therapist.post(sheet_url(episode1, week), sheet_post(two_goals, week, [3, 3]))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Worksheet.objects.exists()


def test_worksheet_with_an_unreadable_week_is_refused(as_therapist, episode1, two_goals, this_week):
    response = as_therapist.post(
        sheet_url(episode1, this_week), {**sheet_post(two_goals, this_week, [3, 3]), "week": "soon"}
    )
    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()
    assert not Worksheet.objects.exists()


def _history(episode, goals, weeks):
    """Ratings of ``goals`` new goals over the ``weeks`` weeks before this one."""
    this_week = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    start = Goal.objects.filter(episode=episode).count()
    made = [GoalFactory(episode=episode, ref=f"G{start + i + 1}") for i in range(goals)]
    for w in range(weeks):
        sheet, _ = Worksheet.objects.get_or_create(episode=episode, week=this_week - dt.timedelta(weeks=w))
        for goal in made:
            GoalRatingFactory(worksheet=sheet, goal=goal, rating=w % 5)


def test_goals_tab_query_count_is_the_same_for_3_and_15_goals_and_weeks(
    as_therapist, episode1, django_assert_num_queries
):
    _history(episode1, 3, 3)
    url = tab(episode1)
    as_therapist.get(url)  # warm the session
    # 12 = session, user, savepoint (ATOMIC_REQUESTS), client (scoped), access event insert,
    # episodes, goals, worksheets, ratings, criteria, the user's permissions (user + group: one
    # query), release; event sealed after commit (audit/chain.py)
    with django_assert_num_queries(12) as small:
        assert as_therapist.get(url).status_code == 200
    _history(episode1, 12, 15)
    with django_assert_num_queries(len(small.captured_queries)):
        response = as_therapist.get(url)
    assert response.content.decode().count('<th scope="row" class="text-start">G') == 15


def test_worksheet_page_query_count_is_the_same_for_3_and_15_goals(
    as_therapist, episode1, this_week, django_assert_num_queries
):
    _history(episode1, 3, 3)
    url = sheet_url(episode1, this_week)
    as_therapist.get(url)  # warm the session
    # 12 = session, user, savepoint, episode (scoped), client (scoped), access event, episodes,
    # worksheet, its ratings + goals, the goals to rate, the user's permissions (user + group:
    # one query), release; event sealed after commit (audit/chain.py);
    # +1 last week's ratings shown beside each goal (issue 15)
    with django_assert_num_queries(12 + 1) as small:
        assert as_therapist.get(url).status_code == 200
    _history(episode1, 12, 15)
    with django_assert_num_queries(len(small.captured_queries)):
        response = as_therapist.get(url)
    assert response.content.decode().count("<legend") == 15


def test_the_worksheet_shows_last_weeks_rating_beside_each_goal(
    as_therapist, episode1, two_goals, last_week, this_week
):
    g1, g2 = two_goals
    as_therapist.post(sheet_url(episode1, last_week), sheet_post([g1, g2], last_week, ["3", "1"]))
    body = as_therapist.get(sheet_url(episode1, this_week)).content.decode()
    assert f"Last week ({last_week:%m/%d/%Y}): <strong>3 – Good</strong>" in body
    assert f"Last week ({last_week:%m/%d/%Y}): <strong>1 – Minimal</strong>" in body


def test_a_goal_past_its_target_date_is_marked_overdue(as_therapist, episode1, two_goals, this_week):
    g1, g2 = two_goals
    past = dt.date.today() - dt.timedelta(days=3)
    Goal.objects.filter(pk=g1.pk).update(target_date=past)
    Goal.objects.filter(pk=g2.pk).update(target_date=dt.date.today() + dt.timedelta(days=30))
    body = as_therapist.get(sheet_url(episode1, this_week)).content.decode()
    assert body.count("Overdue since") == 1
    assert f"Overdue since {past:%m/%d/%Y}" in body
