"""``manage.py markers`` prints the INTERFACES.md JSON, from the same code as the dashboard."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from dashboard.queries import episode_evaluations, evaluation_document
from iop.dates import week_start
from tests.dashboard.test_queries import AS_OF, build_caseload, fresh


def run(*args):
    out = io.StringIO()
    call_command("markers", *args, stdout=out)
    return json.loads(out.getvalue())


def test_markers_for_one_client_as_of_a_date(site1, track1, therapist):
    [episode] = build_caseload(1, site=site1, track=track1, therapist=therapist)
    doc = run("--mrn", episode.client.mrn, "--as-of", AS_OF.isoformat(), "--format", "json")
    assert (doc["mrn"], doc["episode"], doc["as_of"]) == (episode.client.mrn, episode.ref, "2026-03-05")
    assert doc["step_down"]["status"] == "ready"
    assert doc["markers"]["hours_by_week"] == [9.0, 9.0, 9.0, 9.0]
    assert doc["markers"]["negative_streak"] == 5
    assert [c["name"] for c in doc["graduation"]["criteria"]] == [
        "weeks_in_program",
        "attendance_rate",
        "weekly_hours",
        "negative_streak",
        "no_recent_positive",
        "goals_on_track",
        "recommendation",
        "no_recent_risk",
    ]


def test_markers_all_prints_an_array_of_every_active_episode_equal_to_the_dashboard_code(site1, track1, therapist):
    episodes = build_caseload(2, site=site1, track=track1, therapist=therapist)
    episodes += build_caseload(1, site=site1, track=track1, therapist=therapist, story="struggling", prefix="S")
    docs = run("--all", "--as-of", AS_OF.isoformat(), "--format", "json")
    assert isinstance(docs, list) and len(docs) == 3
    loaded = fresh(episodes)
    evaluations = episode_evaluations(loaded, AS_OF)
    expected = {e.ref: evaluation_document(e, evaluations[e.pk], AS_OF) for e in loaded}
    assert {d["episode"]: d for d in docs} == json.loads(json.dumps(expected))
    assert sorted(d["step_down"]["status"] for d in docs) == ["not_ready", "ready", "ready"]


def test_ended_episodes_are_not_listed(site1, track1, therapist):
    from clients.models import Episode

    [episode] = build_caseload(1, site=site1, track=track1, therapist=therapist)
    Episode.objects.filter(pk=episode.pk).update(status="graduated", ended_on=AS_OF)
    assert run("--all", "--as-of", AS_OF.isoformat()) == []
    with pytest.raises(CommandError, match="has no active episode"):
        run("--mrn", episode.client.mrn)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--mrn", "NOPE-1"], "No client with MRN 'NOPE-1'"),
        (["--mrn", "RIC-0001", "--as-of", "03/05/2026"], "--as-of must be a date as YYYY-MM-DD"),
        (["--mrn", "RIC-0001", "--as-of", "2026-02-30"], "--as-of must be a date"),
    ],
)
def test_bad_input_is_a_clear_error(episode1, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_mrn_and_all_are_exclusive_and_one_is_required(db):
    with pytest.raises(CommandError):
        run("--all", "--mrn", "X")
    with pytest.raises(CommandError):
        run()


def test_default_as_of_is_today(episode1):
    from django.utils import timezone

    assert run("--mrn", "RIC-0001")["as_of"] == timezone.localdate().isoformat()


def test_the_demo_data_shows_every_state_on_the_markers(db):
    """seed_demo (every app's demo) → ready, approaching, not ready and flagged clients, and the
    decision that ended each ended episode with its evidence."""
    from dashboard.models import Decision

    call_command("seed_demo", "--force", stdout=io.StringIO())
    docs = run("--all")
    step_down = {d["step_down"]["status"] for d in docs}
    assert {"ready", "approaching", "not_ready"} <= step_down
    assert any(d["graduation"]["status"] == "ready" for d in docs)
    assert any(d["flags"] for d in docs)
    from clients.models import Episode

    ended = Decision.objects.filter(kind__in=["graduate", "step_down", "discharge"])
    assert ended.count() == Episode.objects.exclude(status="active").count() > 0
    assert all(d.evidence["episode"] == d.episode.ref for d in ended.select_related("episode"))


# --- DOMAIN.md "Settled readings", through the command (one row each) -------------------------


def _screen(episode, days_ago, result="positive", confirmation="not_sent", code="COC", **fields):
    from screening.models import Screen, ScreenResult
    from tests.dashboard.test_queries import at
    from tests.factories import AnalyteFactory

    screen = Screen.objects.create(episode=episode, collected_at=at(AS_OF - dt.timedelta(days=days_ago)), **fields)
    if result is not None:
        ScreenResult.objects.create(
            screen=screen, analyte=AnalyteFactory(code=code), result=result, confirmation=confirmation
        )
    return screen


def _pending_positive(episode):
    _screen(episode, 1, "positive", "pending")


def _inconclusive(episode):
    _screen(episode, 1, "inconclusive", "not_sent")


def _unrated_goal(episode):
    from goals.models import Goal
    from tests.dashboard.test_queries import at

    goal = Goal.objects.create(episode=episode, ref="G3", area="legal", statement="Court dates")
    Goal.objects.filter(pk=goal.pk).update(created_at=at(AS_OF - dt.timedelta(days=20)))


def _all_achieved(episode):
    from goals.models import Goal, GoalRating

    GoalRating.objects.filter(worksheet__episode=episode).update(rating=1)
    Goal.objects.filter(episode=episode).update(status="achieved")


def _old_signed_checkin_only(episode):
    import pgtrigger

    from checkins.models import CheckIn

    with pgtrigger.ignore("checkins.CheckIn:checkin_signed_no_update"):  # moving test data back in time
        CheckIn.objects.filter(episode=episode).update(week=week_start(AS_OF) - dt.timedelta(weeks=6))


def _risky_draft_last_week(episode):
    from checkins.models import CheckIn

    CheckIn.objects.create(
        episode=episode, week=week_start(AS_OF) - dt.timedelta(weeks=1), risk="high", author=episode.primary_therapist
    )


def _admitted_last_wednesday_short(episode):
    from attendance.models import Attendance
    from clients.models import Episode

    last_monday = week_start(AS_OF) - dt.timedelta(weeks=1)
    Episode.objects.filter(pk=episode.pk).update(admitted_on=last_monday + dt.timedelta(days=2))
    Attendance.objects.filter(episode=episode, session__date__lt=last_monday + dt.timedelta(days=3)).delete()


def _previous_episode(episode, *, gap_days, bad_screen=True, risky=False, absences=False):
    """An earlier episode of the same client ended by a step-down ``gap_days`` before this one opened."""
    from attendance.models import Attendance, Session
    from checkins.models import CheckIn
    from clients.models import Episode

    opened = AS_OF - dt.timedelta(days=5)  # a Saturday
    Episode.objects.filter(pk=episode.pk).update(admitted_on=opened)
    previous = Episode.objects.create(
        client=episode.client,
        ref=f"{episode.client.mrn}-0",
        site=episode.site,
        track=episode.track,
        admitted_on=opened - dt.timedelta(weeks=10),
        status="stepped_down",
        ended_on=opened - dt.timedelta(days=gap_days),
        end_reason="stepped_down",
    )
    if bad_screen:
        _screen(previous, 12)
    if risky:
        CheckIn.objects.create(
            episode=previous,
            week=week_start(opened),  # 9 days before AS_OF
            risk="high",
            author=episode.primary_therapist,
        )
    if absences:
        for days_ago in (6, 5):
            session = Session.objects.create(
                site=episode.site,
                track=episode.track,
                date=AS_OF - dt.timedelta(days=days_ago),
                start_time=dt.time(7),
                duration_minutes=60,
            )
            Attendance.objects.create(session=session, episode=previous, status="absent", minutes_attended=0)
    return previous


def _criterion(doc, name, which="step_down"):
    return next(c for c in doc[which]["criteria"] if c["name"] == name)


SETTLED = {
    "presumptive_positive_awaiting_lab": (
        _pending_positive,
        lambda d: (
            "unexpected_positive" in d["flags"]
            and d["markers"]["negative_streak"] == 0
            and d["markers"]["days_since_unexpected_positive"] == 1
            and d["step_down"]["status"] != "ready"
        ),
    ),
    "inconclusive_breaks_the_streak_only": (
        _inconclusive,
        lambda d: (
            d["markers"]["negative_streak"] == 0
            and "missed_screen" not in d["flags"]
            and "screen_overdue" not in d["flags"]
            and _criterion(d, "no_recent_positive")["met"]
        ),
    ),
    "unrated_active_goal_is_not_on_track": (_unrated_goal, lambda d: d["markers"]["goals_on_track"] == 0.67),
    "all_goals_achieved_is_met": (_all_achieved, lambda d: _criterion(d, "goals_on_track", "graduation")["met"]),
    "latest_signed_checkin_at_any_age": (
        _old_signed_checkin_only,
        lambda d: (
            d["markers"]["latest_checkin_on"] == (week_start(AS_OF) - dt.timedelta(weeks=6)).isoformat()
            and not _criterion(d, "recommendation")["met"]
        ),
    ),
    "risk_from_a_draft_dated_by_its_monday": (
        _risky_draft_last_week,
        lambda d: _criterion(d, "no_recent_risk")["measured"] == 10 and not _criterion(d, "no_recent_risk")["met"],
    ),
    "hours_short_not_raised_for_the_partial_admission_week": (
        _admitted_last_wednesday_short,
        lambda d: d["markers"]["hours_by_week"][-1] < 9 and "hours_short" not in d["flags"],
    ),
    "continuous_stay_carries_screens": (
        lambda e: _previous_episode(e, gap_days=0),
        lambda d: "unexpected_positive" in d["flags"] and not _criterion(d, "no_recent_positive")["met"],
    ),
    "continuous_stay_carries_risk": (
        lambda e: _previous_episode(e, gap_days=0, bad_screen=False, risky=True),
        lambda d: not _criterion(d, "no_recent_risk")["met"],
    ),
    "continuous_stay_carries_absences": (
        lambda e: _previous_episode(e, gap_days=0, bad_screen=False, absences=True),
        lambda d: "absences" in d["flags"],
    ),
    "a_readmission_after_a_gap_starts_afresh": (
        # ended two days before: a gap (the day before still continues the stay)
        lambda e: _previous_episode(e, gap_days=2, risky=True, absences=True),
        lambda d: not {"unexpected_positive", "absences"} & set(d["flags"]) and _criterion(d, "no_recent_risk")["met"],
    ),
}


@pytest.mark.parametrize("reading", list(SETTLED))
def test_settled_reading_through_the_command(site1, track1, therapist, reading):
    change, holds = SETTLED[reading]
    [episode] = build_caseload(1, site=site1, track=track1, therapist=therapist)
    change(episode)
    doc = run("--mrn", episode.client.mrn, "--as-of", AS_OF.isoformat(), "--format", "json")
    assert holds(doc), doc


def refresh(*args):
    out = io.StringIO()
    call_command("markers", "--refresh", *args, stdout=out)
    return out.getvalue()


def test_refresh_recomputes_the_stale_snapshots_of_a_site_as_of_a_day(site1, site2, track1, therapist):
    from dashboard.models import MarkerSnapshot
    from tests.factories import TrackFactory

    ours = build_caseload(2, site=site1, track=track1, therapist=therapist)
    theirs = build_caseload(1, site=site2, track=TrackFactory(site=site2), therapist=therapist, prefix="N")
    assert refresh("--site", "RIC", "--as-of", AS_OF.isoformat()) == "Refreshed 2 markers snapshots as of 2026-03-05.\n"
    snapshots = MarkerSnapshot.objects.filter(episode__in=ours)
    assert {s.as_of for s in snapshots} == {AS_OF} and not MarkerSnapshot.objects.filter(episode__in=theirs).exists()
    assert {s.step_down_status for s in snapshots} == {"ready"}
    assert refresh("--site", "RIC", "--as-of", AS_OF.isoformat()).startswith("Refreshed 0 ")  # all current
    assert refresh("--as-of", AS_OF.isoformat()).startswith("Refreshed 1 ")  # the other site's


@pytest.mark.parametrize(
    "args, message",
    [(["--site", "XXX"], "No site with code 'XXX'."), (["--as-of", "03/05/2026"], "--as-of must be a date")],
)
def test_refresh_refuses_an_unknown_site_or_a_bad_day(db, args, message):
    with pytest.raises(CommandError, match=message):
        refresh(*args)


def test_site_goes_with_refresh(db):
    with pytest.raises(CommandError, match="--site goes with --refresh"):
        call_command("markers", "--all", "--site", "RIC", stdout=io.StringIO())
