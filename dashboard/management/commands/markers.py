"""``python manage.py markers (--mrn MRN | --all) [--as-of YYYY-MM-DD] --format json`` (INTERFACES.md).

Prints what the caseload dashboard shows for the client's active episode (or every active
episode, as a JSON array), computed by the same code (``dashboard.queries``).

``markers --refresh [--site CODE] [--as-of YYYY-MM-DD]`` recomputes the caseload's markers
snapshots of every active episode (at one site) that is not current, in bulk: the nightly job
(docs/deployment.md), so the day's first caseload visit finds them ready.
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clients.models import Episode
from dashboard.queries import episode_evaluations, evaluation_document
from dashboard.snapshots import refresh_stale
from programs.models import Site


class Command(BaseCommand):
    help = "Print a client's objective markers, readiness and flags as JSON (same numbers as the dashboard)."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--mrn", help="The client's MRN (their active episode is evaluated).")
        which.add_argument("--all", action="store_true", help="Every active episode, as a JSON array.")
        which.add_argument(
            "--refresh", action="store_true", help="Recompute the caseload's stale markers snapshots (nightly)."
        )
        parser.add_argument("--site", help="With --refresh: only this site's episodes (its code).")
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today).")
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, mrn=None, all=False, refresh=False, site=None, as_of=None, **options):
        day = _parse_day(as_of) if as_of else timezone.localdate()
        if site and not refresh:
            raise CommandError("--site goes with --refresh.")
        if refresh:
            self._refresh(site, day)
            return
        episodes = Episode.objects.active().select_related("client").order_by("client__mrn", "pk")
        if not all:
            episodes = list(episodes.filter(client__mrn=mrn))
            if not episodes:
                raise CommandError(_why_none(mrn))
        episodes = list(episodes)
        evaluations = episode_evaluations(episodes, day)
        documents = [evaluation_document(e, evaluations[e.pk], day) for e in episodes]
        payload = documents if all else documents[0]
        self.stdout.write(json.dumps(payload, indent=2))

    def _refresh(self, site, day):
        episodes = Episode.objects.active()
        if site:
            if not Site.objects.filter(code=site).exists():
                raise CommandError(f"No site with code {site!r}.")
            episodes = episodes.filter(site__code=site)
        count = refresh_stale(episodes, day)
        self.stdout.write(f"Refreshed {count} markers snapshot{'s' if count != 1 else ''} as of {day.isoformat()}.")


def _parse_day(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {text!r}.") from None


def _why_none(mrn):
    from clients.models import Client

    if not Client.objects.filter(mrn=mrn).exists():
        return f"No client with MRN {mrn!r}."
    return f"Client {mrn} has no active episode."
