import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from clients.models import Client, Episode, LevelOfCareChange
from clients.services import client_history_marker
from tests.factories import EpisodeFactory

TODAY = timezone.localdate


def _end(episode, days_ago=3):
    episode.status = Episode.Status.GRADUATED
    episode.end_reason = Episode.EndReason.GRADUATED
    episode.ended_on = TODAY() - dt.timedelta(days=days_ago)
    episode.save()


@pytest.fixture
def readmitted(episode1, site1, track1, therapist, casemanager):
    """episode1 graduated 3 weeks ago; the client is back (RIC-0001-2, active)."""
    _end(episode1, days_ago=21)
    LevelOfCareChange.objects.create(episode=episode1, level_of_care="IOP", effective_on=episode1.admitted_on)
    episode = EpisodeFactory(
        client=episode1.client, ref="RIC-0001-2", site=site1, track=track1, admitted_on=TODAY(), level_of_care="PHP"
    )
    LevelOfCareChange.objects.create(episode=episode, level_of_care="PHP", effective_on=TODAY(), changed_by=casemanager)
    return episode


def test_client_page_shows_profile_current_and_past_episodes_and_levels(as_therapist, readmitted):
    response = as_therapist.get(reverse("clients:detail", args=[readmitted.client_id]))

    assert response.status_code == 200
    assert response.context["episode"] == readmitted
    assert [e.ref for e in response.context["past_episodes"]] == ["RIC-0001-1"]
    page = response.content.decode()
    shown = ["Ana Diaz", "RIC-0001", "Current episode", "RIC-0001-2", "Past episodes", "Graduated", "PHP (ASAM 2.5)"]
    assert all(text in page for text in shown)
    assert [c.level_of_care for c in response.context["level_changes"]] == ["IOP", "PHP"]


def test_client_page_names_each_level_of_care_change_by_what_happened(as_therapist, readmitted, site2):
    EpisodeFactory(
        client=readmitted.client,
        ref="NOR-0001-1",
        site=site2,
        admitted_on=TODAY() - dt.timedelta(days=400),
        status=Episode.Status.DISCHARGED,
        end_reason=Episode.EndReason.OTHER,
        ended_on=TODAY() - dt.timedelta(days=300),
    )
    response = as_therapist.get(reverse("clients:detail", args=[readmitted.client_id]))
    events = [(e.what, e.episode.ref) for e in response.context["care_events"]]
    assert events == [
        ("Admitted to IOP", "RIC-0001-1"),
        ("Graduated from IOP", "RIC-0001-1"),
        ("Readmitted to PHP", "RIC-0001-2"),
    ]  # the Norfolk episode is not this user's to see
    page = response.content.decode()
    assert "<td>Readmitted to PHP</td>" in page and "NOR-0001-1" not in page


def test_a_step_down_is_named_on_the_profile_tab_not_an_admission(as_casemanager, episode1, casemanager):
    from dashboard.services import decision_record

    LevelOfCareChange.objects.create(episode=episode1, level_of_care="IOP", effective_on=episode1.admitted_on)
    rationale = "Stepping down as the team agreed at review."
    decision_record(episode=episode1, kind="step_down", rationale=rationale, by=casemanager, decided_on=TODAY())
    page = as_casemanager.get(reverse("clients:detail", args=[episode1.client_id])).content.decode()
    assert "<td>Admitted to IOP</td>" in page
    assert "<td>Stepped down from IOP to OP</td>" in page
    assert "Admission" not in page


def test_client_page_writes_an_access_event(as_therapist, therapist, episode1):
    url = reverse("clients:detail", args=[episode1.client_id])
    as_therapist.get(url, REMOTE_ADDR="10.0.0.7")

    event = AccessEvent.objects.get()
    assert (event.user, event.client, event.action, event.path) == (therapist, episode1.client, "view", url)
    assert event.ip_address == "10.0.0.7"


@pytest.mark.parametrize("name", ["clients:detail", "clients:edit", "clients:readmit"])
def test_other_site_staff_get_404_and_only_a_denied_event(as_therapist2, therapist2, episode1, name):
    url = reverse(name, args=[episode1.client_id])
    response = as_therapist2.get(url)
    assert response.status_code == 404
    event = AccessEvent.objects.get()
    assert (event.user, event.action, event.status_code, event.path) == (therapist2, "denied", 404, url)
    assert event.client is None and event.client_ids == []


def test_readmit_is_refused_while_an_episode_is_active(as_casemanager, episode1):
    url = reverse("clients:readmit", args=[episode1.client_id])

    assert "already has an active episode" in as_casemanager.get(url).content.decode()
    response = as_casemanager.post(url, {"episode-site": episode1.site_id, "episode-admitted_on": TODAY().isoformat()})

    assert response.status_code == 200
    assert "already has an active episode (RIC-0001-1" in response.content.decode()
    assert Episode.objects.count() == 1


