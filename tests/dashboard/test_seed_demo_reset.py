"""#15 "a demo that stays alive": seed_demo rebuilds a demo database more than a week old, and
``--reset`` rebuilds it by hand — never a database holding a client the demo did not write."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from attendance.models import Session
from checkins.models import CheckIn
from clients.models import Client
from iop.models import DemoDataset
from tests.factories import ClientFactory

SMALL = ("--clients", "4", "--weeks", "3", "--seed", "7")


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


def built_days_ago(days):
    DemoDataset.objects.update(built_for=timezone.localdate() - dt.timedelta(days=days))


@pytest.fixture
def demo(db, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-2026")
    seed(*SMALL)
    return DemoDataset.objects.get()


def test_seed_demo_records_the_day_and_options_it_was_built_for(demo):
    assert demo.built_for == timezone.localdate()
    assert (demo.clients, demo.weeks, demo.seed) == (4, 3, 7)
    assert demo.last_client_id == Client.objects.order_by("-pk").first().pk
    assert "already there (built for" in seed()  # a second run adds nothing
    assert Client.objects.count() == 4


def test_a_demo_more_than_a_week_old_is_rebuilt_for_today_with_the_same_options(demo):
    old_clients = set(Client.objects.values_list("pk", flat=True))
    old_sessions = Session.objects.count()
    assert CheckIn.objects.filter(signed_at__isnull=False).exists()  # signed rows go too (PG triggers)
    built_days_ago(8)

    out = seed()  # what make run does: no options

    assert "rebuilding it for today" in out
    stamp = DemoDataset.objects.get()
    assert stamp.built_for == timezone.localdate()
    assert (stamp.clients, stamp.weeks, stamp.seed) == (4, 3, 7)
    assert Client.objects.count() == 4
    assert not old_clients & set(Client.objects.values_list("pk", flat=True))
    assert Session.objects.count() == old_sessions  # rebuilt, not added to
    call_command("audit_verify", stdout=io.StringIO())  # the chains start over intact


def test_a_demo_a_week_old_is_kept(demo):
    before = set(Client.objects.values_list("pk", flat=True))
    built_days_ago(7)

    assert "already there" in seed()
    assert set(Client.objects.values_list("pk", flat=True)) == before


def test_reset_rebuilds_now(demo):
    before = set(Client.objects.values_list("pk", flat=True))

    seed("--reset", *SMALL)

    assert Client.objects.count() == 4
    assert not before & set(Client.objects.values_list("pk", flat=True))


def test_a_client_the_demo_did_not_write_stops_any_rebuild_and_nothing_changes(demo):
    ClientFactory(mrn="REAL-0001")
    built_days_ago(30)
    before = set(Client.objects.values_list("pk", flat=True))

    out = seed()  # make run: a warning, and it goes on serving the data as it is
    assert "Not rebuilding the demo data: 1 client(s) in it were not written by seed_demo" in out
    with pytest.raises(CommandError, match="1 client\\(s\\) in it were not written by seed_demo"):
        seed("--reset")

    assert set(Client.objects.values_list("pk", flat=True)) == before
    assert DemoDataset.objects.get().built_for == timezone.localdate() - dt.timedelta(days=30)
