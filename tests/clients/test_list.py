import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Episode
from tests.factories import ClientFactory, EpisodeFactory, TrackFactory

URL = reverse("clients:list")


def _client(site, track=None, *, first="Ben", last="Brown", mrn=None, status="active", **episode):
    client = ClientFactory(first_name=first, last_name=last, **({"mrn": mrn} if mrn else {}))
    ended = {} if status == "active" else {"ended_on": timezone.localdate() - dt.timedelta(days=2)}
    EpisodeFactory(client=client, site=site, track=track or TrackFactory(site=site), status=status, **ended, **episode)
    return client


def _names(response):
    return [c.last_name for c in response.context["page"].object_list]


def test_list_shows_only_clients_of_the_users_sites(as_therapist2, episode1, site2):
    _client(site2, last="Nguyen")
    response = as_therapist2.get(URL)
    assert response.status_code == 200
    assert _names(response) == ["Nguyen"]
    # By MRN: a surname could also be a staff member's (the page names the signed-in user).
    assert episode1.client.mrn not in response.content.decode()


@pytest.mark.parametrize(
    "q, expected",
    [
        ("diaz", ["Diaz"]),  # last name, any case
        ("RIC-0001", ["Diaz"]),  # MRN
        ("ana d", ["Diaz"]),  # every word must match a name or the MRN
        ("0002", ["Kim"]),  # part of an MRN
        ("hana", ["Kim"]),  # first name
        ("zzz", []),
    ],
)
def test_list_searches_by_name_or_mrn(as_casemanager, episode1, site1, q, expected):
    _client(site1, first="Hana", last="Kim", mrn="RIC-0002")
    response = as_casemanager.get(URL, {"q": q})
    assert _names(response) == expected


def test_list_filters_by_site_track_and_status_of_the_current_episode(as_admin, episode1, site1, site2, track1):
    other_track = TrackFactory(site=site1, name="Morning")
    _client(site1, other_track, last="Kim")
    _client(site2, last="Nguyen")
    _client(site1, track1, last="Walker", status=Episode.Status.GRADUATED)

    assert _names(as_admin.get(URL, {"site": site2.pk})) == ["Nguyen"]
    assert _names(as_admin.get(URL, {"track": track1.pk})) == ["Diaz", "Walker"]
    assert _names(as_admin.get(URL, {"track": track1.pk, "status": "active"})) == ["Diaz"]
    assert _names(as_admin.get(URL, {"status": "graduated"})) == ["Walker"]


def test_list_filters_on_the_current_episode_not_a_past_one(as_casemanager, site1, track1):
    client = _client(site1, track1, last="Moreno", status=Episode.Status.STEPPED_DOWN)
    EpisodeFactory(client=client, site=site1, track=TrackFactory(site=site1), admitted_on=timezone.localdate())
    assert _names(as_casemanager.get(URL, {"status": "stepped_down"})) == []
    assert _names(as_casemanager.get(URL, {"status": "active"})) == ["Moreno"]


def test_list_ignores_a_filter_choice_outside_the_users_sites(as_casemanager, episode1, site2):
    response = as_casemanager.get(URL, {"site": site2.pk, "status": "nonsense"})
    assert response.status_code == 200
    assert _names(response) == ["Diaz"]
    assert "Select a valid choice" in response.content.decode()


def test_list_is_paginated_by_25(as_casemanager, site1, track1):
    for i in range(27):
        _client(site1, track1, last=f"Name{i:02d}")
    first = as_casemanager.get(URL)
    second = as_casemanager.get(URL, {"page": 2})
    assert len(_names(first)) == 25
    assert _names(second) == ["Name25", "Name26"]
    assert "page=2" in first.content.decode()
    assert as_casemanager.get(URL, {"page": "abc"}).status_code == 200


def test_list_query_count_is_the_same_for_3_and_30_clients(as_casemanager, site1, track1, django_assert_num_queries):
    # 1 session, 2 user, 3 savepoint (ATOMIC_REQUESTS), 4 count, 5 page of clients (each
    # with its current episode's id), 6 those episodes with site, track and staff, 7 the
    # user's and groups' permissions (nav links; one query), 8 site and 9 track filter choices,
    # 10 the page's access event (one INSERT), 11 release savepoint.
    for i in range(3):
        _client(site1, track1, last=f"A{i}")
    with django_assert_num_queries(11):  # event sealed after commit (audit/chain.py)
        response = as_casemanager.get(URL)
    assert len(_names(response)) == 3

    for i in range(27):
        _client(site1, track1, last=f"B{i}")
    with django_assert_num_queries(11):  # event sealed after commit (audit/chain.py)
        response = as_casemanager.get(URL)
    assert len(_names(response)) == 25
    assert response.context["page"].paginator.count == 30
