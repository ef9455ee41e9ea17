import datetime as dt

import pytest
from django.utils import timezone

from aftercare.services import aftercare_plan_save, followups_schedule
from clients.models import Episode

PLAN = {
    "outpatient_sessions_per_week": 1,
    "mutual_help_meetings_per_week": 3,
    "recovery_supports": "Sponsor, sister, Tuesday SMART meeting.",
    "medication_provider": "Dr. Lee, Capitol Family Health",
    "crisis_plan": "Call the sponsor; if unsafe call 988 or go to the VCU emergency department.",
    "contact_name": "Maria Diaz (sister)",
    "contact_phone": "(804) 555-0134",
}


def episode_end(episode, *, days_ago, status=Episode.Status.GRADUATED):
    episode.status, episode.ended_on = status, timezone.localdate() - dt.timedelta(days=days_ago)
    episode.end_reason = status
    episode.save()
    return episode


@pytest.fixture
def graduated(episode1):
    """episode1, graduated 10 days ago, with its follow-ups (7 days: due; 30, 90: not yet)."""
    episode_end(episode1, days_ago=10)
    followups_schedule(episode=episode1)
    return episode1


@pytest.fixture
def plan1(graduated, casemanager):
    return aftercare_plan_save(episode=graduated, fields=dict(PLAN), by=casemanager)
