"""dashboard/queries.py: facts from the database in a fixed number of queries, read like the rules say.

``build_caseload`` (bulk inserts, no history rows) is shared with the caseload and command tests.
"""

import dataclasses
import datetime as dt

import pgtrigger
import pytest
from django.utils import timezone

from attendance.models import Attendance, Session
from checkins.models import CheckIn
from clients.models import Client, Episode
from dashboard.markers import FLAG_CODES, Thresholds
from dashboard.queries import QUERIES_PER_EVALUATION, episode_evaluations, evaluation_document
from goals.models import Goal, GoalRating, Worksheet
from iop.dates import week_start
from programs.models import Criteria
from screening.models import Screen, ScreenResult
from tests.factories import AnalyteFactory, PrescriptionFactory, ScreenFactory, ScreenResultFactory

AS_OF = dt.date(2026, 3, 5)  # a Thursday


def at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def build_caseload(count, *, site, track, therapist=None, casemanager=None, as_of=AS_OF, story="ready", prefix="B"):
    """``count`` active episodes at ``site`` with ``story``'s history, written in bulk.

    - ready:      8 weeks in; every Mon/Tue/Thu group attended (3 h) for 5 weeks; a negative
                  screen every Tuesday for 5 weeks; 2 goals rated 3 and 4 this week; this
                  week's check-in signed, recommending step-down → step-down ready, no flags.
    - approaching: the same, but the check-in recommends "continue".
    - struggling: 5 weeks in; absent from every session; one missed screen 3 days ago; no goals,
                  no check-in → not ready, flagged.
    """
    weeks_in = {"ready": 8, "approaching": 8, "struggling": 5}[story]
    first = Client.objects.count()
    clients = Client.objects.bulk_create(
        [
            Client(
                mrn=f"{site.code}-{prefix}{first + i:05d}",
                first_name=f"Ann{i}",
                last_name=f"Zed{i:05d}",
                date_of_birth=dt.date(1990, 1, 31),
            )
            for i in range(count)
        ]
    )
    episodes = Episode.objects.bulk_create(
        [
            Episode(
                client=c,
                ref=f"{c.mrn}-1",
                site=site,
                track=track,
                primary_therapist=therapist,
                case_manager=casemanager,
                admitted_on=as_of - dt.timedelta(weeks=weeks_in, days=2),
            )
            for c in clients
        ]
    )
    this_monday = week_start(as_of)
    days = [
        this_monday - dt.timedelta(weeks=w) + dt.timedelta(days=offset)
        for w in range(5, -1, -1)
        for offset in (0, 1, 3)
    ]
    days = [d for d in days if d <= as_of]
    sessions = [
        Session.objects.get_or_create(
            site=site,
            track=track,
            date=d,
            start_time=track.start_time,
            kind=Session.Kind.GROUP,
            defaults={"duration_minutes": 180, "status": Session.Status.HELD},
        )[0]
        for d in days
    ]
    attended = story != "struggling"
    Attendance.objects.bulk_create(
        [
            Attendance(
                session=s,
                episode=e,
                status="present" if attended else "absent",
                minutes_attended=180 if attended else 0,
            )
            for e in episodes
            for s in sessions
        ]
    )
    analyte = AnalyteFactory(code="FEN")
    if story == "struggling":
        screens = Screen.objects.bulk_create(
            [Screen(episode=e, collected_at=at(as_of - dt.timedelta(days=3)), outcome="missed") for e in episodes]
        )
    else:
        tuesdays = [this_monday - dt.timedelta(weeks=w) + dt.timedelta(days=1) for w in range(4, -1, -1)]
        screens = Screen.objects.bulk_create(
            [Screen(episode=e, collected_at=at(t)) for e in episodes for t in tuesdays]
        )
        ScreenResult.objects.bulk_create([ScreenResult(screen=s, analyte=analyte, result="negative") for s in screens])
        goals = Goal.objects.bulk_create(
            [
                Goal(episode=e, ref=f"G{n}", area="substance_use", statement="Stay sober")
                for e in episodes
                for n in (1, 2)
            ]
        )
        sheets = Worksheet.objects.bulk_create([Worksheet(episode=e, week=this_monday) for e in episodes])
        sheet_of = {s.episode_id: s for s in sheets}
        GoalRating.objects.bulk_create(
            [GoalRating(worksheet=sheet_of[g.episode_id], goal=g, rating=3 if g.ref == "G1" else 4) for g in goals]
        )
        recommendation = "step_down" if story == "ready" else "continue"
        author = therapist or casemanager
        CheckIn.objects.bulk_create(
            [
                CheckIn(
                    episode=e,
                    week=this_monday,
                    author=author,
                    recommendation=recommendation,
                    signed_at=at(as_of, 9),
                    signed_by=author,
                )
                for e in episodes
            ]
        )
    return episodes


