import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import Client, Episode
from clients.services import client_intake, episode_open
from tests.factories import ClientFactory, EpisodeFactory, TrackFactory

TODAY = timezone.localdate


def _intake(site, track=None, **client):
    fields = {"first_name": "Ana", "last_name": "Diaz", "date_of_birth": dt.date(1990, 1, 31), **client}
    return client_intake(
        client_fields=fields,
        episode_fields={"site": site, "track": track, "admitted_on": TODAY() - dt.timedelta(days=3)},
    )


def _end(episode, days_ago=1, status=Episode.Status.DISCHARGED):
    episode.status = status
    episode.ended_on = TODAY() - dt.timedelta(days=days_ago)
    episode.end_reason = Episode.EndReason.ADMINISTRATIVE
    episode.save()


def test_mrns_follow_a_per_site_sequence(site1, site2):
    mrns = [_intake(site1)[0].mrn, _intake(site1)[0].mrn, _intake(site2)[0].mrn, _intake(site1)[0].mrn]
    assert mrns == ["RIC-0001", "RIC-0002", "NOR-0001", "RIC-0003"]
    assert [e.ref for e in Episode.objects.order_by("pk")] == ["RIC-0001-1", "RIC-0002-1", "NOR-0001-1", "RIC-0003-1"]


def test_mrn_is_unique_in_the_database(db):
    ClientFactory(mrn="RIC-0001")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClientFactory(mrn="RIC-0001")


def test_a_client_can_have_only_one_active_episode_in_the_database(episode1):
    with pytest.raises(IntegrityError), transaction.atomic():
        EpisodeFactory(client=episode1.client, site=episode1.site, ref="RIC-0001-2")
    assert Episode.objects.filter(client=episode1.client).count() == 1


def test_ended_episodes_do_not_count_against_the_one_active_rule(episode1):
    _end(episode1)
    EpisodeFactory(client=episode1.client, site=episode1.site, ref="RIC-0001-2", admitted_on=TODAY())
    assert Episode.objects.filter(client=episode1.client, status="active").count() == 1


def test_readmission_is_refused_while_an_episode_is_active(episode1):
    with pytest.raises(ValidationError, match="already has an active episode"):
        episode_open(client=episode1.client, site=episode1.site, admitted_on=TODAY())
    assert Episode.objects.filter(client=episode1.client).count() == 1


def test_readmission_opens_a_numbered_episode_with_its_level_of_care(episode1, therapist):
    _end(episode1, days_ago=5)

    episode = episode_open(client=episode1.client, site=episode1.site, admitted_on=TODAY(), by=therapist)

    assert episode.ref == "RIC-0001-2"
    assert episode.is_active
    assert [(c.level_of_care, c.effective_on) for c in episode.level_changes.all()] == [("IOP", TODAY())]


def test_readmission_cannot_start_before_the_last_episode_ended(episode1):
    _end(episode1, days_ago=2)
    with pytest.raises(ValidationError, match="on or after the previous episode ended"):
        episode_open(client=episode1.client, site=episode1.site, admitted_on=TODAY() - dt.timedelta(days=3))


def test_service_refuses_a_track_or_staff_of_another_site(site1, site2, therapist2):
    with pytest.raises(ValidationError, match="not a track of Richmond"):
        client_intake(
            client_fields={"first_name": "A", "last_name": "B", "date_of_birth": dt.date(1990, 1, 1)},
            episode_fields={"site": site1, "track": TrackFactory(site=site2), "admitted_on": TODAY()},
        )
    with pytest.raises(ValidationError, match="does not work at Richmond"):
        client_intake(
            client_fields={"first_name": "A", "last_name": "B", "date_of_birth": dt.date(1990, 1, 1)},
            episode_fields={"site": site1, "primary_therapist": therapist2, "admitted_on": TODAY()},
        )
    assert Client.objects.count() == 0


def test_service_refuses_a_child_under_twelve_and_writes_nothing(site1):
    with pytest.raises(ValidationError) as error:
        _intake(site1, date_of_birth=TODAY() - dt.timedelta(days=365 * 5))
    assert "at least 12" in error.value.message_dict["date_of_birth"][0]
    assert (Client.objects.count(), Episode.objects.count()) == (0, 0)
    site1.refresh_from_db()
    assert site1.next_mrn_number == 1
