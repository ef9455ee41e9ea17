"""Query counts pinned: the same number of queries for 3 and for 15+ screens."""

import pytest
from django.urls import reverse

from screening import services
from screening.interpretation import Interpretation
from screening.queries import screen_interpretations
from tests.factories import EpisodeFactory, PrescriptionFactory
from tests.screening.conftest import ago

pytestmark = pytest.mark.django_db


def _screens(episode, cup, analytes, by, days, positive_every=3):
    """One screen a day on ``days``; every ``positive_every``-th one a pending COC positive."""
    coc = analytes["COC"]
    for i, day in enumerate(days):
        positive = i % positive_every == 0
        services.screen_record(
            episode=episode,
            collected_at=ago(day, minutes=i),
            by=by,
            panel=cup,
            results={coc.pk: "positive"} if positive else {},
            send_for_confirmation=positive,
        )


# The Screens tab: 1 session, 2 user, 3 SAVEPOINT (ATOMIC_REQUESTS), 4 client (scoped),
# 5 access event insert, 6 episodes, 7 permissions (user's and groups', one query), 8 panels,
# 9 their analytes, 10 screens (+panel, collector), 11 their results (+analyte), 12 prescriptions
# for the interpretation, 13 prescriptions listed (incl. entered in error), 14 RELEASE SAVEPOINT,
# 15 the analyte codes of the timeline's panels (what each panel cannot detect).
TAB_QUERIES = 15  # event sealed after commit (audit/chain.py)


def test_screens_tab_query_count_is_constant(
    as_therapist, episode1, cup, analytes, therapist, django_assert_num_queries
):
    PrescriptionFactory(client=episode1.client, analyte=analytes["BUP"], start=episode1.admitted_on)
    url = reverse("screening:client", args=[episode1.client.pk])
    _screens(episode1, cup, analytes, therapist, range(1, 4))
    with django_assert_num_queries(TAB_QUERIES):
        assert as_therapist.get(url).status_code == 200
    _screens(episode1, cup, analytes, therapist, range(4, 20))
    PrescriptionFactory(
        client=episode1.client, analyte=analytes["BZO"], medication="clonazepam", start=episode1.admitted_on
    )
    with django_assert_num_queries(TAB_QUERIES):
        response = as_therapist.get(url)
    assert response.content.decode().count("badge-interp") == 19


# Pending list: 1 session, 2 user, 3 SAVEPOINT, 4 pending results (+analyte, screen, episode,
# client, site; scoped by a subquery), 5 the page's access event (one INSERT), 6 permissions,
# 7 RELEASE.
PENDING_QUERIES = 7  # event sealed after commit (audit/chain.py)


def test_pending_list_query_count_is_constant(
    as_casemanager, episode1, cup, analytes, therapist, site1, django_assert_num_queries
):
    url = reverse("screening:pending")
    _screens(episode1, cup, analytes, therapist, range(1, 10))  # 3 positives pending
    with django_assert_num_queries(PENDING_QUERIES):
        assert as_casemanager.get(url).content.decode().count("Lab: COC confirmed negative") == 3
    other = EpisodeFactory(site=site1)
    _screens(other, cup, analytes, therapist, range(1, 37))  # 12 more pending
    with django_assert_num_queries(PENDING_QUERIES):
        response = as_casemanager.get(url)
    assert response.content.decode().count("Lab: COC confirmed negative") == 15


def test_screen_interpretations_three_queries_for_any_number_of_episodes(
    episode1, cup, analytes, therapist, site1, django_assert_num_queries
):
    bup = analytes["BUP"]
    PrescriptionFactory(client=episode1.client, analyte=bup, start=episode1.admitted_on)
    services.screen_record(episode=episode1, collected_at=ago(5), by=therapist, panel=cup)
    services.screen_record(episode=episode1, collected_at=ago(2), by=therapist, panel=cup, results={bup.pk: "positive"})
    others = [EpisodeFactory(site=site1) for _ in range(3)]
    for ep in others:
        _screens(ep, cup, analytes, therapist, range(1, 5))
    empty = EpisodeFactory(site=site1)
    with django_assert_num_queries(3):  # screens, their results (+analyte), the clients' prescriptions
        got = screen_interpretations([episode1.pk, empty.pk] + [e.pk for e in others])
    assert got[empty.pk] == []
    assert [i for _, i, _ in got[episode1.pk]] == [Interpretation.EXPECTED_POSITIVE, Interpretation.NEGATIVE]
    assert [i for _, i, _ in got[others[0].pk]][-1] == Interpretation.UNEXPECTED_POSITIVE  # lab pending
    days = [d for d, _, _ in got[others[0].pk]]
    assert days == sorted(days, reverse=True)


def test_screens_entered_in_error_are_left_out(episode1, cup, therapist):
    screen = services.screen_record(episode=episode1, collected_at=ago(2), by=therapist, panel=cup)
    screen.entered_in_error = True
    screen.save()
    assert screen_interpretations([episode1.pk]) == {episode1.pk: []}
