"""``python manage.py seed_demo [--clients N] [--weeks W] [--seed S] [--reset]``: demo data (INTERFACES.md).

Without ``--clients``: the demo cast (40 clients in varied stories over 16 weeks, two sites).
With ``--clients N``: the demo cast plus EXACTLY N more active episodes at Richmond with W
weeks of history each (default 26), written in bulk (``dashboard/bulk_demo.py``): a program at
scale for trying the caseload and for the benchmarks.

Deterministic for a seed; idempotent: users, sites and tracks are brought back to their demo
state on every run, and the clinical history is written only once (a second run adds nothing)
— until it is more than a week older than today: then it is rebuilt for today with the same
options, so the demo always reads as designed (docs/demo.md). ``--reset`` rebuilds it now.
Neither touches a database holding a client the demo did not write.
Refuses to run with DEBUG off unless --force.
"""

import importlib
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts import demo as accounts_demo
from clients import demo as clients_demo
from iop import demo as demo_dataset

# Each clinical app's ``demo.seed(ctx)`` writes the history that fits each episode's story,
# in this order (check-ins read attendance and screens).
CAST_CLIENTS, CAST_WEEKS = 40, 16  # the demo cast (make run)
BULK_WEEKS = 26
CLINICAL_DEMOS = ["screening", "attendance", "goals", "checkins", "dashboard", "aftercare", "consents", "letters"]


class Command(BaseCommand):
    help = "Load deterministic demo data: two sites, the demo users and ~40 clients in varied states."

    def add_arguments(self, parser):
        parser.add_argument(
            "--clients", type=int, default=None, help="N more active episodes at Richmond, in bulk (bulk_demo.py)."
        )
        parser.add_argument("--weeks", type=int, default=None, help="Weeks of history of the --clients episodes (26).")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo's clinical data and build it again for today (demo databases only).",
        )

    def handle(self, *args, clients, weeks, seed, force, reset, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo writes demo users with a known password: refusing with DEBUG off (use --force)."
            )
        if (clients is not None and clients < 1) or (weeks is not None and weeks < 1):
            raise CommandError("--clients and --weeks must be at least 1.")
        if weeks is not None and clients is None:
            raise CommandError("--weeks goes with --clients (the demo cast always has 16 weeks).")
        today = timezone.localdate()
        with transaction.atomic():
            if clients_demo.demo_present():
                stamp = demo_dataset.dataset()
                if not reset and not (stamp and demo_dataset.is_stale(stamp, today)):
                    self._refresh_users_and_sites(seed, today)
                    built = f" (built for {stamp.built_for:%m/%d/%Y})" if stamp else ""
                    self.stdout.write(
                        f"Demo users and sites refreshed; the clinical demo data is already there{built}."
                    )
                    return
                problem = self._not_demo_only(stamp)
                if problem and reset:
                    raise CommandError(problem)
                if problem:  # make run goes on serving the demo as it is
                    self._refresh_users_and_sites(seed, today)
                    self.stdout.write(self.style.WARNING(problem))
                    return
                if not reset:  # the same demo as before, told for today
                    clients, weeks, seed = stamp.clients or None, stamp.weeks or None, stamp.seed
                    self.stdout.write(
                        f"The demo data was built for {stamp.built_for:%m/%d/%Y}, more than "
                        f"{demo_dataset.MAX_AGE_DAYS} days ago: rebuilding it for today."
                    )
                demo_dataset.clear_demo_records()
            ctx = self._refresh_users_and_sites(seed, today)
            clients_demo.seed_clients(ctx, CAST_CLIENTS)
            for app in CLINICAL_DEMOS:
                module = _demo_module(app)
                if module is not None:
                    module.seed(ctx)
            if clients:
                weeks = weeks or BULK_WEEKS
                counts = self._seed_bulk(ctx, clients, weeks)
            demo_dataset.record(today=today, clients=clients or 0, weeks=weeks if clients else 0, seed=seed)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {len(ctx.episodes)} clients (seed {seed})."))
        if clients:
            self.stdout.write("Plus, in bulk at Richmond: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + ".")

    def _refresh_users_and_sites(self, seed, today):
        """Demo users, authenticators, sites and tracks, back to their demo state; the context
        the clinical demos write with."""
        rng = random.Random(seed)  # nosec B311 # reproducible demo data from a seed, not a secret
        ctx = clients_demo.DemoContext(rng=rng, today=today, weeks=CAST_WEEKS)
        clients_demo.seed_users_and_sites(ctx)
        accounts_demo.seed_authenticators(ctx)
        return ctx

    def _not_demo_only(self, stamp):
        """Why a rebuild, which deletes clinical rows, may not run here; None when it may."""
        added = demo_dataset.added_clients(stamp)
        if stamp is None:
            problem = "it holds no record of when the demo was built (it predates seed_demo --reset)"
        elif added:
            problem = f"{added} client(s) in it were not written by seed_demo"
        else:
            return None
        return (
            f"Not rebuilding the demo data: {problem}. Nothing was changed. "
            "To start over, point DATABASE_URL at a new database (or delete db.sqlite3) and run make run."
        )

    def _seed_bulk(self, ctx, clients, weeks):
        from dashboard import bulk_demo

        users = ctx.users
        return bulk_demo.seed_bulk(
            site=ctx.sites["RIC"],
            therapist=users["therapist"],
            case_manager=users["casemanager"],
            count=clients,
            weeks=weeks,
            today=ctx.today,
            rng=ctx.rng,
        )


def _demo_module(app):
    try:
        return importlib.import_module(f"{app}.demo")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app}.demo":
            raise
        return None
