"""Import speed: a generated 100-client, 26-week ``iop-records/1`` file imported into a
throwaway database (docs/import-format.md quotes the figure).

``main()`` runs the measurement in a child process whose ``DATABASE_URL`` points at a fresh
SQLite file (or at ``BENCH_DATABASE_URL``, which must be an empty database you can drop),
so the benchmark never touches the project's database. Run alone with
``DJANGO_SECRET_KEY=x .venv/bin/python -m tests.bench.bench_import``.
"""

import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLIENTS = 100
WEEKS = 26
ANALYTES = ("AMP", "mAMP", "BAR", "BZO", "BUP", "COC", "MDMA", "FEN", "THC", "MTD", "OPI", "OXY", "PCP", "TRA", "ETG")
TRACKS = [
    ("RIC-EVE", "RIC", ["mon", "tue", "thu"], "18:00", "21:00"),
    ("RIC-AM", "RIC", ["mon", "wed", "fri"], "07:00", "10:00"),
    ("NOR-EVE", "NOR", ["mon", "tue", "thu"], "18:00", "21:00"),
    ("NOR-MID", "NOR", ["tue", "wed", "fri"], "11:00", "14:00"),
]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def generate(today, clients=CLIENTS, weeks=WEEKS, seed=7):
    """A plausible document: every client admitted ``weeks`` weeks ago on one of 4 tracks,
    three group days and one individual session a week, two screens, a worksheet rating
    three goals and a signed check-in every week."""
    rng = random.Random(seed)
    first_monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks)
    doc = {
        "format": "iop-records/1",
        "sites": [{"code": "RIC", "name": "Richmond"}, {"code": "NOR", "name": "Norfolk"}],
        "tracks": [
            {"code": code, "site": site, "name": code, "weekdays": days, "start": start, "end": end}
            for code, site, days, start, end in TRACKS
        ],
        "staff": [
            {"username": f"{site.lower()}-{role}", "name": f"{site} {role}", "role": role, "sites": [site]}
            for site in ("RIC", "NOR")
            for role in ("therapist", "case_manager")
        ],
        "clients": [],
    }
    for n in range(1, clients + 1):
        code, site, days, start, _ = TRACKS[n % len(TRACKS)]
        mrn = f"{site}-{n:04d}"
        episode = {
            "ref": f"{mrn}-1",
            "site": site,
            "track": code,
            "admitted_on": first_monday.isoformat(),
            "therapist": f"{site.lower()}-therapist",
            "case_manager": f"{site.lower()}-case_manager",
            "status": "active",
            "prescriptions": [{"medication": "buprenorphine", "analyte": "BUP", "start": first_monday.isoformat()}],
            "attendance": [],
            "screens": [],
            "goals": [
                {"ref": f"G{g}", "area": area, "statement": f"Goal {g}"}
                for g, area in enumerate(("substance_use", "mental_health", "employment_education"), 1)
            ],
            "worksheets": [],
            "checkins": [],
        }
        for week in range(weeks):
            monday = first_monday + dt.timedelta(weeks=week)
            for offset in range(7):
                day = monday + dt.timedelta(days=offset)
                if WEEKDAYS[offset] in days and day < today:
                    status = rng.choices(["present", "late", "left_early", "excused", "absent"], [80, 6, 4, 4, 6])[0]
                    minutes = {"present": 180, "late": 150, "left_early": 120}.get(status, 0)
                    episode["attendance"].append(
                        {
                            "date": day.isoformat(),
                            "start": start,
                            "kind": "group",
                            "duration_minutes": 180,
                            "status": status,
                            "minutes_attended": minutes,
                        }
                    )
            episode["attendance"].append(
                {
                    "date": (monday + dt.timedelta(days=2)).isoformat(),
                    "start": f"{9 + n % 8:02d}:00",
                    "kind": "individual",
                    "duration_minutes": 60,
                    "status": "present",
                    "track": None,
                }
            )
            for offset, hour in ((1, 17), (4, 12)):
                results = {"BUP": "positive", "FEN": "negative", "COC": "negative"}
                if rng.random() < 0.05:
                    results["COC"] = "positive"
                episode["screens"].append(
                    {
                        "collected_at": f"{monday + dt.timedelta(days=offset)}T{hour}:{n % 60:02d}",
                        "observed": rng.random() < 0.5,
                        "outcome": "completed",
                        "results": results,
                    }
                )
            episode["worksheets"].append(
                {
                    "week": monday.isoformat(),
                    "ratings": {f"G{g}": min(4, week // 5 + rng.randint(0, 1)) for g in (1, 2, 3)},
                }
            )
            episode["checkins"].append(
                {
                    "week": monday.isoformat(),
                    "cravings": rng.randint(0, 6),
                    "risk": "none",
                    "recommendation": "continue",
                    "note": "Reviewed the week.",
                    "signed": True,
                }
            )
        episode["attendance"] = [r for r in episode["attendance"] if r["date"] < today.isoformat()]
        episode["screens"] = [s for s in episode["screens"] if s["collected_at"][:10] < today.isoformat()]
        doc["clients"].append(
            {
                "mrn": mrn,
                "first_name": f"Client{n}",
                "last_name": "Bench",
                "date_of_birth": "1990-01-31",
                "episodes": [episode],
            }
        )
    return doc


def child():
    """The measurement itself (runs with DATABASE_URL set to the throwaway database)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")
    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.utils import timezone

    from exchange.importer import known_load, records_import
    from exchange.validation import parse, validate
    from screening.models import Analyte

    call_command("migrate", verbosity=0)
    for code in ANALYTES:
        Analyte.objects.get_or_create(code=code, defaults={"name": code})
    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in ("programs", "clients", "attendance", "screening", "goals", "checkins")
    ]

    def rows():
        counts = {m: m._default_manager.count() for m in models}
        history = sum(c for m, c in counts.items() if m.__name__.startswith("Historical"))
        return sum(counts.values()) - history, history

    text = json.dumps(generate(timezone.localdate())).encode()
    rows_before, history_before = rows()
    started = time.perf_counter()
    doc, problems = parse(text)
    doc, problems = validate(doc, known_load(doc, timezone.localdate()))
    assert not problems, problems[:5]
    validated = time.perf_counter()
    records_import(doc=doc, source="bench.json")
    written = time.perf_counter()
    rows_after, history_after = rows()
    count, history = rows_after - rows_before, history_after - history_before
    total = written - started
    print(f"file: {CLIENTS} clients x {WEEKS} weeks, {len(text) / 1e6:.1f} MB")
    print(f"rows written: {count} (+ {history} history rows)")
    print(f"validate {validated - started:.2f} s, write {written - validated:.2f} s, total {total:.2f} s")
    print(f"import speed: {count / total:,.0f} rows/s ({os.environ['DATABASE_URL'].split(':')[0]})")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench_import.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "off"}
        env.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
        root = Path(__file__).resolve().parents[2]
        subprocess.run([sys.executable, "-m", "tests.bench.bench_import", "--child"], env=env, cwd=root, check=True)


if __name__ == "__main__":
    child() if "--child" in sys.argv else main()
