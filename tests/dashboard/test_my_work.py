"""My work: each kind of item reaches the right clinician only (never another therapist's,
never another site's), links to where it is done, and costs a fixed number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from aftercare.models import FollowUp
from attendance import services as attendance_services
from audit.models import AccessEvent
from checkins.services import checkin_save, checkin_sign
from dashboard.work import work_counts, work_lists
from programs.models import Supervision
from programs.roles import THERAPIST
from screening.models import ScreenResult
from tests.conftest import _login
from tests.factories import (
    AttendanceFactory,
    CheckInFactory,
    ClientFactory,
    EpisodeFactory,
    GoalFactory,
    ScreenFactory,
    ScreenResultFactory,
    SessionFactory,
    TrackFactory,
    UserFactory,
    WorksheetFactory,
    monday,
)

TODAY = timezone.localdate


@pytest.fixture
def therapist_b(site1):
    return UserFactory(username="therapistb", first_name="Bea", last_name="Other", role=THERAPIST, sites=[site1])


def _client_of(site, track, therapist, *, last_name, admitted_days_ago=56):
    return EpisodeFactory(
        client=ClientFactory(last_name=last_name, first_name="Pat"),
        site=site,
        track=track,
        primary_therapist=therapist,
        admitted_on=TODAY() - dt.timedelta(days=admitted_days_ago),
    )


def _items_for(site, therapist, tag):
    """One of each kind of item for ``therapist`` at ``site``; client surnames start with ``tag``."""
    track = TrackFactory(site=site, code=f"{tag}-TRK", name=f"{tag} track")
    settled = _client_of(site, track, therapist, last_name=f"{tag}Settled")
    GoalFactory(episode=settled)
    WorksheetFactory(episode=settled)
    risky = _client_of(site, track, therapist, last_name=f"{tag}Risky")
    CheckInFactory(episode=risky, week=monday() - dt.timedelta(weeks=1), author=therapist, risk="high")
    lab = _client_of(site, track, therapist, last_name=f"{tag}Lab")
    ScreenResultFactory(
        screen=ScreenFactory(episode=lab),
        result=ScreenResult.Result.POSITIVE,
        confirmation=ScreenResult.Confirmation.CONFIRMED_NEGATIVE,
        confirmation_sent_on=TODAY() - dt.timedelta(days=5),
        confirmed_on=TODAY() - dt.timedelta(days=1),
    )
    FollowUp.objects.create(episode=settled, offset_days=7, due_on=TODAY())
    newcomer = _client_of(site, track, therapist, last_name=f"{tag}New", admitted_days_ago=2)
    session = SessionFactory(
        site=site, track=track, date=TODAY(), facilitator=therapist, status="scheduled", topic=f"{tag} topic"
    )
    return {"settled": settled, "risky": risky, "lab": lab, "newcomer": newcomer, "session": session}


@pytest.fixture
def world(site1, site2, therapist, therapist_b, therapist2):
    return {
        "a": _items_for(site1, therapist, "Aa"),
        "b": _items_for(site1, therapist_b, "Bb"),
        "other_site": _items_for(site2, therapist2, "Oo"),
    }


def _names(episodes):
    return {e.client.last_name for e in episodes}


def test_each_kind_lists_my_items_only(world, therapist):
    lists = work_lists(therapist, TODAY())
    assert [s.topic for s in lists["sessions"]] == ["Aa topic"]
    assert _names(lists["alerts"]) == {"AaRisky"}
    assert {r.screen.episode.client.last_name for r in lists["labs"]} == {"AaLab"}
    assert _names(lists["checkins_due"]) == {"AaSettled", "AaRisky", "AaLab", "AaNew"}
    assert {f.episode.client.last_name for f in lists["followups"]} == {"AaSettled"}
    assert _names(lists["intakes"]) == {"AaNew"}
    assert lists["cosign_checkins"] == [] and lists["cosign_sessions"] == []


def test_the_other_therapist_sees_theirs_and_the_other_site_its_own(world, therapist_b, therapist2):
    b = work_lists(therapist_b, TODAY())
    assert _names(b["alerts"]) == {"BbRisky"} and _names(b["intakes"]) == {"BbNew"}
    other = work_lists(therapist2, TODAY())
    assert _names(other["alerts"]) == {"OoRisky"} and [s.topic for s in other["sessions"]] == ["Oo topic"]


def test_an_unfacilitated_session_of_my_clients_track_is_mine_to_take(world, therapist, therapist_b):
    track = world["a"]["risky"].track
    SessionFactory(site=track.site, track=track, date=TODAY(), start_time=dt.time(9, 0), status="scheduled")
    assert len(work_lists(therapist, TODAY())["sessions"]) == 2
    assert len(work_lists(therapist_b, TODAY())["sessions"]) == 1


def test_a_signed_or_cancelled_session_is_not_to_take(world, therapist):
    session = world["a"]["session"]
    AttendanceFactory(session=session, episode=world["a"]["settled"])
    attendance_services.session_note_sign(session=session, by=therapist)
    assert work_lists(therapist, TODAY())["sessions"] == []


def test_a_lab_result_leaves_the_list_once_the_screens_tab_is_opened(world, therapist, as_therapist):
    lab = world["a"]["lab"]
    assert as_therapist.get(reverse("screening:client", args=[lab.client_id])).status_code == 200
    assert work_lists(therapist, TODAY())["labs"] == []


def test_the_case_manager_sees_the_items_of_their_clients(world, casemanager):
    episode = world["a"]["risky"]
    episode.case_manager = casemanager
    episode.save()
    assert _names(work_lists(casemanager, TODAY())["alerts"]) == {"AaRisky"}


def test_notes_awaiting_my_cosignature(world, therapist, therapist_b, this_week_fields):
    Supervision.objects.create(clinician=therapist_b, supervisor=therapist)
    episode = world["b"]["settled"]
    draft = checkin_save(episode=episode, week=monday(), author=therapist_b, fields=this_week_fields)
    checkin_sign(checkin=draft, by=therapist_b)
    session = world["b"]["session"]
    AttendanceFactory(session=session, episode=episode)
    attendance_services.session_note_sign(session=session, by=therapist_b)

    mine = work_lists(therapist, TODAY())
    assert [c.episode_id for c in mine["cosign_checkins"]] == [episode.pk]
    assert [s.pk for s in mine["cosign_sessions"]] == [session.pk]
    assert work_lists(therapist_b, TODAY())["cosign_checkins"] == []  # the author waits, has nothing to co-sign


@pytest.fixture
def this_week_fields():
    return {"risk": "none", "recommendation": "continue"}


def test_the_page_links_each_item_to_where_it_is_done_and_logs_the_clients_listed(world, as_therapist):
    response = as_therapist.get(reverse("dashboard:my_work"))
    page = response.content.decode()
    a = world["a"]
    assert reverse("attendance:session", args=[a["session"].pk]) in page
    assert reverse("dashboard:progress", args=[a["risky"].client_id]) in page
    assert reverse("screening:client", args=[a["lab"].client_id]) in page
    assert reverse("checkins:open", args=[a["settled"].pk]) in page
    assert reverse("goals:client", args=[a["newcomer"].client_id]) in page
    assert "BbRisky" not in page and "OoRisky" not in page
    event = AccessEvent.objects.filter(path=reverse("dashboard:my_work")).get()
    assert set(event.client_ids) == {e.client_id for e in (a["settled"], a["risky"], a["lab"], a["newcomer"])}


def test_the_counts_for_the_navigation(world, therapist, as_therapist):
    as_therapist.get(reverse("dashboard:my_work"))  # brings the snapshots up to date
    counts = as_therapist.get(reverse("dashboard:my_work_counts")).json()
    assert counts == work_counts(therapist, TODAY())
    assert counts["sessions"] == 1 and counts["alerts"] == 1 and counts["labs"] == 1
    assert counts["checkins_due"] == 4 and counts["followups"] == 1 and counts["intakes"] == 1
    assert counts["total"] == 9
    assert 'id="nav-work-count"' in as_therapist.get(reverse("clients:list")).content.decode()


def test_therapists_land_on_my_work_and_case_managers_on_the_caseload(as_therapist, as_casemanager):
    assert as_therapist.get(reverse("dashboard:home")).url == reverse("dashboard:my_work")
    assert as_casemanager.get(reverse("dashboard:home")).url == reverse("dashboard:caseload")
    assert reverse("dashboard:my_work") in as_casemanager.get(reverse("dashboard:caseload")).content.decode()


def _many(site, therapist, n):
    track = TrackFactory(site=site, code=f"N{n}-TRK", name=f"N{n}")
    for i in range(n):
        episode = _client_of(site, track, therapist, last_name=f"N{i}", admitted_days_ago=2 if i % 2 else 56)
        CheckInFactory(episode=episode, week=monday() - dt.timedelta(weeks=1), author=therapist, risk="high")
        ScreenResultFactory(
            screen=ScreenFactory(episode=episode),
            confirmation=ScreenResult.Confirmation.CONFIRMED_POSITIVE,
            confirmed_on=TODAY(),
        )
        FollowUp.objects.create(episode=episode, offset_days=7, due_on=TODAY())


# session, user; 8 lists + the snapshot check; the access event (1: sealed after commit); perms (1:
# the user's and their groups', accounts/backends.py); savepoints (2)
MY_WORK_QUERIES = 15
COUNTS_QUERIES = 12  # the request's own (session, user, savepoints…) and one COUNT per kind


@pytest.mark.parametrize("n", [3, 30])
def test_the_page_and_the_counts_cost_the_same_queries_for_3_or_30_clients(
    n, site1, therapist, django_assert_num_queries
):
    _many(site1, therapist, n)
    http = _login(therapist)
    http.get(reverse("dashboard:my_work"))  # the first visit of the day computes the snapshots
    with django_assert_num_queries(MY_WORK_QUERIES):
        page = http.get(reverse("dashboard:my_work"))
    assert page.content.decode().count('class="list-group-item"') >= 4 * n
    with django_assert_num_queries(COUNTS_QUERIES):
        counts = http.get(reverse("dashboard:my_work_counts")).json()
    assert counts["alerts"] == n and counts["labs"] == n and counts["followups"] == n
