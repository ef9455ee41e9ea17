"""The program report: census, admissions, endings, length of stay, attendance and screens
for a date range and a set of sites, by month and by track.

``report_build`` gathers the rows in a fixed number of queries (whatever the number of
episodes) and hands them to ``report_compute``, a pure function that does the counting.
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from aftercare import rules as aftercare_rules
from aftercare.models import FollowUp, YesNoUnknown
from attendance.models import Attendance, Session
from attendance.queries import EFFECTIVE_MINUTES, EFFECTIVE_STATUS, effective_attendance
from attendance.rules import MODALITY_LABELS, AttendanceFact, attendance_rate, effective_modality, hours_by_modality
from clients.models import Episode
from screening.interpretation import STREAK_KEEPING
from screening.models import Prescription, Screen
from screening.queries import interpret_screen

NO_TRACK = "No track"
COLUMNS = (
    ("census", "Census (active episodes)"),
    ("admissions", "Admissions"),
    ("graduations", "Graduations"),
    ("step_downs", "Step-downs"),
    ("other_discharges", "Other discharges"),
    ("median_stay_days", "Median length of stay (days)"),
    ("attendance_rate", "Attendance rate"),
    ("negative_screen_share", "Negative screens"),
)


RATE_COLUMNS = {"attendance_rate", "negative_screen_share"}


@dataclass(frozen=True)
class EpisodeFact:
    track: str
    admitted_on: dt.date
    ended_on: dt.date | None
    status: str


@dataclass(frozen=True)
class AttendanceCounts:
    """Attendance of one track in one month, counted by the database with the attendance rules'
    statuses (attended = Attendance.ATTENDED, unexcused = absent; cancelled sessions excluded)."""

    month: dt.date  # first of the month
    track: str
    attended: int
    absent: int


@dataclass(frozen=True)
class ScreenFact:
    collected_on: dt.date
    track: str
    negative: bool  # negative or expected positive


@dataclass
class ReportRow:
    label: str
    census: int = 0
    admissions: int = 0
    graduations: int = 0
    step_downs: int = 0
    other_discharges: int = 0
    median_stay_days: float | None = None
    attendance_rate: float | None = None
    negative_screen_share: float | None = None
    screens: int = 0

    def values(self):
        return [getattr(self, key) for key, _ in COLUMNS]

    def cells(self):
        """The values as the page shows them: shares as percentages, "—" when not measurable."""
        shown = []
        for key, _ in COLUMNS:
            value = getattr(self, key)
            if value is None:
                shown.append("—")
            elif key in RATE_COLUMNS:
                shown.append(f"{value:.0%}")
            else:
                shown.append(f"{value:g}")
        return shown


@dataclass
class Report:
    start: dt.date
    end: dt.date
    months: list[ReportRow] = field(default_factory=list)
    tracks: list[ReportRow] = field(default_factory=list)
    total: ReportRow | None = None
    aftercare: "AftercareOutcomes | None" = None


def months_between(start, end):
    """(first day, last day) of every calendar month touching [start, end], clipped to it."""
    spans = []
    first = start.replace(day=1)
    while first <= end:
        following = (first + dt.timedelta(days=32)).replace(day=1)
        spans.append((max(first, start), min(following - dt.timedelta(days=1), end)))
        first = following
    return spans


def _ratio(numerator, denominator):
    return round(numerator / denominator, 3) if denominator else None


def _row(label, start, end, episodes, attendance, screens):
    """Count one row of the report over [start, end] (the facts are already of its track)."""
    row = ReportRow(label=label)
    stays = []
    for e in episodes:
        if e.admitted_on <= end and (e.ended_on is None or e.ended_on >= start):
            row.census += 1
        if start <= e.admitted_on <= end:
            row.admissions += 1
        if e.ended_on and start <= e.ended_on <= end:
            stays.append((e.ended_on - e.admitted_on).days)
            if e.status == Episode.Status.GRADUATED:
                row.graduations += 1
            elif e.status == Episode.Status.STEPPED_DOWN:
                row.step_downs += 1
            else:
                row.other_discharges += 1
    row.median_stay_days = statistics.median(stays) if stays else None
    months = {first.replace(day=1) for first, _ in months_between(start, end)}
    kept = [a for a in attendance if a.month in months]
    attended = sum(a.attended for a in kept)
    rate = attendance_rate(attended, sum(a.absent for a in kept))
    row.attendance_rate = None if rate is None else round(rate, 3)
    in_range = [s for s in screens if start <= s.collected_on <= end]
    row.screens = len(in_range)
    row.negative_screen_share = _ratio(sum(s.negative for s in in_range), len(in_range))
    return row


def report_compute(*, start, end, episodes, attendance, screens):
    """Pure: the report's rows from the facts. Attendance arrives already grouped by calendar
    month (sessions inside the range only), so a month row takes the groups of its month."""
    report = Report(start=start, end=end)
    for first, last in months_between(start, end):
        report.months.append(_row(first.strftime("%b %Y"), first, last, episodes, attendance, screens))
    for track in sorted({e.track for e in episodes} | {a.track for a in attendance} | {s.track for s in screens}):
        report.tracks.append(
            _row(
                track,
                start,
                end,
                [e for e in episodes if e.track == track],
                [a for a in attendance if a.track == track],
                [s for s in screens if s.track == track],
            )
        )
    report.total = _row("All", start, end, episodes, attendance, screens)
    return report


def report_build(*, episodes, start, end):
    """Gather the facts for ``episodes`` (a scoped queryset) over [start, end] and count them.

    Five queries, whatever the number of episodes: the episodes, attendance grouped by month
    and track, the screens, their results, the prescriptions of their clients.
    """
    overlapping = episodes.filter(admitted_on__lte=end).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    episode_facts = [
        EpisodeFact(
            track=row["track__name"] or NO_TRACK,
            admitted_on=row["admitted_on"],
            ended_on=row["ended_on"],
            status=row["status"],
        )
        for row in overlapping.values("track__name", "admitted_on", "ended_on", "status")
    ]
    attendance_rows = (
        effective_attendance()  # a corrected row counts as corrected
        .filter(episode__in=episodes.values("pk"), session__date__range=(start, end))
        .exclude(session__status=Session.Status.CANCELLED)
        .annotate(month=TruncMonth("session__date"))
        .values("month", "episode__track__name")
        .annotate(
            attended=Count("pk", filter=Q(**{f"{EFFECTIVE_STATUS}__in": Attendance.ATTENDED})),
            absent=Count("pk", filter=Q(**{EFFECTIVE_STATUS: Attendance.Status.ABSENT})),
        )
        .order_by()
    )
    attendance_facts = [
        AttendanceCounts(
            month=_as_date(row["month"]),
            track=row["episode__track__name"] or NO_TRACK,
            attended=row["attended"],
            absent=row["absent"],
        )
        for row in attendance_rows
    ]
    in_range = Screen.objects.filter(
        episode__in=episodes.values("pk"), entered_in_error=False, collected_at__date__range=(start, end)
    )
    screens = list(in_range.select_related("episode__track").prefetch_related("results"))
    prescriptions = defaultdict(list)
    for prescription in Prescription.objects.filter(
        client__in=in_range.values("episode__client"), entered_in_error=False
    ):
        prescriptions[prescription.client_id].append(prescription)
    screen_facts = [
        ScreenFact(
            collected_on=timezone.localdate(screen.collected_at),
            track=screen.episode.track.name if screen.episode.track else NO_TRACK,
            negative=interpret_screen(screen, prescriptions[screen.episode.client_id]) in STREAK_KEEPING,
        )
        for screen in screens
    ]
    report = report_compute(
        start=start, end=end, episodes=episode_facts, attendance=attendance_facts, screens=screen_facts
    )
    report.aftercare = aftercare_outcomes_build(episodes=episodes, start=start, end=end)
    return report


def _as_date(value):
    """TruncMonth gives a date on PostgreSQL and may give a datetime elsewhere."""
    return value.date() if isinstance(value, dt.datetime) else value


# --- After the program: follow-up reach, abstinence, readmissions, continuing care -------------
# The rules are aftercare's (aftercare/rules.py, docs/aftercare.md); this gathers the facts.

AFTERCARE_FIGURES = (
    ("followup_reach_30", "Follow-ups reached by day 30"),
    ("abstinent_30", "Not using at 30 days (of those reached)"),
    ("followup_reach_90", "Follow-ups reached by day 90"),
    ("abstinent_90", "Not using at 90 days (of those reached)"),
    ("readmitted_90", "Readmitted within 90 days (of episodes ended)"),
    ("continuing_care_attendance", "Continuing-care attendance (attended of scheduled)"),
)


@dataclass
class AftercareOutcomes:
    """Each figure a ``Share`` (count of of, and its rate)."""

    reach_window_days = aftercare_rules.REACH_WINDOW_DAYS  # (class attributes: for the page's words)
    readmission_window_days = aftercare_rules.READMISSION_WINDOW_DAYS

    followup_reach_30: aftercare_rules.Share
    abstinent_30: aftercare_rules.Share
    followup_reach_90: aftercare_rules.Share
    abstinent_90: aftercare_rules.Share
    readmitted_90: aftercare_rules.Share
    continuing_care_attendance: aftercare_rules.Share

    def rows(self):
        """(key, label, share, shown) for each figure: shown as "40 % (2 of 5)", or "—"."""
        out = []
        for key, label in AFTERCARE_FIGURES:
            share = getattr(self, key)
            shown = "—" if share.rate is None else f"{share.rate:.0%} ({share.count} of {share.of})"
            out.append((key, label, share, shown))
        return out


def aftercare_outcomes_compute(*, followups, ended, cc_attended, cc_scheduled, start, end, as_of):
    """Pure: the figures from the facts, by aftercare's rules."""
    figures = {}
    for offset in aftercare_rules.REPORT_OFFSETS:
        reach, abstinent = aftercare_rules.reach_and_abstinence(
            followups, offset=offset, start=start, end=end, as_of=as_of
        )
        figures[f"followup_reach_{offset}"], figures[f"abstinent_{offset}"] = reach, abstinent
    return AftercareOutcomes(
        **figures,
        readmitted_90=aftercare_rules.readmissions(ended),
        continuing_care_attendance=aftercare_rules.Share(cc_attended, cc_scheduled),
    )


