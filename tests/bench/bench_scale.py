"""The caseload at scale (issue 16): 100, 300 and 1,000 active episodes × 26 weeks, on PostgreSQL.

One throwaway database ``<DATABASE_URL's name>_bench_scale`` beside the project's (dropped
afterwards; ``BENCH_KEEP=1`` keeps it, ``BENCH_DATABASE_URL`` names an empty one to fill) holds
three sites of 100, 300 and 1,000 episodes, built by ``dashboard.bulk_demo.seed_bulk`` (the
``seed_demo --clients`` path). Every measure runs interleaved: each round takes every page at
every size in turn (A, B, C, A, B, C…), one warm-up round, medians of ``BENCH_RUNS`` (7) rounds.

Measured per size: the caseload's page 1 (default sort, sorted by a marker, filtered by a flag),
the CSV, a client's Progress tab, ``/healthz``, a roster of 15 clients (GET and POST), SQL
statements per page, the next caseload view after one write to one client, a full refresh of
every snapshot, and the from-scratch SQL reference query (``tests/bench/reference.py``, when
present: the pages' ratios to it are printed; ``reference_differences`` is run once per size).
Then, at 1,000: gunicorn (iop/gunicorn.conf.py, 3 sync workers, DEBUG off) + wrk (16
connections, ``BENCH_WRK_SECONDS`` = 20 s) on the caseload and the Progress tab, signed in as
the site's case manager. ``BENCH_SIZES=100,300`` and ``BENCH_WRK=0`` make a quicker run.
Run alone: ``DATABASE_URL=postgres://… DJANGO_SECRET_KEY=x .venv/bin/python -m tests.bench.bench_scale``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.bench.bench_dashboard import _postgres_throwaway

WEEKS = int(os.environ.get("BENCH_WEEKS", "26"))
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "100,300,1000").split(",")]
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
WARMUP = 1
ROSTER = 15
PASSWORD = "bench-only-password-1"  # nosec B105 # a throwaway benchmark database's user


def _reference():
    """The from-scratch reference query's module, when shipped (tests/bench/reference.py)."""
    try:
        from tests.bench import reference
    except ImportError:
        return None
    return reference if hasattr(reference, "reference_markers") else None


