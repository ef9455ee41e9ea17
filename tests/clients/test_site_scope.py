"""Issue 12 #5: a client readmitted at another site. Site-1 staff still see the client (their
old episode) but neither see nor write the site-2 episode; site-2 staff do not see site 1's."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import Attendance
from clients.models import Episode
from dashboard.models import Decision
from screening.models import Screen
from tests.factories import EpisodeFactory, TrackFactory


@pytest.fixture
def readmitted(episode1, site2, therapist2):
    """episode1 (site 1) ended three weeks ago; the client is now active at site 2."""
    today = timezone.localdate()
    Episode.objects.filter(pk=episode1.pk).update(
        status=Episode.Status.DISCHARGED,
        end_reason=Episode.EndReason.ADMINISTRATIVE,
        ended_on=today - dt.timedelta(weeks=3),
    )
    return EpisodeFactory(
        client=episode1.client,
        ref="RIC-0001-2",
        site=site2,
        track=TrackFactory(site=site2, code="NOR-EVE"),
        admitted_on=today - dt.timedelta(weeks=2),
        primary_therapist=therapist2,
    )


def test_site1_refused_screen_does_not_write_the_site2_episode(as_therapist, readmitted):
    collected = timezone.localtime() - dt.timedelta(hours=1)
    response = as_therapist.post(
        reverse("screening:record", args=[readmitted.client_id]),
        {
            "outcome": "refused",
            "noresult-collected_at": collected.strftime("%Y-%m-%dT%H:%M"),
            "noresult-reason": "Refused",
        },
    )
    assert response.status_code in (302, 404)
    assert not Screen.objects.exists()


def test_site1_individual_session_does_not_write_the_site2_episode(as_therapist, readmitted):
    response = as_therapist.post(
        reverse("attendance:individual_log", args=[readmitted.client_id]),
        {
            "kind": "individual",
            "date": timezone.localdate().isoformat(),
            "start_time": "15:00",
            "duration_minutes": 50,
            "status": "present",
        },
    )
    assert response.status_code in (400, 404)
    assert not Attendance.objects.filter(episode=readmitted).exists()


def test_site1_continue_decision_does_not_write_the_site2_episode(as_casemanager, readmitted):
    response = as_casemanager.post(
        reverse("dashboard:decision_new", args=[readmitted.client_id]),
        {"kind": "continue", "decided_on": timezone.localdate().isoformat(), "rationale": "Team meeting."},
    )
    assert response.status_code in (302, 404)
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "url_name", ["clients:detail", "attendance:client", "screening:client", "goals:client", "checkins:client"]
)
def test_each_site_reads_only_its_own_episode(as_therapist, as_therapist2, readmitted, episode1, url_name):
    url = reverse(url_name, args=[readmitted.client_id])
    site1, site2 = as_therapist.get(url), as_therapist2.get(url)
    assert [e.ref for e in site1.context["episodes"]] == [episode1.ref]
    assert site1.context["episode"].ref == episode1.ref
    assert [e.ref for e in site2.context["episodes"]] == [readmitted.ref]


def test_site1_decisions_of_the_site2_episode_are_not_shown(as_casemanager, readmitted, therapist2):
    Decision.objects.create(
        episode=readmitted,
        kind=Decision.Kind.CONTINUE,
        decided_on=timezone.localdate(),
        decided_by=therapist2,
        rationale="Norfolk team meeting note.",
        evidence={},
    )
    page = as_casemanager.get(reverse("dashboard:progress", args=[readmitted.client_id])).content.decode()
    assert "Norfolk team meeting note." not in page
