"""Objective markers, readiness and needs-attention flags: pure rules (DOMAIN.md).

Facts in (frozen dataclasses), an ``as_of`` date and the thresholds of the episode's site and level
of care (programs.services.criteria_for) → an ``Evaluation``.
No ORM, no clock: ``dashboard.queries`` gathers the facts for many episodes at once, and the
caseload page, the client progress page and ``manage.py markers`` all call ``evaluate``.

Precise meanings (DOMAIN.md): everything is computed from records dated on or before D;
"in the last N days" means dated on or after D − N days; weeks start on Monday.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

from attendance import rules as attendance_rules
from attendance.rules import AttendanceFact
from checkins.scoring import counts_for_readiness
from goals import rules as goal_rules
from goals.rules import GoalFact
from iop.dates import week_start
from screening.interpretation import (
    COMPLETED_SCREEN,
    NO_SPECIMEN,
    NOT_NEGATIVE,
    STREAK_KEEPING,
    Interpretation,
)
from screening.interpretation import negative_streak as screen_streak

# Screen interpretations, as the facts carry them (values of screening.interpretation.Interpretation).
NEGATIVE = Interpretation.NEGATIVE.value
EXPECTED_POSITIVE = Interpretation.EXPECTED_POSITIVE.value
UNEXPECTED_POSITIVE = Interpretation.UNEXPECTED_POSITIVE.value
INCONCLUSIVE = Interpretation.INCONCLUSIVE.value
INVALID = Interpretation.INVALID.value
REFUSED = Interpretation.REFUSED.value
MISSED = Interpretation.MISSED.value
PENDING_CONFIRMATION = Interpretation.PENDING_CONFIRMATION.value

# A stay continues (DOMAIN.md "Settled readings"; docs/criteria.md "Continuous stays") when an
# episode opens the day the previous one ended, or the day after, by one of these (values of
# clients.models.Episode.EndReason): a step-down or step-up in this program without a gap.
CONTINUOUS_END_REASONS = frozenset({"stepped_down", "stepped_up"})
CONTINUOUS_GAP_DAYS = 1  # admitted on the previous episode's last day (0) or the next day (1)
# A continuous stay's flags that only make sense after a first week wait this many days
# (days 0–6 of the new episode are quiet; raised from day 7 on).
SETTLING_IN_DAYS = 7
SETTLING_IN_FLAGS = frozenset({"screen_overdue", "checkin_overdue", "hours_short"})

# Readiness statuses.
READY = "ready"
APPROACHING = "approaching"
NOT_READY = "not_ready"
NOT_APPLICABLE = "not_applicable"  # step-down at a level with nothing lower (Criteria.step_down_applies off)
STATUS_LABELS = {READY: "Ready", APPROACHING: "Approaching", NOT_READY: "Not ready", NOT_APPLICABLE: "Not applicable"}

CRITERION_NAMES = (
    "weeks_in_program",
    "attendance_rate",
    "weekly_hours",
    "negative_streak",
    "no_recent_positive",
    "goals_on_track",
    "recommendation",
    "no_recent_risk",
)
FLAG_CODES = (
    "absences",
    "unexpected_positive",
    "missed_screen",
    "screen_overdue",
    "checkin_overdue",
    "risk",
    "hours_short",
)
FLAG_LABELS = {
    "absences": "Absences",
    "unexpected_positive": "Unexpected positive",
    "missed_screen": "Missed screen",
    "screen_overdue": "Screen overdue",
    "checkin_overdue": "Check-in overdue",
    "risk": "Risk",
    "hours_short": "Hours short",
}
RECOMMENDATION_WORDS = {
    "continue": "continue IOP",
    "step_down": "step down",
    "step_up": "step up",
    "graduate": "graduation",
    "discharge": "discharge",
}


# --- Facts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreenFact:
    collected_on: dt.date
    interpretation: str  # Interpretation value


@dataclass(frozen=True)
class WorksheetFact:
    week: dt.date  # its Monday
    ratings: tuple[tuple[object, int], ...] = ()  # (goal key, rating 0–4) per rated goal


@dataclass(frozen=True)
class CheckInFact:
    week: dt.date  # its Monday
    signed: bool
    recommendation: str
    risk_flag: bool = False
    awaiting_cosignature: bool = False  # signed by a clinician who needs co-signature, not co-signed yet


@dataclass(frozen=True)
class EpisodeFacts:
    admitted_on: dt.date
    required_weekly_hours: float = 9.0
    attendance: tuple[AttendanceFact, ...] = ()
    screens: tuple[ScreenFact, ...] = ()  # any order; same-day screens keep their given order
    worksheets: tuple[WorksheetFact, ...] = ()
    checkins: tuple[CheckInFact, ...] = ()
    goals: tuple[GoalFact, ...] = ()  # every goal of the episode
    # A continuous stay (opened the day the previous episode ended by a step-down or step-up)
    # carries the previous episodes' screens, risk flags and absences (DOMAIN.md "Settled readings").
    continued: bool = False
    prior_attendance: tuple[AttendanceFact, ...] = ()
    prior_screens: tuple[ScreenFact, ...] = ()
    prior_checkins: tuple[CheckInFact, ...] = ()


@dataclass(frozen=True)
class Thresholds:
    """programs.models.Criteria, field for field (same names, same defaults: the IOP row's).

    A threshold of 0 requires nothing (0 screens in a row, 0 % of goals). ``step_down_applies``
    off (outpatient) makes step-down readiness "not applicable": no criteria, never ready."""

    step_down_applies: bool = True

    step_down_min_weeks: int = 6
    graduation_min_weeks: int = 12
    attendance_rate_min: float = 0.90
    attendance_window_days: int = 28
    hours_weeks_window: int = 4
    hours_weeks_required: int = 3
    step_down_streak: int = 4
    step_down_streak_days: int = 21
    graduation_streak: int = 8
    graduation_streak_days: int = 45
    no_positive_days: int = 30
    step_down_goals_on_track: float = 0.75
    graduation_goals_on_track: float = 0.80
    worksheet_max_age_days: int = 14
    checkin_max_age_days: int = 10
    risk_free_days: int = 14
    on_track_rating: int = 3
    flag_absences_count: int = 2
    flag_absences_days: int = 7
    flag_positive_days: int = 14
    flag_missed_days: int = 14
    flag_screen_overdue_days: int = 8
    flag_checkin_weekday: int = 3
    readiness_requires_cosignature: bool = False

    @classmethod
    def from_criteria(cls, criteria) -> Thresholds:
        """From a ``programs.Criteria`` row (or any object with those attributes); None → defaults."""
        if criteria is None:
            return cls()
        values = {}
        for f in fields(cls):
            value = getattr(criteria, f.name)
            values[f.name] = float(value) if isinstance(f.default, float) else value  # Decimal, or "0.90" unsaved
        return cls(**values)


# --- Results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    name: str
    measured: object
    required: object
    met: bool
    detail: dict = field(default_factory=dict, compare=False, hash=False)  # words for explain()

    def as_dict(self):
        return {"name": self.name, "measured": self.measured, "required": self.required, "met": self.met}


@dataclass(frozen=True)
class Readiness:
    status: str
    criteria: tuple[Criterion, ...]

    @property
    def label(self):
        return STATUS_LABELS[self.status]

    @property
    def unmet(self):
        return [c for c in self.criteria if not c.met]

    def as_dict(self):
        return {"status": self.status, "criteria": [c.as_dict() for c in self.criteria]}


@dataclass(frozen=True)
class Markers:
    weeks_in_program: int
    attendance_rate_4w: float | None
    hours_by_week: tuple[float | None, ...]  # oldest → newest, the complete weeks before D's week
    negative_streak: int
    negative_streak_days: int | None
    last_screen_on: dt.date | None
    days_since_unexpected_positive: int | None
    goals_on_track: float | None
    latest_recommendation: str | None
    latest_checkin_on: dt.date | None
    # Shown beside the contract's markers (not in the JSON):
    excused_absences_4w: int = 0
    attended_4w: int = 0
    expected_4w: int = 0
    required_weekly_hours: float = 9.0

    @property
    def hours_last_week(self):
        return self.hours_by_week[-1] if self.hours_by_week else None

    def as_dict(self):
        return {
            "weeks_in_program": self.weeks_in_program,
            "attendance_rate_4w": _round(self.attendance_rate_4w),
            "hours_by_week": list(self.hours_by_week),
            "negative_streak": self.negative_streak,
            "negative_streak_days": self.negative_streak_days,
            "last_screen_on": _iso(self.last_screen_on),
            "days_since_unexpected_positive": self.days_since_unexpected_positive,
            "goals_on_track": _round(self.goals_on_track),
            "latest_recommendation": self.latest_recommendation,
            "latest_checkin_on": _iso(self.latest_checkin_on),
        }


@dataclass(frozen=True)
class Evaluation:
    markers: Markers
    step_down: Readiness
    graduation: Readiness
    flags: tuple[str, ...]

    @property
    def needs_attention(self):
        return bool(self.flags)

    def as_dict(self):
        return {
            "markers": self.markers.as_dict(),
            "step_down": self.step_down.as_dict(),
            "graduation": self.graduation.as_dict(),
            "flags": list(self.flags),
        }


def _round(value, places=2):
    return None if value is None else round(value, places)


def _iso(day):
    return None if day is None else day.isoformat()


# --- Rules ---------------------------------------------------------------------------------


def _since(as_of, days):
    """The first day of "the last ``days`` days" as of ``as_of``."""
    return as_of - dt.timedelta(days=days)


def is_continuous_stay(previous_ended_on, previous_end_reason, admitted_on) -> bool:
    """Whether an episode admitted on ``admitted_on`` continues the previous one: that one ended
    by a step-down or step-up on the same day or the day before (no gap)."""
    if previous_ended_on is None or previous_end_reason not in CONTINUOUS_END_REASONS:
        return False
    return 0 <= (admitted_on - previous_ended_on).days <= CONTINUOUS_GAP_DAYS


def settling_in(facts, as_of) -> bool:
    """The first days of a continuous stay, when SETTLING_IN_FLAGS are not raised: the client
    just changed level, nothing is overdue or short yet (a readmission after a gap is not)."""
    return facts.continued and (as_of - facts.admitted_on).days < SETTLING_IN_DAYS


def weeks_in_program(admitted_on, as_of):
    return max((as_of - admitted_on).days // 7, 0)


def attendance_window(facts, as_of, t):
    """The attendance rate summary over the site's window (attendance.rules.rate_over)."""
    return attendance_rules.rate_over(facts.attendance, as_of, t.attendance_window_days)


def hours_weeks(facts, as_of, t):
    """The week summaries of the complete weeks before D's week, oldest → newest (None: before admission)."""
    return attendance_rules.hours_weeks(
        facts.attendance, as_of, t.hours_weeks_window, facts.admitted_on, facts.required_weekly_hours
    )


def hours_by_week(facts, as_of, t):
    """Hours attended in each of the complete weeks before D's week, oldest → newest."""
    return _hours_of(hours_weeks(facts, as_of, t))


def _hours_of(weeks):
    return tuple(None if w is None else round(float(w.hours), 2) for w in weeks)


def _screens_newest_first(facts, as_of):
    """The screens dated on or before D, newest first (a continuous stay's earlier screens included)."""
    carried = facts.prior_screens if facts.continued else ()
    indexed = [(s.collected_on, i, s) for i, s in enumerate(carried + facts.screens) if s.collected_on <= as_of]
    return [s for _, _, s in sorted(indexed, key=lambda x: (x[0], x[1]), reverse=True)]


def negative_streak(screens_newest_first):
    """(count, span in days or None): screening.interpretation.negative_streak."""
    streak = screen_streak((s.collected_on, s.interpretation) for s in screens_newest_first)
    return streak.count, (streak.days if streak.count else None)


def _days_since_last(screens_newest_first, kinds, as_of):
    for screen in screens_newest_first:
        if screen.interpretation in kinds:
            return (as_of - screen.collected_on).days
    return None


def _latest_worksheet(facts, as_of, t):
    """The latest worksheet dated on or before D, if its week starts in the last N days."""
    sheets = [w for w in facts.worksheets if w.week <= as_of]
    if not sheets:
        return None
    latest = max(sheets, key=lambda w: w.week)
    return latest if latest.week >= _since(as_of, t.worksheet_max_age_days) else None


def goals_on_track(facts, worksheet, t):
    """goals.rules.worksheet_on_track of the worksheet (None: nothing to measure)."""
    if worksheet is None:
        return None
    return goal_rules.worksheet_on_track(facts.goals, dict(worksheet.ratings), worksheet.week, t.on_track_rating).share


def every_goal_achieved(facts):
    return goal_rules.every_goal_achieved(g.status for g in facts.goals)


def _checkins_to(facts, as_of):
    return [c for c in facts.checkins if c.week <= as_of]


def _risk_checkins_to(facts, as_of):
    """Every check-in that can carry a risk flag: signed or draft, a continuous stay's earlier ones too."""
    carried = facts.prior_checkins if facts.continued else ()
    return [c for c in carried + facts.checkins if c.week <= as_of]


def _latest_signed_checkin(facts, as_of):
    signed = [c for c in _checkins_to(facts, as_of) if c.signed]
    return max(signed, key=lambda c: c.week) if signed else None


def _latest_readiness_checkin(facts, as_of, t):
    """The latest check-in readiness may rely on (checkins.scoring.counts_for_readiness)."""
    counted = [
        c
        for c in _checkins_to(facts, as_of)
        if counts_for_readiness(
            signed=c.signed,
            awaiting_cosignature=c.awaiting_cosignature,
            cosignature_required=t.readiness_requires_cosignature,
        )
    ]
    return max(counted, key=lambda c: c.week) if counted else None


def _days_since_risk(facts, as_of):
    risky = [c.week for c in _risk_checkins_to(facts, as_of) if c.risk_flag]
    return (as_of - max(risky)).days if risky else None


def compute_markers(facts: EpisodeFacts, as_of: dt.date, t: Thresholds, *, weeks=None, screens=None) -> Markers:
    """``weeks`` (hours_weeks) and ``screens`` (newest first), when the caller has them already."""
    rate = attendance_window(facts, as_of, t)
    screens = _screens_newest_first(facts, as_of) if screens is None else screens
    weeks = hours_weeks(facts, as_of, t) if weeks is None else weeks
    streak, span = negative_streak(screens)
    latest_signed = _latest_signed_checkin(facts, as_of)
    return Markers(
        weeks_in_program=weeks_in_program(facts.admitted_on, as_of),
        attendance_rate_4w=rate.rate,
        hours_by_week=_hours_of(weeks),
        negative_streak=streak,
        negative_streak_days=span,
        last_screen_on=screens[0].collected_on if screens else None,
        days_since_unexpected_positive=_days_since_last(screens, {UNEXPECTED_POSITIVE}, as_of),
        goals_on_track=goals_on_track(facts, _latest_worksheet(facts, as_of, t), t),
        latest_recommendation=latest_signed.recommendation if latest_signed else None,
        latest_checkin_on=latest_signed.week if latest_signed else None,
        excused_absences_4w=rate.excused,
        attended_4w=rate.attended,
        expected_4w=rate.attended + rate.unexcused,
        required_weekly_hours=float(facts.required_weekly_hours),
    )


def _readiness(
    facts, as_of, t, m, *, weeks, screens, min_weeks, streak_needed, streak_days, goals_share, recommendations
):
    required_hours = float(facts.required_weekly_hours)
    weeks_met = sum(1 for w in weeks if w is not None and w.hours_met)
    days_since_bad = _days_since_last(screens, NOT_NEGATIVE, as_of)
    all_achieved = every_goal_achieved(facts)  # nothing left to be on track with
    latest_signed = _latest_readiness_checkin(facts, as_of, t)
    counts = latest_signed is not None and latest_signed.week >= _since(as_of, t.checkin_max_age_days)
    recommendation = latest_signed.recommendation if counts else None
    days_since_risk = _days_since_risk(facts, as_of)
    streak = screen_streak((s.collected_on, s.interpretation) for s in screens)
    worksheet = _latest_worksheet(facts, as_of, t)
    criteria = (
        Criterion("weeks_in_program", m.weeks_in_program, min_weeks, m.weeks_in_program >= min_weeks),
        Criterion(
            "attendance_rate",
            _round(m.attendance_rate_4w),
            t.attendance_rate_min,
            m.attendance_rate_4w is not None and m.attendance_rate_4w >= t.attendance_rate_min,
            {
                "days": t.attendance_window_days,
                "excused": m.excused_absences_4w,
                "attended": m.attended_4w,
                "expected": m.expected_4w,
            },
        ),
        Criterion(
            "weekly_hours",
            weeks_met,
            t.hours_weeks_required,
            weeks_met >= t.hours_weeks_required,
            {"window": t.hours_weeks_window, "hours": required_hours},
        ),
        Criterion(
            "negative_streak",
            m.negative_streak,
            streak_needed,
            m.negative_streak >= streak_needed and (m.negative_streak_days or 0) >= streak_days,
            {
                "span": m.negative_streak_days,
                "required_span": streak_days,
                "expected_positives": streak.expected_positives,
                "last_screen_on": m.last_screen_on,
            },
        ),
        Criterion(
            "no_recent_positive",
            days_since_bad,
            t.no_positive_days,
            days_since_bad is None or days_since_bad > t.no_positive_days,
        ),
        Criterion(
            "goals_on_track",
            _round(m.goals_on_track),
            goals_share,
            not goals_share or all_achieved or (m.goals_on_track is not None and m.goals_on_track >= goals_share),
            {
                "all_achieved": all_achieved,
                "worksheet_days": t.worksheet_max_age_days,
                "worksheet_week": worksheet.week if worksheet else None,
            },
        ),
        Criterion(
            "recommendation",
            recommendation,
            list(recommendations),
            recommendation in recommendations,
            {
                "checkin_days": t.checkin_max_age_days,
                "latest_week": m.latest_checkin_on,
                "latest_recommendation": m.latest_recommendation,
            },
        ),
        Criterion(
            "no_recent_risk",
            days_since_risk,
            t.risk_free_days,
            days_since_risk is None or days_since_risk > t.risk_free_days,
        ),
    )
    unmet = sum(1 for c in criteria if not c.met)
    status = READY if unmet == 0 else APPROACHING if unmet == 1 else NOT_READY
    return Readiness(status, criteria)


def compute_flags(
    facts: EpisodeFacts, as_of: dt.date, t: Thresholds, m: Markers, *, weeks=None, screens=None
) -> tuple[str, ...]:
    """``weeks`` (hours_weeks) and ``screens`` (newest first), when the caller has them already."""
    flags = set()
    carried_attendance = facts.prior_attendance if facts.continued else ()
    absences = attendance_rules.unexcused_since(
        carried_attendance + facts.attendance, _since(as_of, t.flag_absences_days), as_of
    )
    if absences >= t.flag_absences_count:
        flags.add("absences")
    screens = _screens_newest_first(facts, as_of) if screens is None else screens
    if any(
        s.interpretation == UNEXPECTED_POSITIVE and s.collected_on >= _since(as_of, t.flag_positive_days)
        for s in screens
    ):
        flags.add("unexpected_positive")
    if any(s.interpretation in NO_SPECIMEN and s.collected_on >= _since(as_of, t.flag_missed_days) for s in screens):
        flags.add("missed_screen")
    if not any(
        s.interpretation in COMPLETED_SCREEN and s.collected_on >= _since(as_of, t.flag_screen_overdue_days)
        for s in screens
    ):
        flags.add("screen_overdue")
    signed_weeks = {c.week for c in _checkins_to(facts, as_of) if c.signed}
    this_week_missing = as_of.weekday() >= t.flag_checkin_weekday and week_start(as_of) not in signed_weeks
    none_recent = not any(w >= _since(as_of, t.checkin_max_age_days) for w in signed_weeks)
    if this_week_missing or none_recent:
        flags.add("checkin_overdue")
    risk_checkins = _risk_checkins_to(facts, as_of)
    if risk_checkins and max(risk_checkins, key=lambda c: c.week).risk_flag:
        flags.add("risk")
    weeks = hours_weeks(facts, as_of, t) if weeks is None else weeks
    last_week = weeks[-1] if weeks else None
    partial = last_week is not None and attendance_rules.partial_admission_week(last_week.week, facts.admitted_on)
    if last_week is not None and not partial and not last_week.hours_met:  # a partial admission week is not short
        flags.add("hours_short")
    if settling_in(facts, as_of):
        flags -= SETTLING_IN_FLAGS
    return tuple(code for code in FLAG_CODES if code in flags)


# --- What the rules read: the fact queries' windows (dashboard.queries reads nothing older) ----


def attendance_read_from(as_of: dt.date, t: Thresholds) -> dt.date:
    """The earliest session date an attendance rule reads as of D: the rate's window
    (``attendance_window_days``), the hours criterion's complete weeks (``hours_weeks_window``)
    and the absences flag's window (``flag_absences_days``, a continuous stay's carried rows too)."""
    weeks = attendance_rules.complete_weeks_before(as_of, t.hours_weeks_window)
    return min(
        _since(as_of, t.attendance_window_days),
        weeks[0] if weeks else as_of,
        _since(as_of, t.flag_absences_days),
    )


def worksheets_read_from(as_of: dt.date, t: Thresholds) -> dt.date:
    """The earliest worksheet week the goals criterion reads (an older latest worksheet is None)."""
    return _since(as_of, t.worksheet_max_age_days)


def screen_window_days(t: Thresholds) -> int:
    """Every screen of the last N days is read: the longest window a screen rule looks back over
    ("no recent positive", the unexpected-positive, missed-screen and overdue flags).

    Older screens are read only when they can matter, so that ``evaluate`` on the screens read
    equals ``evaluate`` on every screen (docs/criteria.md "What the markers read"; tested):
    - every screen that may not be negative (``screening.queries.may_not_be_negative``): the
      newest unexpected positive and the newest not-negative screen are then always read, at any
      age ("days since" values are exact);
    - when the streak runs past the window (``streak_read_back_to``), every screen back to the
      day of its break: the count, its span and its expected positives stay exact."""
    return max(t.no_positive_days, t.flag_positive_days, t.flag_missed_days, t.flag_screen_overdue_days)


def streak_read_back_to(facts: EpisodeFacts, as_of: dt.date, window_start: dt.date):
    """Whether the streak of the screens read so far (every screen from ``window_start``, and
    every older one that may not be negative) runs past ``window_start``, and from which day the
    older screens must be read for it: ``(False, None)`` when its break is in the window (nothing
    older is needed), ``(True, day)`` with the day of its break, ``(True, None)`` when no screen
    breaks it (every screen is needed). Every break is among the screens read, so the first break
    found is the streak's true break."""
    for screen in _screens_newest_first(facts, as_of):
        if screen.interpretation not in STREAK_KEEPING:
            if screen.collected_on >= window_start:
                return False, None
            return True, screen.collected_on
    return True, None


# Check-ins are read whole (every one whose week began on or before D): the latest signed check-in
# and the last risk flag are shown at any age; they are one row a week.


def evaluate(facts: EpisodeFacts, as_of: dt.date, thresholds: Thresholds | None = None) -> Evaluation:
    t = thresholds or Thresholds()
    # Read once, used by the markers, both readinesses and the flags.
    seen = {"weeks": hours_weeks(facts, as_of, t), "screens": _screens_newest_first(facts, as_of)}
    m = compute_markers(facts, as_of, t, **seen)
    step_down = (
        Readiness(NOT_APPLICABLE, ())
        if not t.step_down_applies
        else _readiness(
            facts,
            as_of,
            t,
            m,
            **seen,
            min_weeks=t.step_down_min_weeks,
            streak_needed=t.step_down_streak,
            streak_days=t.step_down_streak_days,
            goals_share=t.step_down_goals_on_track,
            recommendations=("step_down", "graduate"),
        )
    )
    graduation = _readiness(
        facts,
        as_of,
        t,
        m,
        **seen,
        min_weeks=t.graduation_min_weeks,
        streak_needed=t.graduation_streak,
        streak_days=t.graduation_streak_days,
        goals_share=t.graduation_goals_on_track,
        recommendations=("graduate",),
    )
    return Evaluation(m, step_down, graduation, compute_flags(facts, as_of, t, m, **seen))


# --- Words ---------------------------------------------------------------------------------


def _pct(share):
    return f"{round(float(share) * 100)}%"


def _plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


def _explain_weeks(c, d):
    return f"{_plural(c.measured, 'week')} in the program ({c.required} required)"


def _explain_attendance(c, d):
    days = d.get("days", 28)
    excused = d.get("excused", 0)
    note = f"; {_plural(excused, 'excused absence')} not counted" if excused else ""
    if c.measured is None:
        return f"No expected sessions in the last {days} days ({_pct(c.required)} attendance required{note})"
    counts = f"{d['attended']} of {d['expected']} sessions, " if "expected" in d else ""
    return f"{_pct(c.measured)} attendance over the last {days} days ({counts}{_pct(c.required)} required{note})"


def _explain_hours(c, d):
    hours_text = f"{d.get('hours', 9):g}"
    return (
        f"Required {hours_text} hours met in {c.measured} of the last {d.get('window', 4)} complete weeks "
        f"({c.required} required)"
    )


def _explain_streak(c, d):
    if not c.required and not d.get("required_span"):
        return f"Not required at this level ({_plural(c.measured, 'negative or expected-positive screen')} in a row)"
    span = d.get("span")
    over = f" over {_plural(span, 'day')}" if span is not None else ""
    expected = d.get("expected_positives", 0)
    if expected:  # "17 negative screens" when 16 were expected positives reads as a contradiction
        kinds = f": {_plural(c.measured - expected, 'negative')}, {_plural(expected, 'expected positive')},"
        run = f"{_plural(c.measured, 'screen')} in a row{kinds}{over}"
    else:
        run = f"{_plural(c.measured, 'negative screen')} in a row{over}"
    last = d.get("last_screen_on")
    last_text = f"; last screen on {last:%m/%d/%Y}" if last else ""
    return f"{run} ({c.required} required, spanning at least {d.get('required_span', 0)} days){last_text}"


def _explain_no_recent_positive(c, d):
    if c.measured is None:
        return "No unexpected positive, refused, missed or invalid screen on record"
    when = "today" if c.measured == 0 else f"{_plural(c.measured, 'day')} ago"
    verdict = "" if c.met else f" (none allowed in the last {c.required} days)"
    return f"Last unexpected positive, refused, missed or invalid screen {when}{verdict}"


def _explain_goals(c, d):
    if not c.required:
        return "Not required at this level (no share of goals on track is asked for)"
    if d.get("all_achieved"):
        return "All achieved: every goal of the episode is achieved"
    if c.measured is None:
        return (
            f"No worksheet with active goals in the last {d.get('worksheet_days', 14)} days "
            f"({_pct(c.required)} of goals on track required)"
        )
    week = d.get("worksheet_week")
    sheet = f"the worksheet of week {week:%m/%d/%Y}" if week else "the latest worksheet"
    return (
        f"{_pct(c.measured)} of the goals active that week on track on {sheet} "
        f"({_pct(c.required)} required; an unrated goal is not on track)"
    )


def _explain_recommendation(c, d):
    wanted = " or ".join(RECOMMENDATION_WORDS.get(r, r) for r in c.required)
    if c.measured is None:
        days = d.get("checkin_days", 10)
        latest = d.get("latest_week")
        if latest is not None:  # shown at any age; only the criterion applies the limit
            said = RECOMMENDATION_WORDS.get(d.get("latest_recommendation"), d.get("latest_recommendation"))
            return (
                f"Latest signed check-in, week of {latest:%m/%d/%Y}, recommends {said}: older than {days} days, "
                f"it does not count (must recommend {wanted})"
            )
        return f"No signed check-in in the last {days} days (must recommend {wanted})"
    latest = d.get("latest_week")
    of_week = f", week of {latest:%m/%d/%Y}," if latest else ""
    said = RECOMMENDATION_WORDS.get(c.measured, c.measured)
    return f"Latest signed check-in{of_week} recommends {said} (needs {wanted})"


def _explain_no_recent_risk(c, d):
    if c.measured is None:
        return "No risk flag on any check-in"
    verdict = "" if c.met else f" (none allowed in the last {c.required} days)"
    return f"Last risk flag on the check-in of a week that began {_plural(c.measured, 'day')} ago{verdict}"


# One explanation per criterion: a criterion without one is a programming error, not a
# sentence to improvise (tests/dashboard/test_markers.py proves every name has its own).
EXPLAINERS = {
    "weeks_in_program": _explain_weeks,
    "attendance_rate": _explain_attendance,
    "weekly_hours": _explain_hours,
    "negative_streak": _explain_streak,
    "no_recent_positive": _explain_no_recent_positive,
    "goals_on_track": _explain_goals,
    "recommendation": _explain_recommendation,
    "no_recent_risk": _explain_no_recent_risk,
}


def explain(criterion: Criterion) -> str:
    """One sentence a case manager reads: what was measured against what was required."""
    return EXPLAINERS[criterion.name](criterion, criterion.detail)