def aftercare_outcomes_build(*, episodes, start, end, as_of=None):
    """Gather the outcome facts of ``episodes`` (the report's scoped queryset) over [start, end].

    Four queries, whatever the number of episodes: the 30- and 90-day follow-ups due in the
    period, the episodes ended in it (with "a follow-up says readmitted"), the admissions of
    their clients, and continuing-care attendance counted by the database.
    """
    as_of = as_of or timezone.localdate()
    followups = [
        aftercare_rules.FollowUpFact(**row)
        for row in FollowUp.objects.filter(
            episode__in=episodes.values("pk"),
            offset_days__in=aftercare_rules.REPORT_OFFSETS,
            due_on__range=(start, end),
        ).values("offset_days", "due_on", "reached", "contacted_on", "substance_use")
    ]
    said_readmitted = FollowUp.objects.filter(episode=OuterRef("pk"), readmitted=YesNoUnknown.YES)
    ended_in_period = episodes.filter(ended_on__range=(start, end))
    ended_rows = list(
        ended_in_period.annotate(followup_readmitted=Exists(said_readmitted)).values(
            "pk", "client_id", "ended_on", "followup_readmitted"
        )
    )
    admissions = defaultdict(list)
    for row in episodes.filter(client__in=ended_in_period.values("client_id")).values("pk", "client_id", "admitted_on"):
        admissions[row["client_id"]].append((row["pk"], row["admitted_on"]))
    ended = [
        aftercare_rules.EndedEpisodeFact(
            ended_on=r["ended_on"],
            later_admissions=tuple(day for pk, day in admissions[r["client_id"]] if pk != r["pk"]),
            followup_readmitted=r["followup_readmitted"],
        )
        for r in ended_rows
    ]
    cc = (
        effective_attendance()  # a row corrected after signing counts as corrected
        .filter(
            episode__in=episodes.values("pk"),
            session__track__continuing_care=True,
            session__date__range=(start, min(end, as_of)),
        )
        .exclude(session__status=Session.Status.CANCELLED)
        .exclude(**{EFFECTIVE_STATUS: Attendance.Status.CANCELLED})
        .aggregate(
            attended=Count("pk", filter=Q(**{f"{EFFECTIVE_STATUS}__in": Attendance.ATTENDED})), scheduled=Count("pk")
        )
    )
    return aftercare_outcomes_compute(
        followups=followups,
        ended=ended,
        cc_attended=cc["attended"],
        cc_scheduled=cc["scheduled"],
        start=start,
        end=end,
        as_of=as_of,
    )


