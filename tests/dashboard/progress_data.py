"""Build an episode's history with the factories (used by the progress, decision and browser tests).

``history_build(episode, weeks=W)`` gives the episode, over the last W weeks up to today,
full attendance (3 sessions × 3 hours every week), a negative screen every week, a worksheet
with its goals rated "good" every week and a signed check-in every week recommending
``recommendation`` (the latest one this week). Admitted ≥ 6 weeks ago, that client is ready
to step down as of today.
"""

import datetime as dt

from django.utils import timezone

from attendance.models import Session
from checkins.models import CheckIn
from iop.dates import week_start
from screening.models import ScreenResult
from tests.factories import (
    AnalyteFactory,
    AttendanceFactory,
    CheckInFactory,
    GoalFactory,
    GoalRatingFactory,
    ScreenFactory,
    ScreenResultFactory,
    WorksheetFactory,
)


def _session(episode, day):
    session, _ = Session.objects.get_or_create(
        site=episode.site,
        track=episode.track,
        date=day,
        start_time=dt.time(18, 0),
        kind=Session.Kind.GROUP,
        defaults={"duration_minutes": 180, "status": Session.Status.HELD},
    )
    return session


def _at(day, hour):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def history_build(episode, *, weeks=6, author, recommendation=CheckIn.Recommendation.STEP_DOWN, goals=2):
    today = timezone.localdate()
    this_monday = week_start(today)
    thc = AnalyteFactory(code="THC")
    goal_rows = [GoalFactory(episode=episode, ref=f"G{i + 1}") for i in range(goals)]
    for n in range(weeks, -1, -1):  # the current week too
        monday = this_monday - dt.timedelta(weeks=n)
        for offset in (0, 1, 3):  # Monday, Tuesday, Thursday
            day = monday + dt.timedelta(days=offset)
            if episode.admitted_on <= day <= today:
                AttendanceFactory(session=_session(episode, day), episode=episode)
        screen_day = min(monday + dt.timedelta(days=1), today)
        if screen_day >= episode.admitted_on:
            ScreenResultFactory(
                screen=ScreenFactory(episode=episode, collected_at=_at(screen_day, 17)),
                analyte=thc,
                result=ScreenResult.Result.NEGATIVE,
            )
        if monday >= week_start(episode.admitted_on):
            worksheet = WorksheetFactory(episode=episode, week=monday)
            for goal in goal_rows:
                GoalRatingFactory(worksheet=worksheet, goal=goal, rating=3)
            CheckInFactory(
                episode=episode,
                week=monday,
                author=author,
                cravings=n % 5,
                phq9_items=[1, 1, 0, 1, 0, 1, 0, 0, 0],
                gad7_items=[1, 0, 1, 0, 1, 0, 0],
                recommendation=recommendation if n == 0 else CheckIn.Recommendation.CONTINUE,
                signed_at=timezone.now(),
                signed_by=author,
            )
    return episode
