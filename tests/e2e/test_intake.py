import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Client
from tests.e2e.conftest import assert_accessible, login
from tests.factories import TrackFactory


def _fill_client(page, *, date_of_birth="1988-04-12"):
    page.get_by_label("First name").fill("Maya")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Date of birth").fill(date_of_birth)
    page.get_by_label("Primary substance").select_option(label="Alcohol")


def test_case_manager_does_an_intake_and_finds_the_client_by_mrn(page, casemanager, therapist, track1):
    login(page, "casemanager")
    page.get_by_role("link", name="Intake").click()
    expect(page.get_by_role("heading", name="Intake: new client")).to_be_visible()
    assert_accessible(page)

    _fill_client(page)
    page.get_by_label("Track").select_option(str(track1.pk))
    page.get_by_label("Admitted on").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    page.get_by_label("Primary therapist").select_option(str(therapist.pk))
    page.get_by_label("Case manager").select_option(str(casemanager.pk))
    page.get_by_role("button", name="Admit client").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", name="Maya Okafor")).to_be_visible()
    client = Client.objects.get(last_name="Okafor")
    expect(page).to_have_url(re.compile(rf"/clients/{client.pk}/$"))
    expect(page.get_by_text(f"was admitted with MRN {client.mrn}")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    page.get_by_label("Name or MRN").fill(client.mrn)
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    expect(page.get_by_role("cell", name=client.mrn)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Okafor, Maya").click()
    expect(page.get_by_role("heading", name="Current episode")).to_be_visible()


def test_a_birth_date_in_the_future_shows_a_field_error(page, casemanager):
    login(page, "casemanager")
    page.goto("/clients/intake/")
    _fill_client(page, date_of_birth=(timezone.localdate() + dt.timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Admit client").click()
    page.wait_for_load_state()

    expect(page.get_by_text("Date of birth cannot be in the future.")).to_be_visible()
    assert not Client.objects.exists()
    assert_accessible(page)


def test_track_choices_follow_the_chosen_site(page, casemanager, site1, site2, track1):
    site2.staff.add(casemanager)
    norfolk = TrackFactory(site=site2, name="Norfolk evening")
    login(page, "casemanager")
    page.goto("/clients/intake/")

    page.get_by_label("Site").select_option(label="Norfolk")
    expect(page.locator(f"#id_episode-track option[value='{track1.pk}']")).to_be_disabled()
    expect(page.locator(f"#id_episode-track option[value='{norfolk.pk}']")).to_be_enabled()

    page.get_by_label("Site").select_option(label="Richmond")
    expect(page.locator(f"#id_episode-track option[value='{track1.pk}']")).to_be_enabled()


def test_case_manager_readmits_a_discharged_client_and_edits_the_profile(page, casemanager, episode1):
    episode1.status, episode1.end_reason = "discharged", "left_against_advice"
    episode1.ended_on = timezone.localdate() - dt.timedelta(days=7)
    episode1.save()
    login(page, "casemanager")
    page.goto(f"/clients/{episode1.client_id}/")

    page.get_by_role("link", name="Readmit").click()
    assert_accessible(page)
    page.get_by_role("button", name="Readmit client").click()
    page.wait_for_load_state()

    expect(page.get_by_text("Ana Diaz was readmitted.")).to_be_visible()
    expect(page.get_by_role("rowheader", name="RIC-0001-1")).to_be_visible()  # now a past episode
    assert episode1.client.episodes.filter(status="active").get().ref == "RIC-0001-2"

    page.get_by_role("link", name="Edit profile").click()
    assert_accessible(page)
    page.get_by_label("Preferred name").fill("Annie")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The profile was saved.")).to_be_visible()
    expect(page.get_by_text("goes by Annie")).to_be_visible()
