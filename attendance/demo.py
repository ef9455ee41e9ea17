"""Demo attendance: every track's sessions over the demo history, and a roster per session
that fits each episode's story (see the stories at the top of clients/demo.py).

- ready_graduate / ready_step_down / approaching: near-perfect attendance; in the last four
  weeks at most one absence, so the rate stays ≥ 90 % and hours are met in ≥ 3 of 4 weeks;
- steady, new, graduated, stepped_down: ~90–95 %;
- struggling: ~60 %, mostly unexcused, hours short; discharged: poor attendance to the end;
- relapsing: fair attendance, then two no-shows in the last seven days.

Most clients also have a weekly individual counseling session (60 minutes). Telehealth: every
third individual session is by video and a few by phone; some clients join Thursday's group
by video (chosen by the calendar, not the random draws, so the stories stay as they were).
Past group sessions are held (a few cancelled by the program), some with a group note, signed when
older than two days; today's and future sessions stay scheduled. Bulk writes with history.
"""

import datetime as dt
from collections import defaultdict

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from attendance.models import Attendance, Session
from attendance.services import sessions_generate
from audit.services import signatures_record
from iop import integrity
from iop.dates import week_start

READY = {"ready_graduate", "ready_step_down", "approaching"}
ATTEND_RATE = {
    "ready_graduate": 0.97,
    "ready_step_down": 0.95,
    "approaching": 0.95,
    "steady": 0.92,
    "struggling": 0.55,
    "relapsing": 0.85,
    "new": 0.92,
    "graduated": 0.95,
    "stepped_down": 0.92,
    "discharged": 0.65,
}
INDIVIDUAL_RATE = {"struggling": 0.5, "discharged": 0.5, "relapsing": 0.8}
TOPICS = [
    "Relapse prevention: high-risk situations",
    "Coping with cravings",
    "Mindfulness and urge surfing",
    "Family roles and boundaries",
    "Building a recovery support network",
    "Managing stress at work",
    "Sleep, nutrition and recovery",
    "Anger and emotional regulation",
    "Refusal skills role-play",
    "Shame, guilt and self-compassion",
]
INDIVIDUAL_NOTES = [
    "Reviewed weekly goals; client engaged.",
    "Discussed triggers at work; practiced a refusal plan.",
    "Client reports improved sleep.",
    "Explored ambivalence about change.",
    "Followed up on a missed session last week.",
]
ROSTER_NOTES = ["Participated actively.", "Quiet today; checked in after group.", "Shared a relapse-prevention plan."]


def _therapists(ctx):
    return {ctx.sites["RIC"].pk: ctx.users["therapist"], ctx.sites["NOR"].pk: ctx.users["therapist2"]}


def _held_sessions(ctx, first_day, by_site):
    """Generate every track's sessions over the history (and two weeks ahead); mark the past
    ones held (a few cancelled), with a topic, a facilitator and sometimes a signed group note."""
    rng, today = ctx.rng, ctx.today
    for track in ctx.tracks:
        sessions_generate(track=track, date_from=first_day, date_to=today + dt.timedelta(days=13))
    sessions = list(
        Session.objects.filter(track__in=ctx.tracks, date__gte=first_day).order_by("date", "start_time", "pk")
    )
    past = [s for s in sessions if s.date < today]
    for s in past:
        s.facilitator = by_site[s.site_id]
        s.topic = rng.choice(TOPICS)
        # A few cancelled by the program, never in the last 5 weeks (so each story's recent
        # hours are its own, not the program's).
        cancelled = rng.random() < 0.03 and s.date < today - dt.timedelta(weeks=5)
        s.status = Session.Status.CANCELLED if cancelled else Session.Status.HELD
        s.version = 1
        if s.status == Session.Status.HELD and rng.random() < 0.6:
            s.group_note = (
                f"Group on “{s.topic.lower()}”. Members reviewed their week, practiced the skill in pairs "
                "and named one situation to use it in before the next session."
            )
            if s.date < today - dt.timedelta(days=2):
                s.note_signed_at = timezone.make_aware(dt.datetime.combine(s.date, s.start_time)) + dt.timedelta(
                    hours=4
                )
                s.note_signed_by = s.facilitator
    bulk_update_with_history(
        past,
        Session,
        fields=["facilitator", "topic", "status", "version", "group_note"],
    )
    return [s for s in sessions if s.date < today]


