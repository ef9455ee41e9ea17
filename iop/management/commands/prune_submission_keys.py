"""``python manage.py prune_submission_keys [--days N]``: forget old one-time form keys.

A key only has to outlive the repeats of its own submit (a double click, a retry after a slow
response, the back button and submit again), which come within minutes; a page left open longer
than the idle timeout cannot post at all. Keys older than ``--days`` (default 30) are deleted.
They are not clinical data: a key holds a UUID, its user and the URL its submit led to.
Run it nightly (docs/deployment.md).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from iop.models import SubmissionKey

DEFAULT_DAYS = 30


class Command(BaseCommand):
    help = "Delete one-time form keys older than --days (default 30)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS)

    def handle(self, *args, days, **options):
        if days < 1:
            raise CommandError("--days must be at least 1: a key must outlive the repeats of its submit.")
        cutoff = timezone.now() - dt.timedelta(days=days)
        deleted, _ = SubmissionKey.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} submission key(s) older than {days} days.")
