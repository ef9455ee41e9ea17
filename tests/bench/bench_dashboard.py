"""Caseload speed: 1,000 active episodes with 12 weeks of history, the dashboard page timed.

``main()`` builds the data in a child process whose ``DATABASE_URL`` points at a fresh SQLite
file; when ``DATABASE_URL`` names a PostgreSQL database, a throwaway database
``<name>_bench_dashboard`` is created beside it on the same server and dropped afterwards
(``BENCH_DATABASE_URL`` overrides both; it must be an empty database you can fill).
The project's own database is never touched. Figures: docs/benchmarks.md.
Run alone with ``DJANGO_SECRET_KEY=x .venv/bin/python -m tests.bench.bench_dashboard``.
"""

import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

EPISODES = 1000
WEEKS = 12
RUNS = 7


def build(today, rng):
    """1,000 active episodes at one site (two tracks), 12 weeks of attendance (3 groups a week),
    two screens a week, three goals rated weekly and a signed check-in every week. Bulk writes:
    this is a measurement, not demo data (no history rows)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from attendance.models import Attendance, Session
    from checkins.models import CheckIn
    from clients.models import Client, Episode
    from goals.models import Goal, GoalRating, Worksheet
    from iop.dates import week_start
    from programs.models import Site, Track
    from programs.roles import CASE_MANAGER
    from screening.models import Analyte, Screen, ScreenResult

    site = Site.objects.create(code="BEN", name="Bench")
    tracks = [
        Track.objects.create(
            site=site,
            code="BEN-EVE",
            name="Evening",
            weekdays=["mon", "tue", "thu"],
            start_time=dt.time(18),
            end_time=dt.time(21),
        ),
        Track.objects.create(
            site=site,
            code="BEN-AM",
            name="Morning",
            weekdays=["mon", "wed", "fri"],
            start_time=dt.time(7),
            end_time=dt.time(10),
        ),
    ]
    user = get_user_model().objects.create_user("bench-cm", password="bench-only-password-1")
    user.groups.add(Group.objects.get(name=CASE_MANAGER))
    site.staff.add(user)
    analytes = [Analyte.objects.get_or_create(code=c, defaults={"name": c})[0] for c in ("FEN", "COC", "THC")]
    first_monday = week_start(today) - dt.timedelta(weeks=WEEKS)
    clients = Client.objects.bulk_create(
        [
            Client(
                mrn=f"BEN-{n:05d}", first_name=f"C{n}", last_name=f"Bench{n:05d}", date_of_birth=dt.date(1990, 1, 31)
            )
            for n in range(EPISODES)
        ],
        batch_size=500,
    )
    episodes = Episode.objects.bulk_create(
        [
            Episode(
                client=c,
                ref=f"{c.mrn}-1",
                site=site,
                track=tracks[i % 2],
                case_manager=user,
                primary_therapist=user,
                admitted_on=first_monday + dt.timedelta(days=rng.randint(0, 20)),
            )
            for i, c in enumerate(clients)
        ],
        batch_size=500,
    )
    offsets = {"BEN-EVE": (0, 1, 3), "BEN-AM": (0, 2, 4)}
    sessions = {}
    for track in tracks:
        for w in range(WEEKS + 1):
            for offset in offsets[track.code]:
                day = first_monday + dt.timedelta(weeks=w, days=offset)
                if day < today:
                    sessions[(track.pk, day)] = Session(
                        site=site,
                        track=track,
                        date=day,
                        start_time=track.start_time,
                        duration_minutes=180,
                        status="held",
                    )
    Session.objects.bulk_create(sessions.values(), batch_size=500)
    attendance, screens, goals, sheets, checkins = [], [], [], [], []
    for e in episodes:
        for (track_id, day), session in sessions.items():
            if track_id == e.track_id and day >= e.admitted_on:
                status = rng.choices(["present", "late", "excused", "absent"], [85, 5, 4, 6])[0]
                minutes = {"present": 180, "late": 150}.get(status, 0)
                attendance.append(Attendance(session=session, episode=e, status=status, minutes_attended=minutes))
        for w in range(WEEKS + 1):
            monday = first_monday + dt.timedelta(weeks=w)
            for offset, hour in ((1, 12), (4, 9)):
                day = monday + dt.timedelta(days=offset)
                if e.admitted_on <= day < today:
                    outcome = rng.choices(["completed", "missed"], [97, 3])[0]
                    at = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
                    screens.append(Screen(episode=e, collected_at=at, outcome=outcome))
            if monday <= today:
                sheets.append(Worksheet(episode=e, week=monday))
                checkins.append(
                    CheckIn(
                        episode=e,
                        week=monday,
                        author=user,
                        signed_at=dt.datetime.now(dt.UTC),
                        signed_by=user,
                        recommendation=rng.choice(["continue", "step_down"]),
                    )
                )
        goals += [Goal(episode=e, ref=f"G{g}", area="substance_use", statement="Goal") for g in (1, 2, 3)]
    Attendance.objects.bulk_create(attendance, batch_size=2000)
    Screen.objects.bulk_create(screens, batch_size=2000)
    results = [
        ScreenResult(screen=s, analyte=a, result="positive" if rng.random() < 0.03 else "negative")
        for s in screens
        if s.outcome == "completed"
        for a in analytes
    ]
    ScreenResult.objects.bulk_create(results, batch_size=2000)
    Goal.objects.bulk_create(goals, batch_size=2000)
    Worksheet.objects.bulk_create(sheets, batch_size=2000)
    goals_of = {}
    for g in goals:
        goals_of.setdefault(g.episode_id, []).append(g)
    ratings = [
        GoalRating(worksheet=s, goal=g, rating=rng.randint(1, 4)) for s in sheets for g in goals_of[s.episode_id]
    ]
    GoalRating.objects.bulk_create(ratings, batch_size=2000)
    CheckIn.objects.bulk_create(checkins, batch_size=2000)
    return user, {
        "attendance": len(attendance),
        "screens": len(screens),
        "results": len(results),
        "worksheets": len(sheets),
        "ratings": len(ratings),
        "check-ins": len(checkins),
    }


def child():
    """The measurement itself (runs with DATABASE_URL set to the throwaway database)."""
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from clients.models import Episode
    from clients.services import episodes_inputs_changed
    from dashboard.models import MarkerSnapshot
    from dashboard.queries import episode_evaluations
    from dashboard.snapshots import refresh_stale

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    started = time.perf_counter()
    user, counts = build(today, random.Random(11))
    print(f"data: {EPISODES} active episodes x {WEEKS} weeks: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    print(f"built in {time.perf_counter() - started:.1f} s ({os.environ['DATABASE_URL'].split(':')[0]})")

    episodes = list(Episode.objects.active().select_related("client"))
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        evaluations = episode_evaluations(episodes, today)
        gather = time.perf_counter() - t0
    ready = sum(1 for e in evaluations.values() if e.step_down.status == "ready")
    print(f"episode_evaluations: {gather * 1000:.0f} ms, {len(ctx.captured_queries)} queries ({ready} step-down ready)")

    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES=storages, AXES_ENABLED=False):
        http = HttpClient()
        http.force_login(user)

        def page(params=None):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = http.get("/", params or {})
                elapsed = time.perf_counter() - t0
            assert response.status_code == 200, response.status_code
            return elapsed, len(ctx.captured_queries)

        first, queries = page()
        print(f"first visit (every snapshot stale: one bulk refresh): {first * 1000:.0f} ms, {queries} queries")
        for label, params in (
            ("caseload page", {}),
            ("filtered + sorted", {"status": "needs_attention", "sort": "-attendance"}),
            ("sorted by a marker", {"sort": "-streak"}),
            ("filtered by a flag", {"flag": "absences"}),
        ):
            runs = [page(params) for _ in range(RUNS)]
            times = [t for t, _ in runs]
            print(
                f"{label}: median {statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms "
                f"over {RUNS} runs, {runs[-1][1]} queries"
            )
        after_write = []
        for episode in episodes[:RUNS]:
            episodes_inputs_changed(episode_ids=[episode.pk])  # what any write service does
            after_write.append(page()[0])
        print(f"after one write to one client: median {statistics.median(after_write) * 1000:.0f} ms")
        t0 = time.perf_counter()
        assert http.get("/caseload.csv").status_code == 200
        print(f"CSV export of {EPISODES}: {(time.perf_counter() - t0) * 1000:.0f} ms")
        MarkerSnapshot.objects.all().delete()
        t0 = time.perf_counter()
        refreshed = refresh_stale(Episode.objects.active(), today)
        print(f"markers --refresh of all {refreshed} snapshots: {(time.perf_counter() - t0) * 1000:.0f} ms")


def _postgres_throwaway(url, suffix="_bench_dashboard"):
    """(url of a fresh database beside ``url``, drop function)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + suffix
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def main():
    root = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = os.environ.get("BENCH_DATABASE_URL"), None
        project_db = os.environ.get("DATABASE_URL", "")
        if not url and project_db.startswith(("postgres://", "postgresql://")):
            url, drop = _postgres_throwaway(project_db)
        url = url or f"sqlite:///{Path(tmp) / 'bench_dashboard.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "off"}
        env.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
        try:
            subprocess.run(
                [sys.executable, "-m", "tests.bench.bench_dashboard", "--child"], env=env, cwd=root, check=True
            )
        finally:
            if drop:
                drop()


if __name__ == "__main__":
    child() if "--child" in sys.argv else main()