def build(today):
    """Three sites (S100, S300, S1000…), each with a case manager ``cm<N>`` and a therapist, N
    bulk episodes with WEEKS weeks, and a roster track of 15 clients with today's session."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction

    from attendance.models import Session
    from clients.models import Episode
    from dashboard.bulk_demo import seed_bulk
    from programs.models import Site, Track
    from programs.roles import CASE_MANAGER, THERAPIST
    from programs.services import site_criteria_ensure

    User = get_user_model()
    rng = random.Random(16)  # nosec B311 # benchmark data
    sites = {}
    for n in SIZES:
        started = time.perf_counter()
        with transaction.atomic():
            site = Site.objects.create(code=f"S{n}", name=f"Bench {n}")
            site_criteria_ensure(site=site)
            cm = User.objects.create_user(f"cm{n}", password=PASSWORD)
            th = User.objects.create_user(f"th{n}", password=PASSWORD)
            cm.groups.add(Group.objects.get(name=CASE_MANAGER))
            th.groups.add(Group.objects.get(name=THERAPIST))
            site.staff.add(cm, th)
            counts = seed_bulk(
                site=site, therapist=th, case_manager=cm, count=n, weeks=WEEKS, today=today, rng=rng, refresh=False
            )
            roster_track = Track.objects.create(
                site=site,
                code=f"S{n}-R",
                name="Roster of 15",
                weekdays=["mon", "tue", "wed", "thu", "fri"],
                start_time=dt.time(8),
                end_time=dt.time(11),
            )
            ids = list(Episode.objects.filter(site=site).order_by("pk").values_list("pk", flat=True)[:ROSTER])
            Episode.objects.filter(pk__in=ids).update(track=roster_track)
            session = Session.objects.create(
                site=site, track=roster_track, date=today, start_time=dt.time(8), duration_minutes=180, facilitator=th
            )
        took = time.perf_counter() - started
        print(f"S{n}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + f" in {took:.1f} s", flush=True)
        sites[n] = {"site": site, "cm": cm, "th": th, "session": session, "roster": ids}
    return sites


def _ms(seconds):
    return f"{seconds * 1000:,.0f} ms"


class Measure:
    def __init__(self, name):
        self.name, self.times, self.queries = name, [], None


def child():
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from attendance.models import Session
    from clients.models import Episode
    from clients.services import episodes_inputs_changed
    from dashboard.snapshots import EPISODE_FIELDS, refresh, refresh_stale

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    started = time.perf_counter()
    sites = build(today)
    print(f"built in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    refreshed = refresh_stale(Episode.objects.active(), today)
    print(f"first refresh of all {refreshed} snapshots: {_ms(time.perf_counter() - started)}", flush=True)
    reference = _reference()
    if reference is None:
        print("tests/bench/reference.py (the from-scratch SQL query) not present: no ratios")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    results = {n: {} for n in SIZES}

    with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES=storages, AXES_ENABLED=False):
        for info in sites.values():
            info["http"], info["http_th"] = HttpClient(), HttpClient()
            info["http"].force_login(info["cm"])
            info["http_th"].force_login(info["th"])  # rosters are the therapists'
            info["episodes"] = list(Episode.objects.filter(site=info["site"]).active().order_by("pk"))
            info["ids"] = [e.pk for e in info["episodes"]]
            info["client_id"] = info["episodes"][ROSTER].client_id  # not on the roster

        def get(n, path, params=None, who="http"):
            response = sites[n][who].get(path, params or {})
            assert response.status_code == 200, (path, response.status_code)  # nosec B101 # a benchmark

        def roster_post(n):
            info = sites[n]
            session = Session.objects.get(pk=info["session"].pk)
            data = {"episode": info["roster"], "version": session.version, "group_note": "Bench group."}
            for pk in info["roster"]:
                data[f"status_{pk}"] = random.choice(("present", "late"))  # nosec B311
                data[f"minutes_{pk}"] = 170
            response = info["http_th"].post(f"/attendance/sessions/{session.pk}/", data)
            assert response.status_code == 302, response.status_code  # nosec B101

        def after_write(n):
            episodes_inputs_changed(episode_ids=[sites[n]["ids"][ROSTER + 1]])  # what any write service does
            get(n, "/")

        def full_refresh(n):
            refresh(Episode.objects.filter(pk__in=sites[n]["ids"]).only(*EPISODE_FIELDS), today)

        pages = {
            "caseload page 1": lambda n: get(n, "/"),
            "sorted by a marker (-streak)": lambda n: get(n, "/", {"sort": "-streak"}),
            "filtered by a flag (absences)": lambda n: get(n, "/", {"flag": "absences"}),
            "next view after one write": after_write,
            "CSV of the caseload": lambda n: get(n, "/caseload.csv"),
            "Progress tab": lambda n: get(n, f"/clients/{sites[n]['client_id']}/progress/"),
            "/healthz": lambda n: get(n, "/healthz"),
            "roster GET (15)": lambda n: get(n, f"/attendance/sessions/{sites[n]['session'].pk}/", who="http_th"),
            "roster POST (15)": roster_post,
            "full refresh of every snapshot": full_refresh,
        }
        if reference is not None:
            pages["reference query (all)"] = lambda n: reference.reference_markers(
                connection, today, episode_ids=sites[n]["ids"]
            )
            pages["reference query (1 client)"] = lambda n: reference.reference_markers(
                connection, today, episode_ids=[sites[n]["ids"][ROSTER]]
            )
        measures = {(n, name): Measure(name) for n in SIZES for name in pages}
        for round_ in range(WARMUP + RUNS):
            for name, run in pages.items():
                for n in SIZES:
                    m = measures[(n, name)]
                    if round_ < WARMUP:  # queries counted in the warm-up, times taken without the log
                        # Counted on a second request, as the timed ones run: the first fills what a
                        # page caches (a Progress tab's history snapshot), which the others read.
                        run(n)
                        refresh_stale(Episode.objects.filter(site=sites[n]["site"]).active(), today)
                        connection.queries_log.clear()  # a full log (9,000) would count 0 queries
                        with CaptureQueriesContext(connection) as ctx:
                            run(n)
                        m.queries = len(ctx.captured_queries)
                    else:
                        # Logging every statement with its parameters costs time of its own (~5 %
                        # of a full refresh, whose upsert carries 3 MB of JSON): not timed.
                        t0 = time.perf_counter()
                        run(n)
                        m.times.append(time.perf_counter() - t0)
                    # Leave every snapshot current for the next page (a write, a roster save).
                    refresh_stale(Episode.objects.filter(site=sites[n]["site"]).active(), today)
                    if name == "full refresh of every snapshot":
                        _vacuum_snapshots(connection)
            print(f"round {round_ + 1}/{WARMUP + RUNS} done", flush=True)

        if reference is not None and hasattr(reference, "reference_differences"):
            for n in SIZES:
                diffs = reference.reference_differences(connection, today, episode_ids=sites[n]["ids"])
                print(f"S{n}: reference vs evaluate: {len(diffs)} differences", flush=True)

    for n in SIZES:
        for name in pages:
            results[n][name] = measures[(n, name)]
    report(results, pages)
    if os.environ.get("BENCH_WRK", "1") != "0" and shutil.which("wrk"):
        n = max(SIZES)
        _vacuum_all(connection)
        wrk_runs(sites[n], n)


def _vacuum_snapshots(connection):
    """What autovacuum does after a full refresh rewrote every row (untimed). This machine's
    PostgreSQL runs with autovacuum off: without it, eight rounds of full refreshes leave ~11,000
    dead rows in a 1,400-row table, and every later caseload, CSV and refresh reads them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE dashboard_markersnapshot")


