"""A program at scale for demos and benchmarks: ``seed_demo --clients N --weeks W`` (issue 16).

``seed_bulk`` writes EXACTLY ``count`` active episodes at one site (Richmond, the demo case
manager's caseload) with ``weeks`` weeks of varied history each, in bulk: every row with its
history row (django-simple-history's ``bulk_create_with_history``), check-ins signed through
the signature chain in one bulk insert, and the markers snapshots refreshed in one pass at the
end. Proportions at 1,000 × 26 (the issue's): ≈ 80k attendance rows (two 3-day tracks), ≈ 49k
screens (Monday and Thursday) with ≈ 230k results (a 5-analyte cup), ≈ 24k signed check-ins,
as many worksheets with 3 goal ratings each.

Each client gets a *profile* (how they attend, whether and when they slip, what the latest
check-in recommends), so the caseload shows every readiness state and flag. Deterministic for
a seed (``rng`` only). The story-driven demo cast (``clients/demo.py`` and each app's
``demo.py``) is separate: this module writes only the bulk episodes.
"""

import datetime as dt

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from attendance.models import Attendance, Session
from audit.services import signatures_record
from checkins.models import CheckIn
from clients.models import Client, Episode, LevelOfCareChange
from dashboard.snapshots import refresh_stale
from goals.models import Goal, GoalRating, Worksheet
from iop import integrity
from iop.statistics import analyze
from programs.models import Site, Track
from screening.models import Analyte, Panel, Screen, ScreenResult

BATCH = 2000
# Two tracks of their own (the demo cast's rosters are signed: never added to), three 3-hour
# groups a week each (9 required hours).
TRACKS = [
    ("P1", "Program afternoon", ["mon", "wed", "fri"], dt.time(14, 0), dt.time(17, 0)),
    ("P2", "Program late evening", ["tue", "wed", "thu"], dt.time(18, 30), dt.time(21, 30)),
]
SCREEN_WEEKDAYS = (0, 3)  # Monday and Thursday
CUP = "5-panel cup"
CUP_ANALYTES = ("COC", "THC", "OPI", "mAMP", "BZO")
SLIP_ANALYTE = {"cocaine": "COC", "cannabis": "THC", "opioids": "OPI", "fentanyl": "OPI", "stimulants": "mAMP"}
SUBSTANCES = ("alcohol", "opioids", "fentanyl", "stimulants", "cocaine", "cannabis")
FIRST = ("Avery", "Blake", "Casey", "Drew", "Emery", "Finley", "Gray", "Harper", "Jordan", "Kendall")
LAST = ("Archer", "Bishop", "Carver", "Dalton", "Ellison", "Fletcher", "Garrison", "Holloway", "Irving", "Jensen")
# (weight, chance present, chance of a slip, weeks-ago range of the slip, latest recommendation)
PROFILES = {
    "steady": (40, 0.93, 0.3, (8, 26), "continue"),
    "ready": (20, 0.98, 0.0, None, "step_down"),
    "graduating": (8, 0.99, 0.0, None, "graduate"),
    "struggling": (17, 0.70, 0.5, (3, 10), "continue"),
    "relapsing": (10, 0.85, 1.0, (0, 1), "continue"),
    "new": (3, 0.9, 0.0, None, "continue"),
}


def _weeks_ago(today, weeks, days=0):
    return today - dt.timedelta(weeks=weeks, days=days)


