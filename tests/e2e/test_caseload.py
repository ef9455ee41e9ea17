"""Browser: the case manager finds who is ready to step down on the caseload."""

from django.utils import timezone
from playwright.sync_api import expect

from tests.dashboard.test_queries import build_caseload
from tests.e2e.conftest import assert_accessible, login


def test_casemanager_filters_the_caseload_to_clients_ready_to_step_down(page, site1, track1, therapist, casemanager):
    today = timezone.localdate()
    kw = {"site": site1, "track": track1, "therapist": therapist, "casemanager": casemanager, "as_of": today}
    [ready] = build_caseload(1, story="ready", prefix="R", **kw)
    [approaching] = build_caseload(1, story="approaching", prefix="A", **kw)
    [struggling] = build_caseload(1, story="struggling", prefix="S", **kw)

    login(page, "casemanager")
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    table = page.get_by_role("table")
    for episode in (ready, approaching, struggling):
        expect(table.get_by_text(episode.client.mrn)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Readiness").select_option(label="Ready to step down")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**status=step_down_ready**")
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_text(ready.client.mrn)).to_be_visible()
    expect(rows.first.get_by_text("Ready", exact=True).first).to_be_visible()
    expect(page.get_by_text(approaching.client.mrn)).to_have_count(0)
    expect(page.get_by_text(struggling.client.mrn)).to_have_count(0)
    assert_accessible(page)

    rows.first.get_by_role("link").first.click()
    page.wait_for_url(f"**/clients/{ready.client_id}/progress/")
