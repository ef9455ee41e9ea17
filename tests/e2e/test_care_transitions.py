"""Issue 14: a case manager steps a ready client down, records the aftercare plan, and the
Progress tab still tells the story: the fresh outpatient episode points to the IOP episode, and
the switcher opens the IOP episode with the decision that ended it and its stored evidence."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from aftercare.models import AftercarePlan
from clients.models import Episode
from tests.dashboard.progress_data import history_build
from tests.e2e.conftest import assert_accessible, login


def test_step_down_then_aftercare_plan_then_progress_shows_both_episodes(page, episode1, therapist, casemanager):
    history_build(episode1, weeks=6, author=therapist)
    today = timezone.localdate().strftime("%m/%d/%Y")
    login(page, "casemanager")

    # The step-down, from the Progress tab of a ready client.
    page.goto(f"/clients/{episode1.client_id}/progress/")
    expect(page.get_by_role("heading", name=re.compile("Step-down readiness Ready"))).to_be_visible()
    page.get_by_role("link", name="Record a decision").click()
    page.get_by_label("Step down to outpatient").check()
    page.get_by_label("Rationale").fill("Meets every step-down criterion; starts a day job next week.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded: Step down to outpatient.")).to_be_visible()
    op = Episode.objects.get(client=episode1.client, status=Episode.Status.ACTIVE)

    # The fresh OP episode's Progress points to the IOP evidence, not only to empty charts.
    expect(page.get_by_role("heading", name=re.compile(f"Progress of episode {op.ref}"))).to_be_visible()
    note = page.locator("#continues-from")
    expect(note).to_contain_text(f"Continues from IOP episode {episode1.ref}")
    expect(note).to_contain_text(f"stepped down on {today} by {casemanager.get_full_name()}")
    assert_accessible(page)

    # The aftercare plan of the stepped-down IOP episode.
    page.get_by_role("link", name="Aftercare", exact=True).click()
    page.locator(f"#episode-{episode1.pk}").get_by_role("link", name="Record the aftercare plan").click()
    page.get_by_label("Mutual-help meetings per week").fill("2")
    page.get_by_label("Emergency / crisis plan").fill("Call the sponsor; 988 in a crisis.")
    page.get_by_label("Who to call").fill("Sponsor Dana")
    page.get_by_label("Their phone").fill("(804) 555-0171")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("Aftercare plan saved.")).to_be_visible()
    assert AftercarePlan.objects.get(episode=episode1).mutual_help_meetings_per_week == 2

    # Progress again: the note's link opens the IOP episode, judged as of its last day.
    page.get_by_role("link", name="Progress", exact=True).click()
    page.get_by_role("link", name=f"the Progress of episode {episode1.ref}").click()
    expect(page.get_by_role("heading", name=re.compile(f"Progress of episode {episode1.ref}"))).to_be_visible()
    expect(page.get_by_label("Episode", exact=True)).to_have_value(str(episode1.pk))
    decision = page.locator("#ending-decision")
    expect(decision).to_contain_text(f"Decision: stepped down on {today} by {casemanager.get_full_name()}")
    expect(decision).to_contain_text(f"opened OP episode {op.ref}")
    expect(
        page.get_by_text("Rationale: “Meets every step-down criterion; starts a day job next week.”")
    ).to_be_visible()
    expect(page.get_by_text(f"Evidence stored with the decision: the markers as of {today}")).to_be_visible()
    evidence = page.get_by_role("table", name="Step-down readiness: Ready")
    expect(evidence.get_by_role("row", name=re.compile("Time in program 8 6 Met"))).to_be_visible()
    expect(page.get_by_text(re.compile(rf"Criteria as of {today}, the episode's last day"))).to_be_visible()
    expect(page.locator("#continued-by")).to_contain_text(f"Continued as OP episode {op.ref}")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-hours') !== undefined")
    assert_accessible(page)

    # A criterion's record is one click away: the worksheet it relied on.
    page.get_by_role("region", name=re.compile("Step-down readiness")).get_by_role(
        "link", name=re.compile("worksheet of week")
    ).click()
    expect(page.get_by_role("heading", name=re.compile("Goal worksheet — week of"))).to_be_visible()

    # The switcher goes back to the OP episode.
    page.goto(f"/clients/{episode1.client_id}/progress/?episode={episode1.pk}")
    page.get_by_label("Episode", exact=True).select_option(str(op.pk))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=re.compile(f"Progress of episode {op.ref}"))).to_be_visible()
