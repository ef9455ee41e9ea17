"""Schedule the follow-up contacts of every ended episode that is missing some (e.g. episodes
ended before the aftercare app, or after ``AFTERCARE_FOLLOWUP_DAYS`` gained an offset)."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from aftercare.services import followup_offsets, followups_schedule
from clients.models import Episode


class Command(BaseCommand):
    help = "Schedule the follow-up contacts of every ended episode missing them (idempotent)."

    def handle(self, *args, **options):
        offsets = followup_offsets()
        try:
            episodes = (
                Episode.objects.exclude(ended_on=None)
                .annotate(scheduled=Count("followups", filter=Q(followups__offset_days__in=offsets)))
                .filter(scheduled__lt=len(set(offsets)))
                .order_by("pk")
            )
            created = sum(len(followups_schedule(episode=e, offsets=offsets)) for e in episodes)
        except ValueError as error:
            raise CommandError(f"AFTERCARE_FOLLOWUP_DAYS: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"{created} follow-up(s) scheduled."))
