"""Reads of check-ins for many rows at once, each in a fixed number of queries.

- ``due_episodes(...)``: active episodes without a signed check-in for the week (1 query).
- ``client_checkins(episode)``: one episode's check-ins with signers and addenda (2 queries).
- ``week_summary(episode, week, today)``: the record's view of one week, shown above the form.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.utils import timezone

from attendance.queries import week_attendance
from attendance.rules import week_finished as attendance_week_finished
from checkins.models import Addendum, CheckIn
from clients.models import Episode
from goals.models import GoalRating, Worksheet
from screening.interpretation import Interpretation
from screening.models import Prescription, Screen
from screening.queries import interpret_screen


def due_episodes(*, user, week, therapist=None, site=None):
    """Active episodes in the user's sites (optionally one therapist's, one site's) with no
    signed check-in for ``week``; each annotated with ``draft_id`` (this week's unsigned draft,
    if any) and ``last_signed_week``. One query (client, site, therapist joined)."""
    this_week = CheckIn.objects.filter(episode=OuterRef("pk"), week=week)
    last_signed = CheckIn.objects.filter(episode=OuterRef("pk"), signed_at__isnull=False).order_by("-week")
    episodes = (
        Episode.objects.for_user(user)
        .active()
        .filter(admitted_on__lte=week + dt.timedelta(days=6))
        .exclude(Exists(this_week.filter(signed_at__isnull=False)))
        .annotate(
            draft_id=Subquery(this_week.values("pk")[:1]),
            last_signed_week=Subquery(last_signed.values("week")[:1]),
        )
        .select_related("client", "site", "primary_therapist")
        .order_by("client__last_name", "client__first_name", "pk")
    )
    if therapist is not None:
        episodes = episodes.filter(primary_therapist=therapist)
    if site is not None:
        episodes = episodes.filter(site=site)
    return episodes


def client_checkins(episode):
    """The episode's check-ins, newest week first, with author, signer and addenda (2 queries)."""
    addenda = Prefetch("addenda", queryset=Addendum.objects.select_related("author").order_by("created_at", "pk"))
    return list(
        CheckIn.objects.filter(episode=episode)
        .select_related("author", "signed_by")
        .prefetch_related(addenda)
        .order_by("-week")
    )


@dataclass(frozen=True)
class ScreenLine:
    collected_at: dt.datetime
    outcome: str
    interpretation: Interpretation
    positives: tuple


@dataclass(frozen=True)
class RatingLine:
    goal_ref: str
    statement: str
    rating: int
    label: str


@dataclass(frozen=True)
class WeekSummary:
    week: dt.date
    sessions_attended: int
    unexcused_absences: int
    excused_absences: int
    hours: Decimal
    required_hours: Decimal
    screens: tuple
    worksheet_week: dt.date | None
    ratings: tuple
    finished: bool = True  # False while the week is still running: its hours are "so far"

    @property
    def hours_met(self):
        return self.hours >= self.required_hours

    @property
    def hours_so_far(self):
        """An unfinished week below the requirement is "so far", never "short"."""
        return not self.finished and not self.hours_met

    @property
    def hours_short(self):
        return self.finished and not self.hours_met


def week_summary(episode, week, today=None):
    """What the record holds for ``episode`` in the week starting ``week`` (5 queries:
    attendance, screens, their results, the client's prescriptions, latest worksheet + ratings).
    A week that has not ended by ``today`` (default: today) is unfinished."""
    week_end = week + dt.timedelta(days=6)
    today = today or timezone.localdate()
    attendance = week_attendance(episode, week)  # cancelled sessions count for no one

    screens = list(
        Screen.objects.filter(episode=episode, entered_in_error=False, collected_at__date__range=(week, week_end))
        .prefetch_related("results__analyte")
        .order_by("collected_at")
    )
    prescriptions = list(Prescription.objects.filter(client_id=episode.client_id)) if screens else []
    screen_lines = []
    for screen in screens:
        interpretation = interpret_screen(screen, prescriptions)
        positives = tuple(r.analyte.code for r in screen.results.all() if r.result == r.Result.POSITIVE)
        screen_lines.append(ScreenLine(screen.collected_at, screen.get_outcome_display(), interpretation, positives))

    worksheet = Worksheet.objects.filter(episode=episode, week__lte=week_end).order_by("-week").first()
    ratings = ()
    if worksheet is not None:
        ratings = tuple(
            RatingLine(r.goal.ref, r.goal.statement, r.rating, GoalRating.RATING_LABELS.get(r.rating, ""))
            for r in GoalRating.objects.filter(worksheet=worksheet).select_related("goal").order_by("goal__ref")
        )
    return WeekSummary(
        week=week,
        sessions_attended=attendance.attended,
        unexcused_absences=attendance.unexcused,
        excused_absences=attendance.excused,
        hours=attendance.hours.quantize(Decimal("0.1")),
        required_hours=Decimal(episode.required_weekly_hours),
        screens=tuple(screen_lines),
        worksheet_week=worksheet.week if worksheet else None,
        ratings=ratings,
        finished=attendance_week_finished(week, today),
    )
