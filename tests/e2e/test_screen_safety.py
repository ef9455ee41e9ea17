"""Issue 11 safety gaps on the Screens tab: only unexpected positives and inconclusive results
go to the lab by default, and the form says what the cup cannot detect."""

from playwright.sync_api import expect

from screening.models import Analyte, ScreenResult
from tests.e2e.conftest import assert_accessible, login
from tests.factories import PrescriptionFactory


def test_lab_boxes_follow_the_result_and_the_cup_says_it_cannot_detect_fentanyl(page, casemanager, episode1):
    bup, coc = Analyte.objects.get(code="BUP"), Analyte.objects.get(code="COC")
    PrescriptionFactory(client=episode1.client, analyte=bup, medication="buprenorphine", start=episode1.admitted_on)
    login(page, "casemanager")
    page.goto(f"/screening/client/{episode1.client.pk}/")
    expect(page.locator("#panel-blind-spots")).to_contain_text("This panel cannot detect fentanyl (FEN).")

    page.locator(f"label[for='id_result_{bup.pk}_2']").click()  # inconclusive: always to the lab
    expect(page.locator(f"#id_send_{bup.pk}")).to_be_checked()
    page.locator(f"label[for='id_result_{bup.pk}_1']").click()  # positive, explained by the prescription
    expect(page.locator(f"#id_send_{bup.pk}")).not_to_be_checked()
    page.locator(f"label[for='id_result_{coc.pk}_1']").click()  # positive, unexpected
    expect(page.locator(f"#id_send_{coc.pk}")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Save screen").click()
    expect(page.get_by_text("saved (completed)")).to_be_visible()
    expect(page.locator("#screen-timeline")).to_contain_text("This panel cannot detect fentanyl (FEN).")
    assert ScreenResult.objects.get(analyte=bup).confirmation == "not_sent"
    assert ScreenResult.objects.get(analyte=coc).confirmation == "pending"
