"""Attendance reads for many rows at once, each in a fixed number of queries."""

import datetime as dt
from typing import NamedTuple

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from attendance import rules
from attendance.models import Attendance, AttendanceCorrection, Session
from clients.models import Episode
from iop.dates import week_end, week_start
from programs.models import Site
from programs.services import criteria_for

EFFECTIVE_STATUS, EFFECTIVE_MINUTES = "effective_status", "effective_minutes"


def effective_attendance(queryset=None):
    """Attendance rows with what they count as: ``effective_status`` and ``effective_minutes``
    are the latest correction's (AttendanceCorrection, after signing), else the row's own.

    The ONE definition of a row's effective status: every count, rate, hour, letter, report
    and marker reads these two annotations, never ``status`` / ``minutes_attended`` directly.
    Two correlated subqueries on the (attendance, corrected_at) index; no extra query.
    """
    queryset = Attendance.objects.all() if queryset is None else queryset
    latest = AttendanceCorrection.objects.filter(attendance=OuterRef("pk")).order_by("-corrected_at", "-pk")
    return queryset.annotate(
        **{
            EFFECTIVE_STATUS: Coalesce(Subquery(latest.values("status")[:1]), F("status")),
            EFFECTIVE_MINUTES: Coalesce(Subquery(latest.values("minutes_attended")[:1]), F("minutes_attended")),
        }
    )


CORRECTIONS = Prefetch(
    "corrections", queryset=AttendanceCorrection.objects.select_related("corrected_by").order_by("corrected_at", "pk")
)


class AttendanceRow(NamedTuple):
    episode_id: int
    date: dt.date
    status: str
    minutes_attended: int
    session_status: str


def attendance_rows(episode_ids, since: dt.date) -> list[AttendanceRow]:
    """Every attendance row of these episodes dated on or after ``since``, oldest first.

    ONE query (the dashboard gathers its attendance facts with it).
    """
    rows = (
        effective_attendance()
        .filter(episode_id__in=list(episode_ids), session__date__gte=since)
        .order_by("episode_id", "session__date", "session__start_time", "pk")
        .values_list("episode_id", "session__date", EFFECTIVE_STATUS, EFFECTIVE_MINUTES, "session__status")
    )
    return [AttendanceRow(*row) for row in rows]


def facts_of(rows) -> list[rules.AttendanceFact]:
    return [rules.AttendanceFact(r.date, r.status, r.minutes_attended, r.session_status) for r in rows]


def facts_of_rows(attendances) -> list[rules.AttendanceFact]:
    """The rules' facts of Attendance objects loaded with their sessions (through
    ``effective_attendance``: a corrected row counts as corrected). Rows loaded otherwise — an
    unsigned session's roster, which no correction can touch (corrections follow signing) —
    count as recorded."""
    return [
        rules.AttendanceFact(
            a.session.date,
            getattr(a, EFFECTIVE_STATUS, a.status),
            getattr(a, EFFECTIVE_MINUTES, a.minutes_attended),
            a.session.status,
            a.effective_modality,
        )
        for a in attendances
    ]


def attendance_window_days(episode) -> int:
    """The attendance-rate window of the episode's site and level of care (Criteria). One query."""
    return criteria_for(episode.site_id, episode.level_of_care).attendance_window_days


def week_attendance(episode, week_monday: dt.date) -> rules.WeekSummary:
    """The summary of one calendar week of one episode (one query). Used by the check-in form."""
    monday, sunday = week_start(week_monday), week_end(week_monday)
    rows = (
        effective_attendance()
        .filter(episode=episode, session__date__gte=monday, session__date__lte=sunday)
        .order_by()
        .values_list("episode_id", "session__date", EFFECTIVE_STATUS, EFFECTIVE_MINUTES, "session__status")
    )
    facts = facts_of(AttendanceRow(*r) for r in rows)
    return rules.week_summary(facts, monday, episode.required_weekly_hours)


class AttendanceOverview(NamedTuple):
    rows: list  # Attendance objects with their sessions, oldest first
    weeks: list  # rules.WeekSummary per calendar week, newest first
    rate: rules.RateSummary  # over the site's attendance window
    as_of: dt.date


def attendance_overview(episode, today: dt.date) -> AttendanceOverview:
    """What the Attendance tab shows for one episode as of ``today`` (or its end), from the same
    rules as the markers: the week summaries and the rate over the site's window. Three queries."""
    rows = episode_attendance(episode)
    facts = facts_of_rows(rows)
    as_of = min(today, episode.ended_on or today)
    weeks = rules.weekly_summaries(facts, episode.admitted_on, as_of, episode.required_weekly_hours)[::-1]
    rate = rules.rate_over(facts, as_of, attendance_window_days(episode))
    return AttendanceOverview(rows, weeks, rate, as_of)