def fresh(episodes):
    return list(Episode.objects.filter(pk__in=[e.pk for e in episodes]).select_related("client"))


def test_ready_history_reads_as_step_down_ready(site1, track1, therapist):
    [episode] = build_caseload(1, site=site1, track=track1, therapist=therapist)
    evaluation = episode_evaluations(fresh([episode]), AS_OF)[episode.pk]
    assert evaluation.step_down.status == "ready", evaluation.step_down.unmet
    assert evaluation.flags == ()
    assert evaluation.markers.hours_by_week == (9.0, 9.0, 9.0, 9.0)
    assert evaluation.markers.negative_streak == 5
    assert evaluation.markers.goals_on_track == 1.0  # ratings 3 and 4 are both on track


def test_struggling_history_is_not_ready_and_flagged(site1, track1, therapist):
    [episode] = build_caseload(1, site=site1, track=track1, therapist=therapist, story="struggling")
    evaluation = episode_evaluations(fresh([episode]), AS_OF)[episode.pk]
    assert evaluation.step_down.status == "not_ready"
    assert set(evaluation.flags) >= {"absences", "missed_screen", "screen_overdue", "checkin_overdue", "hours_short"}
    assert evaluation.markers.attendance_rate_4w == 0.0


@pytest.mark.parametrize("more", [10, 100])
def test_the_query_count_is_the_same_for_10_and_100_episodes(site1, track1, therapist, django_assert_num_queries, more):
    episodes = fresh(build_caseload(more, site=site1, track=track1, therapist=therapist))
    # criteria, attendance, screens, validity, results, prescriptions, worksheets, ratings, goals, check-ins
    with django_assert_num_queries(QUERIES_PER_EVALUATION):
        evaluations = episode_evaluations(episodes, AS_OF)
    assert len(evaluations) == more
    assert {e.step_down.status for e in evaluations.values()} == {"ready"}


def test_no_episodes_no_queries(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert episode_evaluations([], AS_OF) == {}


def _one_screen(episode, day, result, analyte, confirmation="not_sent", **screen):
    s = ScreenFactory(episode=episode, collected_at=at(day), **screen)
    ScreenResultFactory(screen=s, analyte=analyte, result=result, confirmation=confirmation)
    return s


def test_a_prescription_turns_a_positive_into_an_expected_one(episode1):
    bup = AnalyteFactory(code="BUP")
    PrescriptionFactory(client=episode1.client, analyte=bup, start=AS_OF - dt.timedelta(days=60))
    _one_screen(episode1, AS_OF - dt.timedelta(days=2), "positive", bup)
    markers = episode_evaluations(fresh([episode1]), AS_OF)[episode1.pk].markers
    assert (markers.negative_streak, markers.days_since_unexpected_positive) == (1, None)


@pytest.mark.parametrize(
    "prescription_end_days_ago, entered_in_error, expected_streak",
    [(1, False, 1), (3, False, 0), (None, True, 0)],
)
def test_a_prescription_explains_only_while_active_and_not_entered_in_error(
    episode1, prescription_end_days_ago, entered_in_error, expected_streak
):
    bup = AnalyteFactory(code="BUP")
    end = AS_OF - dt.timedelta(days=prescription_end_days_ago) if prescription_end_days_ago else None
    PrescriptionFactory(
        client=episode1.client,
        analyte=bup,
        start=AS_OF - dt.timedelta(days=60),
        end=end,
        entered_in_error=entered_in_error,
    )
    _one_screen(episode1, AS_OF - dt.timedelta(days=2), "positive", bup)
    assert episode_evaluations(fresh([episode1]), AS_OF)[episode1.pk].markers.negative_streak == expected_streak


@pytest.mark.parametrize(
    "result, confirmation, flag",
    [
        ("positive", "not_sent", "unexpected_positive"),
        ("positive", "confirmed_negative", None),  # a confirmed negative overturns the cup
        ("positive", "pending", "unexpected_positive"),  # awaiting the lab: unexpected until overturned
        ("negative", "not_sent", None),
    ],
)
def test_screen_results_are_interpreted_by_the_screening_rules(episode1, result, confirmation, flag):
    _one_screen(episode1, AS_OF - dt.timedelta(days=2), result, AnalyteFactory(code="COC"), confirmation)
    flags = episode_evaluations(fresh([episode1]), AS_OF)[episode1.pk].flags
    assert ("unexpected_positive" in flags) is (flag is not None)


def test_screens_entered_in_error_and_after_the_as_of_date_are_ignored(episode1):
    coc = AnalyteFactory(code="COC")
    _one_screen(episode1, AS_OF - dt.timedelta(days=2), "positive", coc, entered_in_error=True)
    _one_screen(episode1, AS_OF + dt.timedelta(days=1), "positive", coc)
    markers = episode_evaluations(fresh([episode1]), AS_OF)[episode1.pk].markers
    assert markers.last_screen_on is None


def test_a_screen_late_in_the_evening_counts_on_its_local_date(episode1):
    _one_screen(episode1, AS_OF, "negative", AnalyteFactory(code="COC")).collected_at = at(AS_OF, 23)
    Screen.objects.filter(episode=episode1).update(collected_at=at(AS_OF, 23))
    assert episode_evaluations(fresh([episode1]), AS_OF)[episode1.pk].markers.last_screen_on == AS_OF


def test_a_cancelled_session_counts_for_no_one(site1, track1, therapist):
    [episode] = build_caseload(1, site=site1, track=track1, therapist=therapist)
    last = Session.objects.filter(date__lt=AS_OF).order_by("-date").first()
    Attendance.objects.filter(session=last, episode=episode).update(status="absent", minutes_attended=0)
    before = episode_evaluations(fresh([episode]), AS_OF)[episode.pk].markers.attendance_rate_4w
    Session.objects.filter(pk=last.pk).update(status=Session.Status.CANCELLED)
    after = episode_evaluations(fresh([episode]), AS_OF)[episode.pk].markers.attendance_rate_4w
    assert before < 1.0 and after == 1.0


def test_risk_flag_comes_from_the_checkin_scoring_rule(site1, track1, therapist):
    [episode] = build_caseload(1, site=site1, track=track1, therapist=therapist)
    with pgtrigger.ignore("checkins.CheckIn:checkin_signed_no_update"):  # test data: signed check-ins are frozen
        CheckIn.objects.filter(episode=episode).update(phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, 1])
    evaluation = episode_evaluations(fresh([episode]), AS_OF)[episode.pk]
    assert "risk" in evaluation.flags
    assert evaluation.step_down.status == "approaching"


