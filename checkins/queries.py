"""Reads of check-ins for many rows at once, each in a fixed number of queries.

- ``checkin_rows(episode_ids)``: the check-in facts the dashboard needs (1 query).
- ``due_episodes(...)``: active episodes without a signed check-in for the week (1 query).
- ``client_checkins(episode)``: one episode's check-ins with signers and addenda (2 queries).
- ``week_summary(episode, week)``: the record's view of one week, shown above the form.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Subquery

from attendance.queries import week_attendance
from checkins import scoring
from checkins.models import Addendum, CheckIn
from clients.models import Episode
from goals.models import GoalRating, Worksheet
from screening.interpretation import interpret_screen
from screening.models import Prescription, Screen


@dataclass(frozen=True)
class CheckInRow:
    """One check-in as the dashboard sees it."""

    week: dt.date
    signed: bool
    signed_on: dt.date | None
    recommendation: str
    risk_flag: bool
    cravings: int | None
    phq9_total: int | None
    gad7_total: int | None


ROW_FIELDS = (
    "episode_id",
    "week",
    "signed_at",
    "recommendation",
    "risk",
    "suicidal_ideation",
    "homicidal_ideation",
    "overdose_risk",
    "phq9_items",
    "gad7_items",
    "cravings",
)


def _safe_total(func, items):
    try:
        return func(items)
    except ValueError:  # a malformed answer list in an old row never breaks a page
        return None


def checkin_rows(episode_ids):
    """episode id → [CheckInRow], newest week first. One query; every id given gets a list."""
    rows = {episode_id: [] for episode_id in episode_ids}
    if not rows:
        return rows
    values = CheckIn.objects.filter(episode_id__in=list(rows)).order_by("episode_id", "-week").values(*ROW_FIELDS)
    for v in values:
        rows[v["episode_id"]].append(
            CheckInRow(
                week=v["week"],
                signed=v["signed_at"] is not None,
                signed_on=v["signed_at"].date() if v["signed_at"] else None,
                recommendation=v["recommendation"],
                risk_flag=scoring.risk_flag(
                    risk=v["risk"],
                    suicidal_ideation=v["suicidal_ideation"],
                    homicidal_ideation=v["homicidal_ideation"],
                    overdose_risk=v["overdose_risk"],
                    phq9_items=v["phq9_items"],
                ),
                cravings=v["cravings"],
                phq9_total=_safe_total(scoring.phq9_total, v["phq9_items"]),
                gad7_total=_safe_total(scoring.gad7_total, v["gad7_items"]),
            )
        )
    return rows


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
    interpretation: str  # a screening Interpretation label, or the outcome until that exists
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

    @property
    def hours_met(self):
        return self.hours >= self.required_hours


def week_summary(episode, week):
    """What the record holds for ``episode`` in the week starting ``week`` (5 queries:
    attendance, screens, their results, the client's prescriptions, latest worksheet + ratings)."""
    week_end = week + dt.timedelta(days=6)
    attendance = week_attendance(episode, week)  # cancelled sessions count for no one

    screens = list(
        Screen.objects.filter(episode=episode, entered_in_error=False, collected_at__date__range=(week, week_end))
        .prefetch_related("results__analyte")
        .order_by("collected_at")
    )
    prescriptions = list(Prescription.objects.filter(client_id=episode.client_id)) if screens else []
    screen_lines = []
    for screen in screens:
        interpretation = interpret_screen(screen, prescriptions).label
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
    )
