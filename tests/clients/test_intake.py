import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from clients.models import Client, Episode, LevelOfCareChange
from programs.models import Site
from programs.roles import CASE_MANAGER, THERAPIST
from tests.factories import ClientFactory, EpisodeFactory, TrackFactory, UserFactory

URL = reverse("clients:intake")


def _rows():
    return (Client.objects.count(), Episode.objects.count(), LevelOfCareChange.objects.count())


def test_case_manager_admits_a_client_with_one_form(as_casemanager, intake_data, casemanager, site1, track1):
    response = as_casemanager.post(URL, intake_data())

    client = Client.objects.get(last_name="Okafor")
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:detail", args=[client.pk])
    assert client.mrn == "RIC-0001"
    episode = client.episodes.get()
    assert (episode.ref, episode.site, episode.track, episode.status) == ("RIC-0001-1", site1, track1, "active")
    assert episode.case_manager == casemanager
    change = episode.level_changes.get()
    assert (change.level_of_care, change.effective_on, change.changed_by) == ("IOP", episode.admitted_on, casemanager)
    assert client.history.get().history_user == casemanager  # the write is in the history tables


def test_intake_page_offers_only_the_users_sites_and_their_staff(as_casemanager, site1, site2, therapist, therapist2):
    response = as_casemanager.get(URL)

    assert response.status_code == 200
    form = response.context["episode_form"]
    assert list(form.fields["site"].queryset) == [site1]
    assert list(form.fields["primary_therapist"].queryset) == [therapist]
    assert "Norfolk" not in response.content.decode()


@pytest.mark.parametrize("persona", ["as_therapist", "as_therapist2"])
def test_therapists_may_not_do_intakes(request, persona):
    http = request.getfixturevalue(persona)
    assert http.get(URL).status_code == 403
    assert http.post(URL, {}).status_code == 403
    assert Client.objects.count() == 0


def _future(days=1):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _years_ago(years, days=0):
    today = timezone.localdate()
    return (today.replace(year=today.year - years) + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"client-date_of_birth": "fixture:future"}, "date_of_birth", "Date of birth cannot be in the future."),
        ({"client-date_of_birth": "fixture:eleven"}, "date_of_birth", "at least 12 years old"),
        ({"client-date_of_birth": "31/01/1990"}, "date_of_birth", "Enter a valid date."),
        ({"client-first_name": ""}, "first_name", "This field is required."),
        ({"client-email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"episode-admitted_on": "fixture:future"}, "admitted_on", "The admission date cannot be in the future."),
        ({"episode-admitted_on": None}, "admitted_on", "This field is required."),
        ({"episode-track": "fixture:other_site_track"}, "track", "is not a track of Richmond"),
        ({"episode-primary_therapist": "fixture:other_site_therapist"}, "primary_therapist", "does not work at"),
        ({"episode-case_manager": "fixture:other_site_case_manager"}, "case_manager", "does not work at Richmond"),
        ({"episode-site": "fixture:site_not_mine"}, "site", "Select a valid choice"),
        ({"episode-required_weekly_hours": "-1"}, "required_weekly_hours", "greater than or equal to 0"),
        ({"episode-level_of_care": "XYZ"}, "level_of_care", "Select a valid choice"),
    ],
)
def test_intake_rule_broken_shows_a_field_error_and_saves_nothing(
    as_casemanager, casemanager, intake_data, site1, site2, changes, field, message
):
    # The case manager works at both sites here, so the other site's track and staff are
    # offered and only the "belongs to the episode's site" rules can refuse them.
    site2.staff.add(casemanager)
    other = {
        "future": _future(),
        "eleven": _years_ago(12, days=1),
        "other_site_track": TrackFactory(site=site2, name="Norfolk evening").pk,
        "other_site_therapist": UserFactory(first_name="Nor", last_name="Therapist", role=THERAPIST, sites=[site2]).pk,
        "other_site_case_manager": UserFactory(role=CASE_MANAGER, sites=[site2]).pk,
        "site_not_mine": Site.objects.create(code="XXX", name="Elsewhere").pk,
    }
    data = intake_data(**{k: other[v[8:]] if str(v).startswith("fixture:") else v for k, v in changes.items()})
    before, mrn_counter = _rows(), Site.objects.get(pk=site1.pk).next_mrn_number

    response = as_casemanager.post(URL, data)

    assert response.status_code == 200
    forms = [response.context["client_form"], response.context["episode_form"]]
    errors = " ".join(" ".join(f.errors.get(field, [])) for f in forms)
    assert message in errors
    assert message in response.content.decode()  # shown to the user, next to the field
    assert _rows() == before
    assert Site.objects.get(pk=site1.pk).next_mrn_number == mrn_counter


def test_a_client_exactly_twelve_today_may_be_admitted(as_casemanager, intake_data):
    response = as_casemanager.post(URL, intake_data(**{"client-date_of_birth": _years_ago(12)}))
    assert response.status_code == 302
    assert Client.objects.count() == 1


def test_possible_duplicate_is_refused_with_a_clear_message_until_confirmed(as_casemanager, intake_data, site1):
    existing = EpisodeFactory(
        client=ClientFactory(mrn="RIC-0042", first_name="MAYA", last_name="okafor", date_of_birth=dt.date(1988, 4, 12)),
        site=site1,
        status="discharged",
        ended_on=timezone.localdate() - dt.timedelta(days=10),
        admitted_on=timezone.localdate() - dt.timedelta(days=100),
    ).client

    response = as_casemanager.post(URL, intake_data())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Possible duplicate" in page and "RIC-0042" in page
    assert reverse("clients:detail", args=[existing.pk]) in page  # a link to readmit them instead
    assert Client.objects.count() == 1

    response = as_casemanager.post(URL, intake_data(**{"client-not_duplicate": "on"}))

    assert response.status_code == 302
    assert Client.objects.count() == 2


def test_duplicate_check_never_reveals_a_client_of_another_site(as_casemanager, intake_data, site2):
    EpisodeFactory(
        client=ClientFactory(mrn="NOR-0001", first_name="Maya", last_name="Okafor", date_of_birth=dt.date(1988, 4, 12)),
        site=site2,
    )

    response = as_casemanager.post(URL, intake_data())

    assert response.status_code == 302
    assert Client.objects.count() == 2


def test_mrn_numbers_already_taken_are_skipped(as_casemanager, intake_data, episode1):
    # episode1's client holds RIC-0001 (made by a factory, as an import would)
    response = as_casemanager.post(URL, intake_data())

    assert response.status_code == 302
    assert Client.objects.get(last_name="Okafor").mrn == "RIC-0002"
    assert AccessEvent.objects.count() == 0  # nothing viewed yet: the redirect target logs it
