"""The case manager's path: caseload → ready to step down → the client's progress → step-down."""

import re

import pytest
from playwright.sync_api import expect

from clients.models import Episode
from dashboard.models import Decision
from tests.dashboard.progress_data import history_build
from tests.e2e.conftest import assert_accessible, login
from tests.factories import ClientFactory, EpisodeFactory


@pytest.fixture
def ready_client(episode1, therapist):
    """Ana Diaz (RIC-0001), ready to step down today; Ben Cole, in the same track, is not."""
    history_build(episode1, weeks=6, author=therapist)
    EpisodeFactory(
        client=ClientFactory(mrn="RIC-0002", first_name="Ben", last_name="Cole"),
        site=episode1.site,
        track=episode1.track,
        primary_therapist=therapist,
        case_manager=episode1.case_manager,
    )
    return episode1


def _filter_ready_to_step_down(page):
    page.get_by_label("Readiness").select_option(label="Ready to step down")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()


def test_progress_page_charts_and_tables_are_accessible(page, ready_client, casemanager):
    login(page, "casemanager")
    page.goto(f"/clients/{ready_client.client_id}/progress/")
    expect(page.get_by_role("heading", name=re.compile("Step-down readiness"))).to_be_visible()
    expect(page.get_by_text("8 weeks in the program (6 required)")).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-hours') !== undefined")
    assert_accessible(page)


def test_case_manager_steps_down_a_ready_client_from_the_caseload(page, ready_client, casemanager):
    login(page, "casemanager")
    page.goto("/")
    # The caseload, filtered to the clients ready to step down.
    expect(page.get_by_role("table").get_by_text("Cole")).to_be_visible()
    _filter_ready_to_step_down(page)
    caseload = page.get_by_role("table")
    expect(caseload.get_by_role("link", name=re.compile("Diaz"))).to_be_visible()
    expect(caseload.get_by_text("Cole")).to_have_count(0)

    # The client's progress page says why.
    caseload.get_by_role("link", name=re.compile("Diaz")).click()
    expect(page.get_by_role("link", name="Progress", exact=True)).to_have_attribute("aria-current", "page")
    step_down = page.get_by_role("region", name=re.compile("Step-down readiness"))
    expect(step_down.get_by_role("heading")).to_have_text("Step-down readiness Ready")
    expect(step_down.get_by_text("8 weeks in the program (6 required)")).to_be_visible()
    expect(step_down.get_by_text(re.compile(r"7 negative screens in a row over \d+ days \(4 required"))).to_be_visible()
    expect(
        step_down.get_by_text(re.compile(r"Latest signed check-in, week of [\d/]+, recommends step down"))
    ).to_be_visible()

    # The step-down.
    page.get_by_role("link", name="Record a decision").click()
    page.get_by_label("Step down to outpatient").check()
    page.get_by_label("Rationale").fill("Meets every step-down criterion; starts a day job next week.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded: Step down to outpatient.")).to_be_visible()
    expect(page.get_by_text("RIC-0001-1 → RIC-0001-2 (OP)")).to_be_visible()

    # Back on the caseload, the client has left the IOP clients ready to step down.
    page.goto("/")
    _filter_ready_to_step_down(page)
    expect(page.get_by_text("No active clients match these filters.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Diaz"))).to_have_count(0)
    # ... and the IOP caseload altogether: the OP episode shows only under "Outpatient".
    page.goto("/")
    expect(page.get_by_role("link", name=re.compile("Diaz"))).to_have_count(0)
    page.get_by_label("Level of care").select_option(label="Outpatient (after step-down)")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=re.compile("Diaz"))).to_be_visible()

    ready_client.refresh_from_db()
    assert ready_client.status == Episode.Status.STEPPED_DOWN
    assert Decision.objects.get().is_override is False
