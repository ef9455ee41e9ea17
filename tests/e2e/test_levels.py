"""Issue 14: the decision form fills in the new level's default weekly hours; the OP episode's
Progress says step-down is not applicable."""

import pytest
from playwright.sync_api import expect

from clients.models import Episode
from tests.dashboard.progress_data import history_build
from tests.e2e.conftest import assert_accessible, login


@pytest.fixture
def ready_client(episode1, therapist):
    history_build(episode1, weeks=6, author=therapist)
    return episode1


def test_the_decision_form_fills_in_each_levels_hours_and_op_progress_says_not_applicable(
    page, ready_client, casemanager
):
    login(page, "casemanager")
    page.goto(f"/clients/{ready_client.client_id}/decisions/new/")
    hours = page.get_by_label("Required weekly hours at the new level")
    page.get_by_label("Step up", exact=True).check()
    expect(hours).to_have_value("20")
    page.get_by_label("Step down to outpatient").check()
    expect(hours).to_have_value("1")
    assert_accessible(page)
    page.get_by_label("Rationale").fill("Meets every step-down criterion; starts a day job next week.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded: Step down to outpatient.")).to_be_visible()
    op = Episode.objects.get(ref="RIC-0001-2")
    assert (op.level_of_care, op.required_weekly_hours) == ("OP", 1)
    expect(page.get_by_text("Not applicable at this level of care")).to_be_visible()
    assert_accessible(page)
