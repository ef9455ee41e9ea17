"""The roster's make-up picker is a search (issue 16): by name or MRN, site-scoped, active
episodes not on the roster, at most 10 matches; the roster page never lists the whole site, and
its cost does not grow with it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attendance.models import Attendance
from clients.models import Client, Episode
from tests.attendance.test_views import FRAMEWORK, roster_data, roster_url
from tests.factories import ClientFactory, EpisodeFactory, TrackFactory


def _site_of(n, site, track, today, prefix):
    """``n`` active episodes at ``site`` in another track than the roster's (bulk: fast)."""
    clients = Client.objects.bulk_create(
        Client(mrn=f"{prefix}-{i:05d}", first_name="Sam", last_name=f"Zed{i:05d}", date_of_birth=dt.date(1990, 1, 1))
        for i in range(n)
    )
    Episode.objects.bulk_create(
        Episode(
            client=c,
            ref=f"{c.mrn}-1",
            site=site,
            track=track,
            admitted_on=today - dt.timedelta(weeks=3),
            required_weekly_hours=9,
        )
        for c in clients
    )


def _search(http, session, q, **draft):
    return http.post(roster_url(session), {**draft, "makeup_q": q, "makeup_search": "1"})


def test_roster_get_costs_the_same_with_100_and_1000_episodes_at_the_site(
    as_therapist, evening, episode1, site1, today, django_assert_num_queries
):
    other = TrackFactory(site=site1, code="RIC-AM")
    _site_of(100, site1, other, today, "AAA")
    # 1 the session, 2 its co-facilitators, 3 the roster episodes, 4 existing rows, 5 the site's
    # staff (co-facilitator choices), 6 the access event, 7 addenda, + FRAMEWORK (the event is
    # sealed after commit: audit/chain.py).
    with django_assert_num_queries(7 + FRAMEWORK):
        small = as_therapist.get(roster_url(evening))
    _site_of(900, site1, other, today, "BBB")
    with django_assert_num_queries(7 + FRAMEWORK):
        large = as_therapist.get(roster_url(evening))
    assert len(large.content) == len(small.content)  # nothing per site client is rendered
    assert "Zed0" not in large.content.decode()
    # A search is one more query, and shows at most 10 of the 1,000 matches.
    with django_assert_num_queries(8 + FRAMEWORK):
        found = as_therapist.get(roster_url(evening), {"makeup_q": "Sam"})
    assert found.content.decode().count("(AAA-") + found.content.decode().count("(BBB-") == 10
    assert "More than 10 clients match" in found.content.decode()


def test_the_search_finds_by_name_or_mrn_at_this_site_only_active_and_not_on_the_roster(
    as_therapist, evening, episode1, site1, site2, today
):
    other = TrackFactory(site=site1, code="RIC-AM")
    reyes = ClientFactory(first_name="Dana", last_name="Reyes", mrn="RIC-0777")
    dana = EpisodeFactory(client=reyes, site=site1, track=other)
    EpisodeFactory(
        client=ClientFactory(first_name="Dana", last_name="Gone"), site=site1, track=other, status="graduated",
        ended_on=today - dt.timedelta(days=3),
    )  # fmt: skip
    EpisodeFactory(client=ClientFactory(first_name="Dana", last_name="Norfolk"), site=site2)
    by_name = _search(as_therapist, evening, "dana", **roster_data(evening, [episode1]))
    assert [e.pk for e in by_name.context["candidates"]] == [dana.pk]
    assert _search(as_therapist, evening, "0777").context["candidates"] == [dana]
    assert _search(as_therapist, evening, "reyes dana").context["candidates"] == [dana]
    on_roster = _search(as_therapist, evening, "Diaz", **roster_data(evening, [episode1]))
    assert on_roster.context["candidates"] == []  # Ana Diaz is on the roster already
    assert "No active client of this site matches" in on_roster.content.decode()


def test_searching_keeps_what_was_typed_and_adding_the_match_keeps_it_too(as_therapist, evening, episode1, site1):
    dana = EpisodeFactory(client=ClientFactory(first_name="Dana", last_name="Reyes"), site=site1, track=None)
    draft = roster_data(evening, [episode1], status="late", minutes="150", note="Arrived after break.")
    draft["group_note"] = "Urge surfing practice."
    found = _search(as_therapist, evening, "Reyes", **draft)
    assert found.status_code == 200
    form = found.context["form"]
    assert form[f"status_{episode1.pk}"].value() == "late"
    assert str(form[f"minutes_{episode1.pk}"].value()) == "150"
    assert form["group_note"].value() == "Urge surfing practice."
    assert {e.pk for e in form.episodes} == {episode1.pk}  # searching adds no one
    added = as_therapist.post(roster_url(evening), {**draft, "makeup_q": "Reyes", "add": dana.pk, "makeup": "1"})
    form = added.context["form"]
    assert {e.pk for e in form.episodes} == {episode1.pk, dana.pk}
    assert form[f"status_{episode1.pk}"].value() == "late"
    assert form["group_note"].value() == "Urge surfing practice."
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("q", ["", "   "])
def test_an_empty_search_lists_no_one(as_therapist, evening, episode1, site1, q):
    EpisodeFactory(site=site1, track=TrackFactory(site=site1))
    response = _search(as_therapist, evening, q)
    assert response.context["candidates"] == []
    assert 'id="makeup-client"' not in response.content.decode()


def test_the_search_query_reads_only_this_sites_matches(evening, episode1, site1, today):
    from attendance.queries import makeup_search

    _site_of(30, site1, TrackFactory(site=site1, code="RIC-AM"), today, "CCC")
    with CaptureQueriesContext(connection) as ctx:
        found = makeup_search(evening, "Sam", exclude_ids=[episode1.pk])
    assert len(ctx.captured_queries) == 1
    assert len(found) == 11  # 10 shown + 1 that says "more"


def test_a_search_with_a_nul_character_is_a_search_not_an_error(as_therapist, evening, episode1):
    """Hostile input: PostgreSQL refuses NUL in a query; the page answers as for the words."""
    response = as_therapist.get(roster_url(evening), {"makeup_q": "Ana\x00"})
    assert response.status_code == 200
    assert response.context["makeup_q"] == "Ana"