def _moment(day, hour):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def seed_bulk(*, site, therapist, case_manager, count, weeks, today, rng, refresh=True):
    """``count`` new active episodes at ``site`` (on two tracks of their own) with ``weeks`` weeks
    of history. Returns {what: rows written}. Call inside a transaction."""
    tracks = [
        Track.objects.get_or_create(
            code=f"{site.code}-{suffix}",
            defaults={"site": site, "name": name, "weekdays": days, "start_time": start, "end_time": end},
        )[0]
        for suffix, name, days, start, end in TRACKS
    ]
    analytes = {a.code: a for a in Analyte.objects.filter(code__in=CUP_ANALYTES)}
    cup, created = Panel.objects.get_or_create(name=CUP)
    if created or cup.analytes.count() != len(analytes):
        cup.analytes.set(analytes.values())
    counts = {}

    # Clients and episodes, MRNs reserved in one step (row-locked like clients.services.mrn_next).
    locked = Site.objects.select_for_update().get(pk=site.pk)
    first_number = locked.next_mrn_number
    taken = set(Client.objects.filter(mrn__startswith=f"{site.code}-").values_list("mrn", flat=True))
    numbers, n = [], first_number
    while len(numbers) < count:
        if f"{site.code}-{n:04d}" not in taken:
            numbers.append(n)
        n += 1
    Site.objects.filter(pk=site.pk).update(next_mrn_number=n)
    names = [p for p, (w, *_) in PROFILES.items() for _ in range(w)]
    plans = []
    for _number in numbers:
        profile = rng.choice(names)
        back = rng.randint(1, 3) if profile == "new" else (weeks if rng.random() < 0.95 else rng.randint(1, weeks))
        plans.append((profile, _weeks_ago(today, back, rng.randint(0, 6))))
    clients = bulk_create_with_history(
        [
            Client(
                mrn=f"{site.code}-{number:04d}",
                first_name=FIRST[number % len(FIRST)],
                last_name=f"{LAST[(number // len(FIRST)) % len(LAST)]}-{number:04d}",
                date_of_birth=dt.date(1960 + rng.randint(0, 40), rng.randint(1, 12), rng.randint(1, 28)),
                primary_substance=rng.choice(SUBSTANCES),
                referral_source=rng.choice(["self", "inpatient", "court", "employer", "provider"]),
            )
            for number in numbers
        ],
        Client,
        batch_size=BATCH,
    )
    episodes = bulk_create_with_history(
        [
            Episode(
                client=c,
                ref=f"{c.mrn}-1",
                site=site,
                track=tracks[i % len(tracks)],
                admitted_on=admitted_on,
                primary_therapist=therapist,
                case_manager=case_manager,
            )
            for i, (c, (_, admitted_on)) in enumerate(zip(clients, plans, strict=True))
        ],
        Episode,
        batch_size=BATCH,
    )
    bulk_create_with_history(
        [
            LevelOfCareChange(episode=e, level_of_care=e.level_of_care, effective_on=e.admitted_on, reason="Admission")
            for e in episodes
        ],
        LevelOfCareChange,
        batch_size=BATCH,
    )
    counts["active episodes"] = len(episodes)

    # Sessions: every track day since the earliest admission (reusing those of an earlier run).
    start = min(e.admitted_on for e in episodes)
    existing = {
        (s.track_id, s.date): s
        for s in Session.objects.filter(track__in=tracks, date__gte=start, date__lt=today, kind=Session.Kind.GROUP)
    }
    new_sessions = []
    for track in tracks:
        weekdays = {("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(d) for d in track.weekdays}
        day = start
        while day < today:
            if day.weekday() in weekdays and (track.pk, day) not in existing:
                new_sessions.append(
                    Session(
                        site=site,
                        track=track,
                        date=day,
                        start_time=track.start_time,
                        duration_minutes=180,
                        topic="Relapse prevention",
                        facilitator=therapist,
                        status=Session.Status.HELD,
                    )
                )
            day += dt.timedelta(days=1)
    for s in bulk_create_with_history(new_sessions, Session, batch_size=BATCH):
        existing[(s.track_id, s.date)] = s
    by_track = {}
    for (track_id, _day), s in sorted(existing.items(), key=lambda kv: kv[0][1]):
        if s.status == Session.Status.HELD and s.note_signed_at is None:  # a signed roster stays signed
            by_track.setdefault(track_id, []).append(s)

    attendance, screens, owners, goals, sheets, checkins = [], [], [], [], [], []
    for e, (profile, _) in zip(episodes, plans, strict=True):
        _weight, present, slip_chance, slip_weeks, recommendation = PROFILES[profile]
        for s in by_track.get(e.track_id, ()):
            if s.date < e.admitted_on:
                continue
            roll = rng.random()
            if roll < present:
                status = "late" if rng.random() < 0.05 else "present"
            else:
                status = "excused" if rng.random() < 0.4 else "absent"
            minutes = {"present": 180, "late": 150}.get(status, 0)
            attendance.append(
                Attendance(session=s, episode=e, status=status, minutes_attended=minutes, recorded_by=therapist)
            )
        slip_on = None
        if slip_weeks and rng.random() < slip_chance:
            slip_on = _weeks_ago(today, rng.randint(*slip_weeks), rng.randint(0, 6))
        slip_code = SLIP_ANALYTE.get(e.client.primary_substance, "THC")
        day = e.admitted_on
        while day < today:
            if day.weekday() in SCREEN_WEEKDAYS and rng.random() < 0.98:
                roll = rng.random()
                outcome = "completed" if roll < 0.95 else ("missed" if roll < 0.98 else "refused")
                positive = outcome == "completed" and slip_on is not None and abs((day - slip_on).days) <= 3
                screens.append(
                    Screen(
                        episode=e,
                        collected_at=_moment(day, rng.choice((9, 12, 17))),
                        collected_by=therapist,
                        observed=rng.random() < 0.7,
                        panel=cup if outcome == "completed" else None,
                        outcome=outcome,
                        reason="" if outcome == "completed" else "Did not come to the screen.",
                        temperature_in_range=True if outcome == "completed" else None,
                    )
                )
                owners.append(slip_code if positive else None)
            day += dt.timedelta(days=1)
        episode_goals = [
            Goal(episode=e, ref=f"G{g}", area=area, statement=statement, set_by=therapist)
            for g, (area, statement) in enumerate(
                (
                    ("substance_use", "Stay sober one day at a time."),
                    ("mental_health", "Use my coping plan when cravings hit."),
                    ("family", "Rebuild trust at home."),
                ),
                start=1,
            )
        ]
        goals.extend(episode_goals)
        monday = e.admitted_on - dt.timedelta(days=e.admitted_on.weekday())
        last_week = today - dt.timedelta(days=today.weekday() + 7)
        good = profile in ("ready", "graduating", "steady")
        while monday <= last_week:
            latest = monday == last_week
            if latest or rng.random() < 0.92:
                sheets.append(
                    (
                        Worksheet(episode=e, week=monday, completed_by=therapist),
                        [rng.randint(2, 4) if good else rng.randint(0, 3) for _ in episode_goals],
                    )
                )
            if latest or rng.random() < 0.95:
                signed_at = _moment(monday + dt.timedelta(days=4), 16)
                checkins.append(
                    CheckIn(
                        episode=e,
                        week=monday,
                        author=therapist,
                        cravings=rng.randint(0, 4) if good else rng.randint(2, 8),
                        engagement=rng.randint(3, 5) if good else rng.randint(1, 4),
                        mood=rng.randint(3, 5) if good else rng.randint(1, 4),
                        risk="none" if profile != "relapsing" else "moderate",
                        mutual_help_meetings=rng.randint(0, 4),
                        note="Weekly check-in.",
                        recommendation=recommendation if latest else "continue",
                        signed_at=signed_at,
                        signed_by=therapist,
                    )
                )
            monday += dt.timedelta(weeks=1)

    bulk_create_with_history(attendance, Attendance, batch_size=BATCH)
    screens = bulk_create_with_history(screens, Screen, batch_size=BATCH)
    results = []
    for screen, slip in zip(screens, owners, strict=True):
        if screen.panel_id is None:
            continue
        for code in CUP_ANALYTES:
            positive = code == slip
            results.append(
                ScreenResult(
                    screen=screen,
                    analyte=analytes[code],
                    result="positive" if positive else "negative",
                    confirmation="confirmed_positive" if positive else "not_sent",
                    confirmation_sent_on=screen.collected_at.date() if positive else None,
                    confirmed_on=screen.collected_at.date() + dt.timedelta(days=3) if positive else None,
                )
            )
    bulk_create_with_history(results, ScreenResult, batch_size=BATCH)
    goals = bulk_create_with_history(goals, Goal, batch_size=BATCH)
    goals_of = {}
    for g in goals:
        goals_of.setdefault(g.episode_id, []).append(g)
    worksheets = bulk_create_with_history([w for w, _ in sheets], Worksheet, batch_size=BATCH)
    ratings = [
        GoalRating(worksheet=w, goal=g, rating=r)
        for w, (_, rates) in zip(worksheets, sheets, strict=True)
        for g, r in zip(goals_of[w.episode_id], rates, strict=True)
    ]
    bulk_create_with_history(ratings, GoalRating, batch_size=BATCH)
    for c in checkins:
        c.signature_sha256 = integrity.content_sha256(c.signed_content())
    checkins = bulk_create_with_history(checkins, CheckIn, batch_size=BATCH)
    signatures_record(records=checkins)
    counts.update(
        {
            "attendance": len(attendance),
            "screens": len(screens),
            "results": len(results),
            "worksheets": len(worksheets),
            "ratings": len(ratings),
            "signed check-ins": len(checkins),
        }
    )
    analyze(Client, Episode, Session, Attendance, Screen, ScreenResult, Worksheet, Goal, GoalRating, CheckIn)
    if refresh:
        counts["snapshots"] = refresh_stale(Episode.objects.active(), today)  # the cast's too
    return counts
