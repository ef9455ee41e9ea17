"""The from-scratch SQL reference (tests/bench/reference.py) gives, for every active episode, the
same markers, readiness and flags as ``evaluate`` through the app's fact queries: 0 differences.

Two independent implementations agreeing on varied histories (the agreement test's generator,
plus continuous stays — some in their settling-in days, some opened the day after —, evening
screens near midnight, odd PHQ-9 answers, unusual criteria and required hours, outpatient and
PHP episodes with their level's criteria, attendance corrected after signing, telehealth rows,
check-ins awaiting co-signature at a site whose readiness requires it) is what lets the
benchmark divide by the reference's time, and it checks the app's windowed fact queries against
a query that reads everything.
"""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import DateField, Exists, ExpressionWrapper, OuterRef
from django.utils import timezone

from attendance.models import Attendance, AttendanceCorrection, Session
from checkins.models import CheckIn
from clients.models import Episode
from dashboard.markers import FLAG_CODES, SETTLING_IN_FLAGS
from goals.models import Goal
from iop.dates import week_start
from programs.models import Criteria
from programs.services import criteria_defaults
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
        # a step-down or step-up continues the stay when the next episode opens that day or the next
        gap = dt.timedelta(days=3 if reason == "graduated" else 1 if n % 8 in (2, 5) else 0)
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


def outpatient_episodes(episodes):
    """Some first episodes at the outpatient level: judged by OP criteria (step-down not
    applicable, graduation thresholds of 0 that require nothing), one required hour for half."""
    op = [e.pk for e in episodes[80:112]]
    Episode.objects.filter(pk__in=op).update(level_of_care="OP")
    Episode.objects.filter(pk__in=op[::2]).update(required_weekly_hours=Decimal("1"))
    Episode.objects.filter(pk__in=[e.pk for e in episodes[112:124]]).update(level_of_care="PHP")


