"""``seed_demo --clients N --weeks W``: the demo cast plus EXACTLY N active episodes at one
site, with W weeks of history written in bulk (dashboard/bulk_demo.py), snapshots current."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from attendance.models import Attendance
from audit.models import Signature
from checkins.models import CheckIn
from clients.models import Episode
from dashboard.models import MarkerSnapshot
from dashboard.queries import episode_evaluations
from dashboard.snapshots import evaluation_of, stale
from screening.models import Screen


def _seed(*args):
    out = io.StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


def test_a_second_run_with_clients_adds_nothing_to_an_existing_demo(db):
    _seed()
    episodes = Episode.objects.count()
    output = _seed("--clients", "12", "--weeks", "6")
    assert "already there" in output
    assert Episode.objects.count() == episodes


def test_the_bulk_program_is_varied_signed_and_its_snapshots_are_current(db):
    output = _seed("--clients", "30", "--weeks", "8")
    assert "30 active episodes" in output
    bulk = Episode.objects.filter(site__code="RIC", client__last_name__contains="-")
    assert bulk.count() == 30 and bulk.active().count() == 30
    weeks = Attendance.objects.filter(episode__in=bulk).count() / 30 / 3
    assert 6 <= weeks <= 9  # about three groups a week over 8 weeks
    assert Screen.objects.filter(episode__in=bulk).count() > 30 * 8
    signed = CheckIn.objects.filter(episode__in=bulk, signed_at__isnull=False)
    assert signed.count() >= 30 * 6
    assert Signature.objects.filter(record_type="checkins.checkin", record_pk__in=signed.values("pk")).count() == (
        signed.count()
    )
    today = timezone.localdate()
    assert not stale(Episode.objects.active(), today).exists()
    episodes = list(bulk.select_related("client"))
    fresh = episode_evaluations(episodes, today)
    for snapshot in MarkerSnapshot.objects.filter(episode__in=bulk):
        cached = evaluation_of(snapshot)
        assert (cached.step_down.status, cached.flags) == (
            fresh[snapshot.episode_id].step_down.status,
            fresh[snapshot.episode_id].flags,
        )
    statuses = {fresh[e.pk].step_down.status for e in episodes}
    assert len(statuses) >= 2  # varied: not every client in the same state
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "signatures intact" in out.getvalue()


@pytest.mark.skipif("connection.vendor != 'postgresql'")  # SQLite keeps no such statistics
def test_the_bulk_load_leaves_the_planner_statistics_of_what_it_filled(db):
    """PostgreSQL plans from table statistics; right after a bulk load (autovacuum not yet run,
    or off) it would plan for empty tables."""
    _seed("--clients", "12", "--weeks", "4")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, count(*) FROM pg_stats WHERE tablename IN "
            "('screening_screenresult', 'goals_goalrating', 'attendance_attendance', 'checkins_checkin', "
            "'goals_historicalgoal', 'screening_historicalscreen') "
            "GROUP BY tablename"
        )
        analyzed = dict(cursor.fetchall())  # column statistics: none for a table never analyzed
    assert set(analyzed) == {
        "screening_screenresult",
        "goals_goalrating",
        "attendance_attendance",
        "checkins_checkin",
        "goals_historicalgoal",  # read for a goal's status as of a week
        "screening_historicalscreen",
    }