def episode_attendance(episode):
    """The rows of one episode with their sessions (and the sessions' addenda), oldest first,
    each with its effective status and its corrections.

    Three queries: the rows joined to their sessions and facilitators; the addenda; the corrections.
    """
    rows = (
        effective_attendance()
        .filter(episode=episode)
        .select_related("session", "session__facilitator", "session__note_signed_by", "recorded_by")
        .prefetch_related("session__addenda__author", "session__co_facilitators", CORRECTIONS)
        .order_by("session__date", "session__start_time", "pk")
    )
    return corrections_shown(list(rows))


def sessions_on(user, day: dt.date):
    """The sessions of ``day`` at the user's sites, with their roster status. One query."""
    return (
        Session.objects.filter(site__in=Site.objects.for_user(user), date=day)
        .select_related("site", "track", "facilitator", "scheduled_for__client")
        .annotate(
            roster_taken=Exists(Attendance.objects.filter(session=OuterRef("pk"))),
            recorded=Count("attendance", distinct=True),
            attended=Coalesce(
                Subquery(
                    effective_attendance()
                    .filter(session=OuterRef("pk"), **{f"{EFFECTIVE_STATUS}__in": Attendance.ATTENDED})
                    .order_by()
                    .values("session")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
        )
        .order_by("start_time", "site__name", "pk")
    )


def roster_episodes(session, extra_ids=()):
    """The episodes on a session's roster: everyone already recorded, the clients whose
    episode in the session's track was open on its date, and ``extra_ids`` (make-ups).

    One query (episodes with their clients); out-of-site or closed episodes are left out.
    """
    open_on_date = Q(admitted_on__lte=session.date) & (Q(ended_on__isnull=True) | Q(ended_on__gte=session.date))
    wanted = Q(Exists(Attendance.objects.filter(session=session, episode=OuterRef("pk"))))
    if session.track_id:
        wanted |= Q(track_id=session.track_id) & open_on_date & Q(site_id=session.site_id)
    if extra_ids:
        wanted |= Q(pk__in=list(extra_ids)) & open_on_date & Q(site_id=session.site_id)
    if session.scheduled_for_id:  # a session scheduled for one client: its expected attendee
        wanted |= Q(pk=session.scheduled_for_id) & Q(site_id=session.site_id)
    return list(
        Episode.objects.filter(wanted)
        .select_related("client")
        .order_by("client__last_name", "client__first_name", "pk")
    )


MAKEUP_MATCHES = 10  # the most a make-up search shows: refine the words to find the rest


def makeup_search(session, q, exclude_ids, limit=MAKEUP_MATCHES):
    """Episodes at the session's site, active and admitted by its date, not yet on the roster,
    whose client's name or MRN matches every word of ``q`` (the clients that can be added for
    a make-up). At most ``limit`` + 1 (the extra one says "more"), in one query; none for an
    empty ``q``: the page never lists the whole site."""
    words = q.split()[:5]
    if not words:
        return []
    matches = Episode.objects.filter(
        site_id=session.site_id,
        status=Episode.Status.ACTIVE,
        admitted_on__lte=session.date,
    ).exclude(pk__in=list(exclude_ids))
    for word in words:
        matches = matches.filter(
            Q(client__mrn__icontains=word)
            | Q(client__first_name__icontains=word)
            | Q(client__last_name__icontains=word)
            | Q(client__preferred_name__icontains=word)
        )
    return list(matches.select_related("client").order_by("client__last_name", "client__first_name", "pk")[: limit + 1])


def session_client_ids(sessions):
    """The ids of the clients recorded on these sessions, and of those a session is scheduled
    for (one query): whom a day's list speaks of."""
    recorded = set(
        Attendance.objects.filter(session__in=[s.pk for s in sessions])
        .order_by()
        .values_list("episode__client_id", flat=True)
        .distinct()
    )
    scheduled = {s.scheduled_for.client_id for s in sessions if s.scheduled_for_id}
    return sorted(recorded | scheduled)


STATUS_LABELS = dict(Attendance.Status.choices)


def corrections_shown(rows):
    """Give each Attendance row (its ``corrections`` prefetched, oldest first) what the signed
    note and the record show beside the original: ``correction_lines`` = [(correction, from
    label, to label)], each correction from what the row counted as before it. Returns ``rows``."""
    for row in rows:
        lines, before = [], (row.status, row.minutes_attended)
        for c in row.corrections.all():
            lines.append((c, STATUS_LABELS.get(before[0], before[0]), STATUS_LABELS.get(c.status, c.status), before[1]))
            before = (c.status, c.minutes_attended)
        row.correction_lines = lines
        row.effective_label = STATUS_LABELS.get(before[0], before[0])
    return rows


def session_rows_with_corrections(session):
    """A signed session's attendance rows with their corrections (two queries), by episode id."""
    rows = effective_attendance().filter(session=session).select_related("episode").prefetch_related(CORRECTIONS)
    return {a.episode_id: a for a in corrections_shown(list(rows))}
