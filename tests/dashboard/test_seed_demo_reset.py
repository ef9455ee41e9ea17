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


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


def built_days_ago(days):
    DemoDataset.objects.update(built_for=timezone.localdate() - dt.timedelta(days=days))


def client_ids():
    return set(Client.objects.values_list("pk", flat=True))


def mrns():
    return set(Client.objects.values_list("mrn", flat=True))


@pytest.fixture
def demo(db, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-2026")
    seed("--seed", "7")
    return DemoDataset.objects.get()


def test_a_stale_demo_is_rebuilt_for_today_with_the_same_options_and_reset_rebuilds_now(demo):
    assert demo.built_for == timezone.localdate()
    assert (demo.clients, demo.weeks, demo.seed) == (0, 0, 7)  # the cast only
    assert demo.last_client_id == max(client_ids())
    cast = len(client_ids())
    assert "already there (built for" in seed()  # a second run adds nothing
    assert len(client_ids()) == cast

    old_clients, old_mrns, old_sessions = client_ids(), mrns(), Session.objects.count()
    assert CheckIn.objects.filter(signed_at__isnull=False).exists()  # signed rows go too (PG triggers)
    built_days_ago(8)
    out = seed()  # what make run does: no options

    assert "rebuilding it for today" in out
    stamp = DemoDataset.objects.get()
    assert (stamp.built_for, stamp.seed) == (timezone.localdate(), 7)
    assert len(client_ids()) == cast and not old_clients & client_ids()
    assert mrns() == old_mrns  # the same demo: RIC-0001 is Ana Diaz again, as in the README's tour
    assert Session.objects.count() == old_sessions  # rebuilt, not added to
    call_command("audit_verify", stdout=io.StringIO())  # the chains start over intact

    rebuilt = client_ids()
    seed("--reset", "--seed", "7")  # by hand, at once
    assert len(client_ids()) == cast and not rebuilt & client_ids()


def test_a_demo_a_week_old_is_kept_and_a_client_the_demo_did_not_write_stops_any_rebuild(demo):
    before = client_ids()
    built_days_ago(7)
    assert "already there" in seed()
    assert client_ids() == before

    ClientFactory(mrn="REAL-0001")
    built_days_ago(30)
    before = client_ids()
    out = seed()  # make run: a warning, and it goes on serving the data as it is
    assert "Not rebuilding the demo data: 1 client(s) in it were not written by seed_demo" in out
    with pytest.raises(CommandError, match="1 client\\(s\\) in it were not written by seed_demo"):
        seed("--reset")

    assert client_ids() == before
    assert DemoDataset.objects.get().built_for == timezone.localdate() - dt.timedelta(days=30)
