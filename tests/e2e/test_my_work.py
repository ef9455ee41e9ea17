from django.urls import reverse
from playwright.sync_api import expect

from checkins.models import CheckIn
from programs.models import Supervision
from programs.roles import THERAPIST
from tests.e2e.conftest import assert_accessible, login
from tests.factories import UserFactory


def test_a_trainees_checkin_reaches_the_supervisors_my_work_and_is_cosigned(page, episode1, therapist, site1):
    therapist.first_name, therapist.last_name = "Sam", "Super"
    therapist.save()
    trainee = UserFactory(username="trainee", first_name="Tia", last_name="Trainee", role=THERAPIST, sites=[site1])
    Supervision.objects.create(clinician=trainee, supervisor=therapist)

    login(page, "trainee")
    page.goto(reverse("checkins:open", args=[episode1.pk]))
    page.get_by_label("Risk level").select_option("none")
    page.get_by_label("Recommendation", exact=True).select_option("continue")
    page.get_by_role("button", name="Save and sign").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Check-in signed.")).to_be_visible()
    expect(page.locator("#cosignature")).to_contain_text("Awaiting co-signature by Sam Super")
    expect(page.get_by_role("button", name="Co-sign")).to_have_count(0)  # not the trainee's to co-sign
    signed_text = page.locator("#signed-checkin").inner_text()
    page.context.clear_cookies()

    login(page, "therapist")
    expect(page).to_have_url(reverse("dashboard:my_work"))  # a therapist lands on My work
    expect(page.locator("#nav-work-count")).to_be_visible()  # the count in the navigation
    section = page.locator("#cosign")
    expect(section).to_contain_text(f"Check-in of {episode1.client.full_name}")
    assert_accessible(page)
    section.get_by_role("link", name=f"Check-in of {episode1.client.full_name}").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Co-sign").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Check-in co-signed.")).to_be_visible()
    expect(page.locator("#cosignature")).to_contain_text("Co-signed by Sam Super")
    expect(page.locator("#signature-sha256")).to_contain_text("matches the signed content")
    assert page.locator("#signed-checkin").inner_text() == signed_text
    assert_accessible(page)

    page.goto(reverse("dashboard:my_work"))
    expect(page.locator("#cosign")).to_contain_text("Nothing to co-sign.")
    checkin = CheckIn.objects.get()
    assert checkin.cosigned_by == therapist and checkin.signature_check == "intact"