def _vacuum_all(connection):
    """What autovacuum would have done by now, before the load runs (untimed). The rounds above
    sealed ~17,000 access events, each an UPDATE that leaves a dead row whose NULL entry stays in
    the seal index: every request's sealing then walks past all of them (measured: caseload
    27.9 req/s before a VACUUM of this kind, 29.4 and 32.3 after, same code and data)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def report(results, pages):
    def median(m):
        return statistics.median(m.times)

    print(f"\nmedians of {RUNS} interleaved runs after {WARMUP} warm-up round; queries per request")
    header = "| measure | " + " | ".join(f"{n} × {WEEKS}" for n in SIZES) + " | ratio to reference (largest) |"
    print(header)
    print("| --- " * (len(SIZES) + 2) + "|")
    big = max(SIZES)
    ref_all = results[big].get("reference query (all)")
    ref_one = results[big].get("reference query (1 client)")
    for name in pages:
        cells = []
        for n in SIZES:
            m = results[n][name]
            cells.append(f"{_ms(median(m))}, {m.queries} q")
        ref = ref_one if name == "Progress tab" else ref_all
        ratio = f"{median(results[big][name]) / median(ref):.2f}×" if ref and not name.startswith("reference") else ""
        print(f"| {name} | " + " | ".join(cells) + f" | {ratio} |")
    small = min(SIZES)
    if small != big:
        for name in ("caseload page 1", "roster GET (15)"):
            flat = median(results[big][name]) / median(results[small][name])
            print(f"{name}: {big} vs {small}: {flat:.2f}×")
    after = median(results[big]["next view after one write"]) / median(results[big]["caseload page 1"])
    print(f"next view after one write vs unchanged ({big}): {after:.2f}×")
    sys.stdout.flush()


def _login(base, username):
    """Sign in through the login form; the session cookie (Secure cookies are sent over loopback
    here by hand)."""
    response = urllib.request.urlopen(f"{base}/accounts/login/")  # nosec B310 # loopback
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode()).group(1)
    cookies = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        cookies[name] = rest.split(";")[0]
    request = urllib.request.Request(
        f"{base}/accounts/login/",
        data=urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/"}
        ).encode(),
        headers={"Cookie": f"csrftoken={cookies.get('csrftoken', '')}", "Referer": f"{base}/accounts/login/"},
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(NoRedirect).open(request)  # nosec B310
    except urllib.error.HTTPError as exc:
        if exc.code != 302:
            raise
        for header in exc.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name] = rest.split(";")[0]
    return f"sessionid={cookies['sessionid']}"


def wrk(url, cookie, seconds):
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", "16", "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
        + ["-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
    p50 = re.search(r"50%\s+(\S+)", out).group(1)
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    total = re.search(r"(\d+) requests in", out).group(1)
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(x) for x in m.groups())
    return {"req/s": rps, "p50": p50, "p99": p99, "requests": total, "errors": errors}


def wrk_runs(info, n):
    seconds = int(os.environ.get("BENCH_WRK_SECONDS", "20"))
    port = os.environ.get("BENCH_PORT", "8765")
    base = f"http://127.0.0.1:{port}"
    root = Path(__file__).resolve().parents[2]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # DEBUG off serves hashed static names from the manifest, which only collectstatic writes.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=root, check=True)
    env = {**os.environ, "DJANGO_DEBUG": "off", "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "3"}
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [str(gunicorn), "-c", "iop/gunicorn.conf.py", "iop.wsgi"], cwd=root, env=env, stdout=log, stderr=log
        )
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=2)  # nosec B310 # loopback
                    break
                except OSError:
                    time.sleep(0.3)
            cookie = _login(base, info["cm"].username)
            print(f"\ngunicorn (3 sync workers, DEBUG off) + wrk -c 16 -d {seconds}s at {n} × {WEEKS}, as cm{n}:")
            for label, path in (("caseload /", "/"), ("Progress tab", f"/clients/{info['client_id']}/progress/")):
                wrk(base + path, cookie, 3)  # warm-up
                r = wrk(base + path, cookie, seconds)
                print(
                    f"| {label} | {r['req/s']} req/s | p50 {r['p50']} | p99 {r['p99']} | {r['errors']} errors "
                    f"| {r['requests']} requests |",
                    flush=True,
                )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def main():
    root = Path(__file__).resolve().parents[2]
    url, drop = os.environ.get("BENCH_DATABASE_URL"), None
    project_db = os.environ.get("DATABASE_URL", "")
    if not url and not project_db.startswith(("postgres://", "postgresql://")):
        print("bench_scale needs PostgreSQL: set DATABASE_URL=postgres://… (skipped)")
        return
    if not url:
        url, drop = _postgres_throwaway(project_db, suffix="_bench_scale")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "off"}
    env.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    try:
        subprocess.run([sys.executable, "-m", "tests.bench.bench_scale", "--child"], env=env, cwd=root, check=True)
    finally:
        if drop and os.environ.get("BENCH_KEEP") != "1":
            drop()


if __name__ == "__main__":
    child() if "--child" in sys.argv else main()
