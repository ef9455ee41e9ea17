"""``python manage.py generate_sessions (--track CODE | --all) --from YYYY-MM-DD --to YYYY-MM-DD``

Creates the scheduled group sessions of a track (or of every active track) on the days it
meets (weekly, or monthly: programs/schedule.py) in the range, skipping the ones that exist.
Running it twice creates nothing the second time.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from attendance.services import sessions_generate
from programs.models import Track


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Generate the scheduled group sessions of a track (or all active tracks) for a date range."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--track", help="Track code, e.g. RIC-EVE.")
        which.add_argument("--all", dest="all_tracks", action="store_true", help="Every active track.")
        parser.add_argument("--from", dest="date_from", required=True, help="First date (YYYY-MM-DD).")
        parser.add_argument("--to", dest="date_to", required=True, help="Last date, inclusive (YYYY-MM-DD).")

    def handle(self, *args, track, all_tracks, date_from, date_to, **options):
        start, end = _date(date_from), _date(date_to)
        if end < start:
            raise CommandError("--to is before --from.")
        if all_tracks:
            tracks = list(Track.objects.filter(active=True).select_related("site").order_by("code"))
        else:
            tracks = list(Track.objects.filter(code=track).select_related("site"))
            if not tracks:
                raise CommandError(f"No track with code {track}.")
        total = 0
        for t in tracks:
            try:
                created = sessions_generate(track=t, date_from=start, date_to=end)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            total += len(created)
            self.stdout.write(f"{t.code}: {len(created)} session(s) created.")
        self.stdout.write(self.style.SUCCESS(f"{total} session(s) created from {start} to {end}."))
