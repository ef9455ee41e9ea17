import datetime as dt

from playwright.sync_api import expect

from goals import services
from goals.models import GoalRating, Worksheet
from tests.e2e.conftest import assert_accessible, login
from tests.factories import monday


def test_therapist_fills_this_weeks_worksheet_and_reopens_it(page, episode1, therapist):
    goals = [
        services.goal_add(episode=episode1, area=area, statement=statement, objective="Weekly", by=therapist)
        for area, statement in [("substance_use", "Stay sober at work events"), ("family", "Eat dinner with my kids")]
    ]
    last_week = monday() - dt.timedelta(weeks=1)
    services.worksheet_save(episode=episode1, week=last_week, ratings={g.pk: (1, "") for g in goals}, by=therapist)
    login(page, "therapist")
    page.goto(f"/goals/client/{episode1.client_id}/")
    expect(page.get_by_role("heading", name="Treatment goals")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="This week's worksheet").click()
    page.wait_for_load_state()
    expect(page.get_by_text("No worksheet for this week yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("G1 rating").select_option("3")
    page.get_by_label("G1 reflection").fill("Left the party early")
    page.get_by_label("G2 rating").select_option("4")
    page.get_by_label("Client's overall reflection on the week").fill("A good week")
    page.get_by_role("button", name="Save worksheet").click()
    page.wait_for_load_state()

    expect(page.get_by_text("saved").first).to_be_visible()
    expect(page.get_by_text("100 %")).to_be_visible()  # both goals on track
    expect(page.locator("#goals-chart")).to_be_visible()  # two weeks now: the chart draws (no JS error)
    assert_accessible(page)
    assert dict(GoalRating.objects.values_list("goal__ref", "rating")) == {"G1": 3, "G2": 4}

    page.get_by_role("link", name="This week's worksheet").click()  # reopen: the same week, filled in
    page.wait_for_load_state()
    expect(page.get_by_label("G1 rating")).to_have_value("3")
    expect(page.get_by_label("G2 rating")).to_have_value("4")
    expect(page.get_by_label("G1 reflection")).to_have_value("Left the party early")
    expect(page.get_by_label("Client's overall reflection on the week")).to_have_value("A good week")
    page.get_by_label("G2 rating").select_option("2")
    page.get_by_role("button", name="Save worksheet").click()
    page.wait_for_load_state()
    assert Worksheet.objects.filter(week=monday()).count() == 1
    assert dict(GoalRating.objects.values_list("goal__ref", "rating")) == {"G1": 3, "G2": 2}
    assert_accessible(page)