def _sign_group_notes(sessions, attendance):
    """Sign the notes chosen above, now that their rosters exist: the digest covers them."""
    rows_of = defaultdict(list)
    for row in attendance:
        rows_of[row.session_id].append(row)
    signed = [s for s in sessions if s.note_signed_at is not None]
    for s in signed:
        s.signature_sha256 = integrity.content_sha256(s.signed_content(rows=rows_of[s.pk]))
    bulk_update_with_history(signed, Session, fields=["note_signed_at", "note_signed_by", "signature_sha256"])
    signatures_record(records=sorted(signed, key=lambda s: s.note_signed_at))


def _absence(rng, story):
    excused_share = 0.2 if story in ("struggling", "discharged") else 0.4
    return Attendance.Status.EXCUSED if rng.random() < excused_share else Attendance.Status.ABSENT


def _attended(rng, duration, clean):
    """Present, or now and then late / left early (never in a ``clean`` stretch)."""
    roll = rng.random()
    if clean or roll < 0.88:
        return Attendance.Status.PRESENT, duration
    if roll < 0.95:
        return Attendance.Status.LATE, duration - rng.randint(10, 40)
    return Attendance.Status.LEFT_EARLY, duration - rng.randint(20, 60)


def _group_rows(ctx, demo, sessions, last_day, recent_from):
    rng, story, episode = ctx.rng, demo.story, demo.episode
    mine = [
        s
        for s in sessions
        if s.track_id == episode.track_id
        and episode.admitted_on <= s.date <= last_day
        and s.status != Session.Status.CANCELLED
    ]
    recent = [s for s in mine if s.date >= recent_from]
    # Ready stories: in the last four weeks, at most one absence (half of them none).
    ready_miss = rng.choice(recent) if story in READY and recent and rng.random() < 0.5 else None
    no_shows = set()
    if story == "relapsing":
        no_shows = {s.pk for s in mine if s.date >= ctx.today - dt.timedelta(days=7)}
    # Absences are drawn as an exact share of each stretch (older / last four weeks), so a
    # story's rate holds in the recent window too, not only on average.
    missed = set()
    for stretch in ([s for s in mine if s.date < recent_from], recent):
        pool = [s for s in stretch if s.pk not in no_shows and not (story in READY and s.date >= recent_from)]
        missed |= {s.pk for s in rng.sample(pool, round(len(pool) * (1 - ATTEND_RATE[story])))}
    if ready_miss is not None:
        missed.add(ready_miss.pk)
    rows = []
    for s in mine:
        if s.pk in no_shows:
            rows.append((s, Attendance.Status.ABSENT, 0))
        elif s.pk in missed:
            rows.append((s, _absence(rng, story), 0))
        else:
            status, minutes = _attended(rng, s.duration_minutes, clean=story in READY and s.date >= recent_from)
            rows.append((s, status, minutes))
    return rows


def _individual(ctx, demo, last_day, therapist, recent_from):
    """One individual counseling session a week (most stories), Wednesdays 16:00, 60 minutes,
    attended about as well as the groups."""
    rng, episode = ctx.rng, demo.episode
    sessions, rows = [], []
    day = week_start(episode.admitted_on) + dt.timedelta(days=2)
    while day <= last_day:
        if day >= episode.admitted_on and rng.random() < INDIVIDUAL_RATE.get(demo.story, 0.9):
            session = Session(
                site_id=episode.site_id,
                date=day,
                start_time=dt.time(16, 0),
                duration_minutes=60,
                kind=Session.Kind.INDIVIDUAL,
                topic="Individual counseling",
                facilitator=therapist,
                status=Session.Status.HELD,
                version=1,
                modality=_individual_modality(episode, day),
            )
            sessions.append(session)
            if (demo.story in READY and day >= recent_from) or rng.random() < ATTEND_RATE[demo.story]:
                rows.append((session, Attendance.Status.PRESENT, 60))
            else:
                rows.append((session, _absence(rng, demo.story), 0))
        day += dt.timedelta(weeks=1)
    return sessions, rows


TELEHEALTH_GROUP_STORIES = {"steady", "stepped_down", "approaching"}