# --- Telehealth: hours attended by modality (issue 14) ---------------------------------------
# Its own section: the counting is attendance.rules.hours_by_modality (the rule of the
# Attendance tab and the roster), fed with rows the database has summed by month, track,
# status and modality.

MODALITY_COLUMNS = tuple((f"hours_{code}", f"{label} hours") for code, label in MODALITY_LABELS.items())


@dataclass
class ModalityReport:
    months: list = field(default_factory=list)  # [(label, rules.ModalityHours)]
    tracks: list = field(default_factory=list)
    total: object = None

    def csv_cells(self, group, label):
        """The modality columns of one row of the CSV (hours, one decimal), by the row's group
        (month, track, total) and label."""
        rows = {"month": self.months, "track": self.tracks, "total": [("All", self.total)]}[group]
        hours = dict(rows).get(label)
        return [f"{h:.1f}" for _, _, h in hours.rows] if hours else ["0.0"] * len(MODALITY_COLUMNS)


def modality_report_compute(*, start, end, facts):
    """Pure: the hours by modality per month, per track and in all, from ``(track, fact)``
    pairs (a fact may stand for several rows: its minutes summed)."""
    report = ModalityReport()
    for first, last in months_between(start, end):
        label = first.strftime("%b %Y")
        report.months.append((label, hours_by_modality((f for _, f in facts), first, last)))
    for track in sorted({t for t, _ in facts}):
        report.tracks.append((track, hours_by_modality(f for t, f in facts if t == track)))
    report.total = hours_by_modality(f for _, f in facts)
    return report


def modality_report_build(*, episodes, start, end):
    """The hours by modality of ``episodes`` over [start, end]. One query, whatever the number
    of episodes: attendance summed by day, track, status, session status and modality."""
    rows = (
        effective_attendance()  # a row corrected after signing counts as corrected
        .filter(episode__in=episodes.values("pk"), session__date__range=(start, end))
        .values(
            "session__date",
            "episode__track__name",
            EFFECTIVE_STATUS,
            "session__status",
            "modality",
            "session__modality",
        )
        .annotate(minutes=Sum(EFFECTIVE_MINUTES))
        .order_by()
    )
    facts = [
        (
            row["episode__track__name"] or NO_TRACK,
            AttendanceFact(
                date=row["session__date"],
                status=row[EFFECTIVE_STATUS],
                minutes=row["minutes"] or 0,
                session_status=row["session__status"],
                modality=effective_modality(row["modality"], row["session__modality"]),
            ),
        )
        for row in rows
    ]
    return modality_report_compute(start=start, end=end, facts=facts)
