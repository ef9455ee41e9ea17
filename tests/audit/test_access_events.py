import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from programs.roles import THERAPIST
from screening.models import ScreenResult
from tests.factories import (
    AttendanceFactory,
    ClientFactory,
    EpisodeFactory,
    ScreenFactory,
    ScreenResultFactory,
    SessionFactory,
    UserFactory,
)


def test_each_view_of_a_client_page_is_one_access_event(as_casemanager, casemanager, episode1):
    url = reverse("clients:detail", args=[episode1.client_id])
    as_casemanager.get(url)
    as_casemanager.get(url)
    events = AccessEvent.objects.filter(client=episode1.client, user=casemanager, action="view")
    assert events.count() == 2
    assert set(events.values_list("path", flat=True)) == {url}


# --- list pages: one event per page, with the ids of the clients shown ---------------------


@pytest.fixture
def site1_episodes(episode1, site1, track1, therapist, casemanager):
    """episode1 (Ana Diaz) and two more active episodes at site 1, plus one at site 2."""
    more = [
        EpisodeFactory(site=site1, track=track1, primary_therapist=therapist, case_manager=casemanager)
        for _ in range(2)
    ]
    return [episode1, *more]


@pytest.fixture
def elsewhere(site2):
    return EpisodeFactory(site=site2)


def _list_event(user):
    event = AccessEvent.objects.get(user=user)
    assert (event.action, event.client) == ("list", None)
    return event


@pytest.mark.parametrize("name", ["dashboard:caseload", "clients:list", "checkins:due"])
def test_a_list_page_is_one_event_with_the_ids_of_the_clients_shown(
    as_casemanager, casemanager, site1_episodes, elsewhere, name
):
    url = reverse(name)
    assert as_casemanager.get(url, {"scope": "all"}).status_code == 200
    event = _list_event(casemanager)
    assert event.path == url  # the query string (a searched name) is never stored
    assert event.client_ids == sorted(e.client_id for e in site1_episodes)


def test_the_client_search_logs_only_the_clients_found(as_casemanager, casemanager, site1_episodes):
    as_casemanager.get(reverse("clients:list"), {"q": "Diaz"})
    event = _list_event(casemanager)
    assert event.client_ids == [site1_episodes[0].client_id]
    assert "Diaz" not in event.path


def test_the_pending_labs_list_logs_the_clients_waiting(as_casemanager, casemanager, site1_episodes):
    waiting = site1_episodes[1]
    result = ScreenResultFactory(
        screen=ScreenFactory(episode=waiting),
        result=ScreenResult.Result.POSITIVE,
        confirmation=ScreenResult.Confirmation.PENDING,
    )
    assert as_casemanager.get(reverse("screening:pending")).status_code == 200
    assert result.screen.episode.client_id in _list_event(casemanager).client_ids
    assert _list_event(casemanager).client_ids == [waiting.client_id]


def test_todays_sessions_log_the_clients_recorded_on_them(as_therapist, therapist, site1, track1, site1_episodes):
    session = SessionFactory(site=site1, track=track1, date=timezone.localdate(), start_time=dt.time(9))
    AttendanceFactory(session=session, episode=site1_episodes[0])
    assert as_therapist.get(reverse("attendance:today")).status_code == 200
    assert _list_event(therapist).client_ids == [site1_episodes[0].client_id]


def test_a_roster_page_logs_every_client_named_on_it(as_therapist, therapist, site1, track1, site1_episodes, site2):
    session = SessionFactory(site=site1, track=track1, date=timezone.localdate(), start_time=dt.time(9))
    makeup = EpisodeFactory(site=site1)  # another track: named only when a make-up search finds it
    assert as_therapist.get(reverse("attendance:session", args=[session.pk])).status_code == 200
    assert _list_event(therapist).client_ids == sorted(e.client_id for e in site1_episodes)
    url = reverse("attendance:session", args=[session.pk])
    assert as_therapist.get(url, {"makeup_q": makeup.client.mrn}).status_code == 200
    found = AccessEvent.objects.filter(user=therapist).order_by("pk").last()
    assert found.client_ids == sorted([*(e.client_id for e in site1_episodes), makeup.client_id])


def test_the_program_report_is_one_event_without_clients(as_casemanager, casemanager, site1_episodes):
    assert as_casemanager.get(reverse("dashboard:report")).status_code == 200
    event = AccessEvent.objects.get(user=casemanager)
    assert (event.action, event.client, event.client_ids, event.path) == ("view", None, [], reverse("dashboard:report"))


def test_events_about_a_client_are_found_by_its_id_on_any_database(as_casemanager, site1_episodes):
    as_casemanager.get(reverse("clients:list"))
    ana, other = site1_episodes[0].client, site1_episodes[1].client
    stranger = ClientFactory()
    assert AccessEvent.objects.filter(client_ids__lists=ana.pk).count() == 1
    assert AccessEvent.objects.filter(client_ids__lists=other.pk).count() == 1
    assert AccessEvent.objects.filter(client_ids__lists=stranger.pk).count() == 0


def test_anonymous_requests_are_not_access_events(client, episode1):
    response = client.get(reverse("clients:detail", args=[episode1.client_id]))
    assert response.status_code == 302  # to the login page
    assert AccessEvent.objects.count() == 0


def test_a_therapist_of_both_sites_sees_both_sites_clients_in_one_event(site1, site2, episode1, elsewhere):
    both = UserFactory(username="both", role=THERAPIST, sites=[site1, site2])
    http = HttpClient()
    http.force_login(both)
    http.get(reverse("clients:list"))
    assert _list_event(both).client_ids == sorted([episode1.client_id, elsewhere.client_id])
