"""Generating a track's scheduled sessions: the command and the admin action."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from attendance.models import Session
from tests.factories import TrackFactory

MON = dt.date(2026, 3, 2)


def test_command_generates_a_tracks_sessions_and_skips_existing_ones(track1):
    call_command("generate_sessions", "--track", "RIC-EVE", "--from", "2026-03-02", "--to", "2026-03-08")
    assert Session.objects.filter(track=track1, status="scheduled").count() == 3
    call_command("generate_sessions", "--track", "RIC-EVE", "--from", "2026-03-02", "--to", "2026-03-15")
    assert Session.objects.filter(track=track1).count() == 6


def test_command_all_covers_every_active_track(track1, site1):
    TrackFactory(site=site1, weekdays=["wed"], start_time=dt.time(11), end_time=dt.time(14))
    TrackFactory(site=site1, weekdays=["fri"], active=False)
    call_command("generate_sessions", "--all", "--from", "2026-03-02", "--to", "2026-03-08")
    assert Session.objects.count() == 4


@pytest.mark.parametrize(
    "args, message",
    [
        (["--track", "NOPE", "--from", "2026-03-02", "--to", "2026-03-08"], "No track"),
        (["--track", "RIC-EVE", "--from", "2026-03-09", "--to", "2026-03-02"], "before"),
        (["--track", "RIC-EVE", "--from", "03/02/2026", "--to", "2026-03-08"], "Not a date"),
    ],
)
def test_command_refuses_bad_arguments(track1, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_sessions", *args)
    assert not Session.objects.exists()


def test_admin_action_asks_for_a_range_then_generates(as_admin, track1):
    url = "/admin/programs/track/"
    form = as_admin.post(url, {"action": "generate_sessions", "_selected_action": [track1.pk]})
    assert form.status_code == 200
    assert "Generate scheduled sessions" in form.content.decode()
    done = as_admin.post(
        url,
        {
            "action": "generate_sessions",
            "_selected_action": [track1.pk],
            "apply": "1",
            "date_from": "2026-03-02",
            "date_to": "2026-03-15",
        },
        follow=True,
    )
    assert "6 session(s) created" in done.content.decode()
    assert Session.objects.filter(track=track1).count() == 6