def test_case_manager_readmits_a_client_whose_episode_ended(as_casemanager, casemanager, episode1, therapist):
    _end(episode1)
    url = reverse("clients:readmit", args=[episode1.client_id])
    form = as_casemanager.get(url).context["form"]
    assert form.initial["track"] == episode1.track_id  # starts from the last assignment

    response = as_casemanager.post(
        url,
        {
            "episode-site": episode1.site_id,
            "episode-track": episode1.track_id,
            "episode-level_of_care": "OP",
            "episode-admitted_on": TODAY().isoformat(),
            "episode-primary_therapist": therapist.pk,
            "episode-case_manager": casemanager.pk,
            "episode-required_weekly_hours": "3",
        },
    )

    assert response.status_code == 302
    new = Episode.objects.get(client=episode1.client, status="active")
    assert (new.ref, new.level_of_care, new.required_weekly_hours) == ("RIC-0001-2", "OP", 3)
    assert new.level_changes.get().changed_by == casemanager


def test_readmission_before_the_last_discharge_shows_a_field_error(as_casemanager, episode1):
    _end(episode1, days_ago=2)
    response = as_casemanager.post(
        reverse("clients:readmit", args=[episode1.client_id]),
        {
            "episode-site": episode1.site_id,
            "episode-level_of_care": "IOP",
            "episode-admitted_on": (TODAY() - dt.timedelta(days=5)).isoformat(),
            "episode-required_weekly_hours": "9",
        },
    )
    assert response.status_code == 200
    assert "on or after the previous episode ended" in response.context["form"].errors["admitted_on"][0]
    assert Episode.objects.count() == 1


@pytest.mark.parametrize(
    "name, method",
    [("clients:edit", "get"), ("clients:edit", "post"), ("clients:readmit", "get"), ("clients:readmit", "post")],
)
def test_therapist_may_not_edit_or_readmit(as_therapist, episode1, name, method):
    response = getattr(as_therapist, method)(reverse(name, args=[episode1.client_id]))
    assert response.status_code == 403


def _profile(client, **changes):
    data = {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "referral_source": "",
        "primary_substance": "",
        "version": client_history_marker(client),
    }
    data.update(changes)
    return data


def test_case_manager_edits_the_profile_and_the_change_is_in_history(as_casemanager, casemanager, episode1):
    client = episode1.client
    client.save()  # a first history row, as an intake writes
    url = reverse("clients:edit", args=[client.pk])

    response = as_casemanager.post(url, _profile(client, preferred_name="Annie", phone="555-0199"))

    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.preferred_name, client.phone) == ("Annie", "555-0199")
    latest = client.history.order_by("-history_id").first()
    assert latest.history_user == casemanager
    page = as_casemanager.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert "changed phone, preferred name" in page


def test_profile_edit_over_someone_elses_change_is_refused_and_shows_the_current_profile(as_casemanager, episode1):
    client = episode1.client
    client.save()
    seen = client_history_marker(client)
    other = Client.objects.get(pk=client.pk)
    other.phone = "555-0000"
    other.save()  # someone else saved after the form was opened

    response = as_casemanager.post(
        reverse("clients:edit", args=[client.pk]), _profile(client, phone="555-1111", version=seen)
    )

    assert response.status_code == 200
    assert "changed by someone else since you opened it" in response.content.decode()
    assert response.context["form"].initial["phone"] == "555-0000"
    client.refresh_from_db()
    assert client.phone == "555-0000"


def test_profile_edit_with_a_bad_birth_date_saves_nothing(as_casemanager, episode1):
    client = episode1.client
    response = as_casemanager.post(
        reverse("clients:edit", args=[client.pk]),
        _profile(client, date_of_birth=(TODAY() + dt.timedelta(days=3)).isoformat()),
    )
    assert response.status_code == 200
    assert "Date of birth cannot be in the future." in response.content.decode()
    client.refresh_from_db()
    assert client.date_of_birth == dt.date(1990, 1, 31)


def test_client_page_query_count_does_not_grow_with_episodes_and_changes(
    as_therapist, episode1, site1, track1, django_assert_num_queries
):
    # 1 session, 2 user, 3 savepoint, 4 client (scoped), 5 access event insert, 6 episodes
    # with site/track/staff, 7 level-of-care rows, 8 profile history, 9 permissions (user's and
    # groups', one query: edit/readmit buttons, nav), 10 release savepoint; the event is sealed
    # after commit (audit/chain.py).
    url = reverse("clients:detail", args=[episode1.client_id])
    with django_assert_num_queries(10):
        as_therapist.get(url)

    client = episode1.client
    for n in range(2, 6):  # four earlier stays, each with three level-of-care rows
        admitted = TODAY() - dt.timedelta(days=400 - n * 50)
        ep = EpisodeFactory(
            client=client,
            ref=f"RIC-0001-{n}",
            site=site1,
            track=track1,
            admitted_on=admitted,
            status="discharged",
            ended_on=admitted + dt.timedelta(days=30),
        )
        for level in ["IOP", "PHP", "OP"]:
            LevelOfCareChange.objects.create(episode=ep, level_of_care=level, effective_on=admitted)
        client.phone = f"555-010{n}"
        client.save()
    with django_assert_num_queries(10):
        response = as_therapist.get(url)
    assert len(response.context["past_episodes"]) == 4
    assert len(response.context["level_changes"]) == 12


def test_client_page_opens_for_a_client_written_without_history_rows(as_therapist, episode1):
    """Bulk paths (the import, the scale demo) write clients with bulk_create, which writes no
    history row: the client page must still open, with an empty list of profile changes."""
    episode1.client.history.all().delete()

    response = as_therapist.get(reverse("clients:detail", args=[episode1.client_id]))

    assert response.status_code == 200
    assert response.context["profile_changes"] == []
