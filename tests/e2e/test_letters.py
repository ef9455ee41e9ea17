"""A case manager writes a probation letter from a consent and downloads its PDF; a revoked
consent shows why no letter can be issued."""

import datetime as dt
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from consents.models import Disclosure
from tests.consents.conftest import pdf_text
from tests.e2e.conftest import assert_accessible, login
from tests.factories import AttendanceFactory, ConsentFactory, SessionFactory


def test_case_manager_issues_an_attendance_letter_for_probation(page, casemanager, episode1):
    today = timezone.localdate()
    for days_ago in (9, 2):
        session = SessionFactory(site=episode1.site, track=episode1.track, date=today - dt.timedelta(days=days_ago))
        AttendanceFactory(session=session, episode=episode1, status="present", minutes_attended=180)
    consent = ConsentFactory(client=episode1.client, site=episode1.site, created_by=casemanager)
    revoked = ConsentFactory(
        client=episode1.client,
        site=episode1.site,
        created_by=casemanager,
        recipient_name="Jordan Blake",
        revoked_on=today - dt.timedelta(days=1),
    )
    login(page, "casemanager")
    page.goto(f"/consents/client/{episode1.client_id}/")
    expect(page.locator(f"#consent-{revoked.pk}")).to_contain_text("No letter can be issued: revoked")
    expect(page.locator(f"#consent-{revoked.pk}").get_by_role("link", name="Write a letter")).to_have_count(0)
    assert_accessible(page)

    page.locator(f"#consent-{consent.pk}").get_by_role("link", name="Write a letter").click()
    page.get_by_label("Period from").fill(f"{today - dt.timedelta(days=14):%Y-%m-%d}")
    page.get_by_label("Attendance and hours").check()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#letter-preview")).to_contain_text("Sessions expected: 2; attended: 2")
    expect(page.locator("#letter-preview")).to_contain_text("42 CFR part 2")
    with page.expect_download() as download:
        page.get_by_role("button", name="Issue letter").click()
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert "Attendance verification: Ana Diaz" in text and f"consent #{consent.pk}" in text
    assert Disclosure.objects.get().consent == consent

    page.goto(f"/letters/consent/{revoked.pk}/new/")
    expect(page.locator("#no-letter")).to_contain_text("The client revoked it on")
