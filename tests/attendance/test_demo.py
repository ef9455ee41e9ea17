"""The demo attendance history fits each episode's story."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from attendance import demo, queries, rules
from attendance.models import Attendance, Session
from clients import demo as clients_demo


@pytest.fixture
def ctx(db):
    ctx = clients_demo.DemoContext(rng=random.Random(7), today=timezone.localdate(), weeks=12)
    clients_demo.seed_users_and_sites(ctx)
    clients_demo.seed_clients(ctx, 24)
    demo.seed(ctx)
    return ctx


def _rate(episode, today):
    as_of = min(today, episode.ended_on or today)
    rows = queries.attendance_rows([episode.pk], as_of - dt.timedelta(days=28))
    return rules.rate_over(queries.facts_of(rows), as_of).rate


def test_demo_attendance_follows_the_stories(ctx):
    today = ctx.today
    rates = {}
    for d in ctx.episodes:
        rate = _rate(d.episode, today)
        if rate is not None:
            rates.setdefault(d.story, []).append(rate)
    assert min(rates["ready_step_down"] + rates["ready_graduate"]) >= 0.9
    assert max(rates["struggling"]) < 0.9
    assert Attendance.history.count() == Attendance.objects.count() > 0


def test_demo_writes_no_attendance_outside_an_episode_or_on_cancelled_sessions(ctx):
    for row in Attendance.objects.select_related("session", "episode"):
        assert row.episode.covers(row.session.date)
        assert row.session.date < ctx.today
        assert row.session.status == Session.Status.HELD
    assert Session.objects.filter(date__gt=ctx.today, status="scheduled").exists()
    assert Session.objects.exclude(group_note="").filter(note_signed_at__isnull=False).exists()


def test_demo_has_telehealth_attendance(ctx):
    """Issue 14: video and phone sessions, and clients joining an in-person group by video."""
    modalities = set(Session.objects.filter(kind=Session.Kind.INDIVIDUAL).values_list("modality", flat=True))
    assert modalities == {"in_person", "video", "phone"}
    joined = Attendance.objects.filter(modality="video", session__kind=Session.Kind.GROUP)
    assert joined.exists()
    assert all(a.status in Attendance.ATTENDED and a.session.modality == "in_person" for a in joined)