def test_each_site_uses_its_own_criteria(site1, site2, track1, therapist):
    from tests.factories import TrackFactory

    [ric] = build_caseload(1, site=site1, track=track1, therapist=therapist)
    [nor] = build_caseload(1, site=site2, track=TrackFactory(site=site2), therapist=therapist, prefix="N")
    Criteria.objects.create(site=site2, step_down_min_weeks=10)
    evaluations = episode_evaluations(fresh([ric, nor]), AS_OF)
    assert evaluations[ric.pk].step_down.status == "ready"
    assert evaluations[nor.pk].step_down.status == "approaching"


def test_thresholds_mirror_every_criteria_field_and_default():
    # The row's level and the hours a new episode of that level starts with are not thresholds.
    not_thresholds = ("id", "site", "level_of_care", "weekly_hours")
    model_fields = {f.name: f.default for f in Criteria._meta.concrete_fields if f.name not in not_thresholds}
    defaults = {f.name: f.default for f in dataclasses.fields(Thresholds)}
    assert set(model_fields) == set(defaults)
    for name, default in model_fields.items():
        assert float(default) == pytest.approx(float(defaults[name])), name


def test_evaluation_document_is_the_interface_object(episode1):
    [episode] = fresh([episode1])
    evaluation = episode_evaluations([episode], AS_OF)[episode.pk]
    doc = evaluation_document(episode, evaluation, AS_OF)
    assert list(doc)[:3] == ["mrn", "episode", "as_of"]
    assert (doc["mrn"], doc["episode"], doc["as_of"]) == ("RIC-0001", "RIC-0001-1", "2026-03-05")
    assert set(doc) == {"mrn", "episode", "as_of", "markers", "step_down", "graduation", "flags"}
    assert set(doc["flags"]) <= set(FLAG_CODES)


@pytest.mark.parametrize(
    "creatinine, gravity, invalid",
    [("10", "1.002", True), ("25", "1.002", False), (None, None, False)],
)
def test_a_dilute_specimen_reads_as_invalid(episode1, creatinine, gravity, invalid):
    _one_screen(
        episode1,
        AS_OF - dt.timedelta(days=2),
        "negative",
        AnalyteFactory(code="COC"),
        creatinine_mg_dl=creatinine,
        specific_gravity=gravity,
    )
    evaluation = episode_evaluations(fresh([episode1]), AS_OF)[episode1.pk]
    assert ("missed_screen" in evaluation.flags) is invalid
    assert evaluation.markers.negative_streak == (0 if invalid else 1)
