"""The from-scratch SQL reference (tests/bench/reference.py) gives, for every active episode, the
same markers, readiness and flags as ``evaluate`` through the app's fact queries: 0 differences.

Two independent implementations agreeing on varied histories (the agreement test's generator,
plus continuous stays, evening screens near midnight, odd PHQ-9 answers, unusual criteria and
required hours) is what lets the benchmark divide by the reference's time, and it checks the
app's windowed fact queries against a query that reads everything.
"""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from checkins.models import CheckIn
from clients.models import Episode
from dashboard.markers import FLAG_CODES
from goals.models import Goal
from iop.dates import week_start
from programs.models import Criteria
from screening.models import Analyte, Prescription, Screen, ScreenResult
from tests.bench.reference import reference_differences, reference_markers
from tests.dashboard.test_agreement import generate
from tests.dashboard.test_queries import build_caseload
from tests.factories import TrackFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the reference query is PostgreSQL SQL (AT TIME ZONE, jsonb, DISTINCT ON)"
)


def _local(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def continue_stays(rng, episodes, today, therapist):
    """End a few generated episodes by a step-down (or step-up) and open the next episode the
    same day (a continuous stay), some twice; one readmission after a gap (starts afresh)."""
    made = []
    for n, e in enumerate(episodes[:24]):
        ended_on = today - dt.timedelta(days=rng.choice([0, 1, 2, 3, 5, 9, 20]))
        if ended_on < e.admitted_on:
            continue
        reason = ["stepped_down", "stepped_up", "stepped_down", "graduated"][n % 4]
        gap = dt.timedelta(days=3 if reason == "graduated" else 0)
        Episode.objects.filter(pk=e.pk).update(status="discharged", ended_on=ended_on, end_reason=reason)
        new = Episode.objects.create(
            client_id=e.client_id,
            ref=f"{e.ref[:-2]}-2",
            site_id=e.site_id,
            track_id=e.track_id,
            primary_therapist=therapist,
            admitted_on=min(ended_on + gap, today),
            required_weekly_hours=Decimal("1.1") if n % 5 == 0 else Decimal("6"),
            level_of_care="OP" if reason == "stepped_down" else "PHP",
        )
        made.append(new)
        # the new episode's own first days: a screen, an absence-free check-in draft with risk
        if new.admitted_on < today:
            Screen.objects.create(episode=new, collected_at=_local(new.admitted_on, 23, 40), outcome="completed")
        if n % 3 == 0:
            CheckIn.objects.create(
                episode=new, week=week_start(new.admitted_on), author=therapist, risk="none", phq9_items=[0] * 9
            )
    return made


def edge_rows(rng, episodes, today, therapist):
    """Screens late in the evening (after midnight UTC), same-day pairs, PHQ-9 answers that are
    not a list of nine whole numbers, goals set late in the evening."""
    coc = Analyte.objects.get(code="COC")
    for n, e in enumerate(episodes[24:80]):
        day = today - dt.timedelta(days=rng.randint(0, 20))
        if day < e.admitted_on:
            continue
        late = Screen.objects.create(episode=e, collected_at=_local(day, 23, 50), outcome="completed")
        ScreenResult.objects.create(screen=late, analyte=coc, result=rng.choice(["positive", "negative"]))
        if n % 2:
            Screen.objects.create(episode=e, collected_at=_local(day, 6, 5 + n % 50), outcome="missed")
        week = week_start(day)
        if not CheckIn.objects.filter(episode=e, week=week).exists():
            odd = [[0] * 8 + [1.0], [0] * 8, [0] * 8 + [True], [0] * 8 + [2], {"9": 1}, "1"][n % 6]
            CheckIn.objects.create(episode=e, week=week, author=therapist, risk="low", phq9_items=odd)
        goal = Goal.objects.create(episode=e, ref=f"G{90 + n}", area="housing", statement="Keep the flat")
        Goal.objects.filter(pk=goal.pk).update(created_at=_local(week + dt.timedelta(days=6), 23, 30))
    # a prescription starting the day after an evening screen's UTC date
    for e in episodes[24:40]:
        Prescription.objects.create(client_id=e.client_id, analyte=coc, medication="m", start=today)


@pytest.fixture
def varied(site1, site2, track1, therapist):
    Criteria.objects.create(site=site2, attendance_window_days=14, on_track_rating=2, worksheet_max_age_days=21)
    track2 = TrackFactory(site=site2, code="NOR-AM", name="Morning")
    today = timezone.localdate()
    rng = random.Random(1616)
    episodes = generate(rng, sites=[(site1, track1), (site2, track2)], therapist=therapist, today=today)
    continue_stays(rng, episodes, today, therapist)
    edge_rows(rng, episodes, today, therapist)
    for story in ("ready", "approaching", "struggling"):  # stories that reach every status
        build_caseload(4, site=site1, track=track1, therapist=therapist, as_of=today, story=story, prefix=story[0])
    return today


def test_the_reference_query_equals_evaluate_for_every_episode(varied):
    today = varied
    for as_of in (today, today - dt.timedelta(days=1), today - dt.timedelta(days=4), today - dt.timedelta(days=30)):
        assert reference_differences(connection, as_of)[:10] == [], as_of
    reference = reference_markers(connection, today)
    assert len(reference) == Episode.objects.active().count() >= 240
    # varied enough for the comparison to mean something
    statuses = {r["step_down"]["status"] for r in reference.values()} | {
        r["graduation"]["status"] for r in reference.values()
    }
    assert statuses == {"ready", "approaching", "not_ready"}
    flags = {code for r in reference.values() for code in r["flags"]}
    assert flags == set(FLAG_CODES)
    assert sum(1 for r in reference.values() if r["markers"]["negative_streak"] >= 2) >= 5


def test_unusual_criteria_and_required_hours_agree_too(varied, site1):
    """Long flag windows (absences over 40 days, positives over 60), a short hours window, a
    check-in weekday of Monday: the app's fact windows must still cover what the rules read."""
    today = varied
    Criteria.objects.create(
        site=site1,
        flag_absences_days=40,
        flag_absences_count=3,
        flag_positive_days=60,
        flag_missed_days=50,
        flag_screen_overdue_days=3,
        hours_weeks_window=2,
        hours_weeks_required=1,
        attendance_window_days=10,
        worksheet_max_age_days=7,
        checkin_max_age_days=30,
        risk_free_days=40,
        no_positive_days=60,
        graduation_streak=3,
        graduation_streak_days=5,
        flag_checkin_weekday=0,
    )
    assert reference_differences(connection, today)[:10] == []


def test_one_episode_at_a_time(varied):
    """What the benchmark times for one client's Progress tab: the same query, one episode."""
    today = varied
    episode = Episode.objects.active().order_by("pk").first()
    [(pk, one)] = reference_markers(connection, today, [episode.pk]).items()
    assert pk == episode.pk
    assert one == reference_markers(connection, today)[episode.pk]
    assert reference_differences(connection, today, [episode.pk]) == []