def _individual_modality(episode, day):
    """Telehealth in the demo: every third week's individual session by video, every fifth by phone."""
    week = (day - episode.admitted_on).days // 7
    if week % 3 == 1:
        return Session.Modality.VIDEO
    if week % 5 == 4:
        return Session.Modality.PHONE
    return Session.Modality.IN_PERSON


def _group_modality(story, session, status):
    """Some clients join the Thursday group by video (their row differs from the session)."""
    joins = story in TELEHEALTH_GROUP_STORIES and session.kind == Session.Kind.GROUP and session.date.weekday() == 3
    return Session.Modality.VIDEO if joins and status in Attendance.ATTENDED else ""


def seed(ctx):
    if not ctx.episodes:
        return
    rng, today = ctx.rng, ctx.today
    by_site = _therapists(ctx)
    first_day = min([today - dt.timedelta(weeks=ctx.weeks)] + [d.episode.admitted_on for d in ctx.episodes])
    group_sessions = _held_sessions(ctx, first_day, by_site)
    recent_from = week_start(today) - dt.timedelta(weeks=4)

    planned, individual_sessions = [], []  # (episode, session, status, minutes)
    for demo in ctx.episodes:
        episode = demo.episode
        last_day = min(today - dt.timedelta(days=1), episode.ended_on or today)
        therapist = by_site[episode.site_id]
        for session, status, minutes in _group_rows(ctx, demo, group_sessions, last_day, recent_from):
            planned.append((episode, session, status, minutes, therapist, _group_modality(demo.story, session, status)))
        sessions, rows = _individual(ctx, demo, last_day, therapist, recent_from)
        individual_sessions.extend(sessions)
        planned.extend((episode, s, st, m, therapist, "") for s, st, m in rows)
    bulk_create_with_history(individual_sessions, Session)

    attendance = []
    for episode, session, status, minutes, therapist, modality in planned:
        note = ""
        if session.kind == Session.Kind.INDIVIDUAL:
            note = rng.choice(INDIVIDUAL_NOTES)
        elif status in Attendance.ATTENDED and rng.random() < 0.1:
            note = rng.choice(ROSTER_NOTES)
        attendance.append(
            Attendance(
                session=session,
                episode=episode,
                status=status,
                minutes_attended=minutes,
                note=note,
                recorded_by=therapist,
                modality=modality,
            )
        )
    bulk_create_with_history(attendance, Attendance)
    _sign_group_notes(group_sessions, attendance)


CONTINUING_CARE_TOPICS = ["Alumni check-in: the first months after the program", "Alumni: staying connected"]


def seed_continuing_care(ctx, episodes):
    """The continuing-care groups' monthly sessions (``ctx.continuing_care_tracks``) over the
    history and a month ahead, the past ones held with a roster of the graduates' continuing-care
    ``episodes`` (each misses every third session it could attend). Called by the dashboard
    demo once those episodes exist; draws nothing from ``ctx.rng`` (the other demos' data stays
    as it was). Bulk writes with history."""
    today, by_site = ctx.today, _therapists(ctx)
    first_day = today - dt.timedelta(weeks=ctx.weeks)
    rows = []
    for track in ctx.continuing_care_tracks.values():
        sessions_generate(track=track, date_from=first_day, date_to=today + dt.timedelta(days=35))
        past = list(Session.objects.filter(track=track, date__gte=first_day, date__lt=today).order_by("date"))
        for index, s in enumerate(past):
            s.status, s.version = Session.Status.HELD, 1
            s.facilitator, s.topic = by_site[s.site_id], CONTINUING_CARE_TOPICS[index % len(CONTINUING_CARE_TOPICS)]
        bulk_update_with_history(past, Session, fields=["status", "version", "facilitator", "topic"])
        for episode in (e for e in episodes if e.track_id == track.pk):
            mine = [s for s in past if s.date >= episode.admitted_on]
            for position, s in enumerate(mine):
                missed = position % 3 == 2
                rows.append(
                    Attendance(
                        session=s,
                        episode=episode,
                        status=Attendance.Status.EXCUSED if missed else Attendance.Status.PRESENT,
                        minutes_attended=0 if missed else s.duration_minutes,
                        recorded_by=s.facilitator,
                    )
                )
    bulk_create_with_history(rows, Attendance)
    return rows
