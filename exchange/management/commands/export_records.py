"""``manage.py export_records [--site CODE] [--by USERNAME] FILE.json``: write the iop-records/2 format."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audit.models import AccessEvent
from audit.services import access_events_insert
from clients.models import Client
from exchange.exporter import dumps, records_export
from programs.models import Site


class Command(BaseCommand):
    help = "Export clients and their history as an iop-records/2 JSON file (docs/import-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the JSON file to write.")
        parser.add_argument("--site", help="Only this site's code (default: every site).")
        parser.add_argument(
            "--by", metavar="USERNAME", help="Record the export in each client's access log as done by this user."
        )

    def handle(self, *args, file, site=None, by=None, **options):
        if site and not Site.objects.filter(code=site).exists():
            raise CommandError(f"unknown site {site!r}")
        user = get_user_model().objects.filter(username=by).first() if by else None
        if by and user is None:
            raise CommandError(f"unknown user {by!r}")
        document = records_export(site_code=site)
        try:
            Path(file).write_bytes(dumps(document))
        except OSError as error:
            raise CommandError(f"{file}: cannot write ({error.strerror})") from None
        if user is not None:
            clients = Client.objects.filter(mrn__in=[c["mrn"] for c in document["clients"]])
            events = [
                AccessEvent(user=user, client=client, action=AccessEvent.Action.EXPORT, path="manage.py export_records")
                for client in clients
            ]
            access_events_insert(events)
        episodes = sum(len(c["episodes"]) for c in document["clients"])
        self.stdout.write(f"Exported {len(document['clients'])} clients, {episodes} episodes to {file}.")