def telehealth(rng, episodes):
    """Sessions held by video, clients joining by phone: every modality counts the same."""
    sessions = list(Session.objects.order_by("pk").values_list("pk", flat=True))
    Session.objects.filter(pk__in=rng.sample(sessions, k=len(sessions) // 3)).update(modality="video")
    rows = Attendance.objects.filter(episode_id__in=[e.pk for e in episodes[::3]])
    rows.filter(pk__in=[pk for pk in rows.values_list("pk", flat=True) if rng.random() < 0.4]).update(modality="phone")


def corrections(rng, episodes, today, user):
    """Attendance corrected after signing: the latest correction (by corrected_at, then id) is
    what counts; some rows corrected twice, two corrections at the same instant, some corrected
    to cancelled (in no number), some rows of an episode a continuous stay carries."""
    chosen = [e.pk for e in episodes[:24:2] + episodes[124:170]]
    rows = list(
        Attendance.objects.filter(episode_id__in=chosen, session__date__gte=today - dt.timedelta(days=40)).order_by(
            "pk"
        )
    )
    made = []
    for n, row in enumerate(rng.sample(rows, k=min(len(rows), 140))):
        for k in range(1 + (n % 3 == 0)):
            status = rng.choice(["present", "late", "left_early", "excused", "absent", "cancelled"])
            minutes = rng.randint(20, 200) if status in ("present", "late", "left_early") else 0
            at = _local(today, 8) - dt.timedelta(days=5 - k) if n % 5 else _local(today, 8)  # same instant: id decides
            made.append(
                AttendanceCorrection(
                    attendance=row,
                    status=status,
                    minutes_attended=minutes,
                    reason="fix",
                    corrected_by=user,
                    corrected_at=at,
                )
            )
    AttendanceCorrection.objects.bulk_create(made)
    return made


def cosignatures(rng, today, supervisor):
    """Signed check-ins of the last weeks whose author needs co-signature: some co-signed, some
    still awaiting it (site2 requires the co-signature for readiness, site1 does not)."""
    recent = list(
        CheckIn.objects.filter(signed_at__isnull=False, week__gte=today - dt.timedelta(days=24)).order_by("pk")
    )
    awaiting = [c.pk for c in recent if rng.random() < 0.5]
    CheckIn.objects.filter(pk__in=awaiting).update(cosign_supervisor=supervisor)
    done = awaiting[::3]
    CheckIn.objects.filter(pk__in=done).update(cosigned_by=supervisor, cosigned_at=_local(today, 7))
    return len(awaiting) - len(done)


@pytest.fixture
def varied(site1, site2, track1, therapist, therapist2):
    Criteria.objects.create(
        site=site2,
        attendance_window_days=14,
        on_track_rating=2,
        worksheet_max_age_days=21,
        readiness_requires_cosignature=True,
    )
    # site2's outpatient row differs from the OP defaults site1 is judged by; site1's PHP row
    # asks for no step-down streak nor goals (0 = not required)
    op = {**criteria_defaults("OP"), "attendance_rate_min": Decimal("0.6"), "graduation_min_weeks": 2}
    Criteria.objects.create(site=site2, level_of_care="OP", hours_weeks_required=1, **op)
    Criteria.objects.create(
        site=site1,
        level_of_care="PHP",
        weekly_hours=Decimal("20"),
        step_down_streak=0,
        step_down_streak_days=0,
        step_down_goals_on_track=Decimal("0"),
    )
    track2 = TrackFactory(site=site2, code="NOR-AM", name="Morning")
    today = timezone.localdate()
    rng = random.Random(1616)
    episodes = generate(rng, sites=[(site1, track1), (site2, track2)], therapist=therapist, today=today)
    continue_stays(rng, episodes, today, therapist)
    edge_rows(rng, episodes, today, therapist)
    outpatient_episodes(episodes)
    telehealth(rng, episodes)
    corrections(rng, episodes, today, therapist)
    cosignatures(rng, today, therapist2)
    for story in ("ready", "approaching", "struggling"):  # stories that reach every status
        build_caseload(4, site=site1, track=track1, therapist=therapist, as_of=today, story=story, prefix=story[0])
    return today


def test_the_reference_query_equals_evaluate_for_every_episode(varied, site2):
    today = varied
    for as_of in (today, today - dt.timedelta(days=1), today - dt.timedelta(days=4), today - dt.timedelta(days=30)):
        assert reference_differences(connection, as_of)[:10] == [], as_of
    reference = reference_markers(connection, today)
    assert len(reference) == Episode.objects.active().count() >= 240
    # varied enough for the comparison to mean something
    statuses = {r["step_down"]["status"] for r in reference.values()} | {
        r["graduation"]["status"] for r in reference.values()
    }
    assert statuses == {"ready", "approaching", "not_ready", "not_applicable"}
    flags = {code for r in reference.values() for code in r["flags"]}
    assert flags == set(FLAG_CODES)
    assert sum(1 for r in reference.values() if r["markers"]["negative_streak"] >= 2) >= 5
    # the newer rules are exercised: continuous stays in their settling-in days (one opened the
    # day after the step-down), quiet for the settling-in flags; corrections; awaited co-signatures
    ended = Episode.objects.filter(client_id=OuterRef("client_id"), end_reason__in=["stepped_down", "stepped_up"])
    day_before = ExpressionWrapper(OuterRef("admitted_on") - dt.timedelta(days=1), output_field=DateField())
    settling = Episode.objects.active().filter(admitted_on__gt=today - dt.timedelta(days=7))
    settling = settling.filter(Exists(ended.filter(ended_on__lte=OuterRef("admitted_on"), ended_on__gte=day_before)))
    assert settling.count() >= 4
    assert settling.filter(Exists(ended.filter(ended_on=day_before))).exists()
    assert not [
        code
        for pk in settling.values_list("pk", flat=True)
        for code in reference[pk]["flags"]
        if code in SETTLING_IN_FLAGS
    ]
    assert AttendanceCorrection.objects.filter(attendance__episode__status="active").count() >= 50
    assert CheckIn.objects.filter(
        episode__status="active",
        episode__site=site2,
        signed_at__isnull=False,
        cosign_supervisor__isnull=False,
        cosigned_at__isnull=True,
    ).exists()


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
