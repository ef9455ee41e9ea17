"""Issue 14: after a graduation the case manager records the aftercare plan on the Aftercare
tab; the follow-up contacts are already scheduled and the plan prints."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from aftercare.models import AftercarePlan
from dashboard.services import decision_record
from tests.e2e.conftest import assert_accessible, login


def test_graduation_then_the_aftercare_plan_on_the_record(page, casemanager, episode1):
    decision_record(
        episode=episode1,
        kind="graduate",
        rationale="Completed the program; the team agreed at the review meeting today.",
        by=casemanager,
        decided_on=timezone.localdate(),
    )
    login(page, "casemanager")
    page.goto(f"/aftercare/client/{episode1.client.pk}/")
    followups = page.get_by_role("table", name="Follow-up contacts")
    expect(followups).to_contain_text("7 days")
    expect(followups).to_contain_text((timezone.localdate() + dt.timedelta(days=90)).strftime("%m/%d/%Y"))
    assert_accessible(page)

    page.get_by_role("link", name="Record the aftercare plan").click()
    page.get_by_label("Mutual-help meetings per week").fill("3")
    page.get_by_label("Emergency / crisis plan").fill("Call the sponsor; 988 in a crisis.")
    page.get_by_label("Who to call").fill("Sponsor Dana")
    page.get_by_label("Their phone").fill("(804) 555-0171")
    assert_accessible(page)
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("Aftercare plan saved.")).to_be_visible()
    expect(page.locator(f"#episode-{episode1.pk}")).to_contain_text("Sponsor Dana · (804) 555-0171")
    assert AftercarePlan.objects.get(episode=episode1).mutual_help_meetings_per_week == 3

    page.get_by_role("link", name="Print").click()
    expect(page.get_by_role("heading", name=f"Aftercare plan — {episode1.client.full_name}")).to_be_visible()
