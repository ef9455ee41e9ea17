"""``manage.py import_records FILE.json``: validate the whole file, then write it in one go."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.utils import timezone

from exchange.importer import SUMMARY, SignatureMismatch, known_load, records_import
from exchange.validation import parse, validate


class Command(BaseCommand):
    help = "Import clients and their history from an iop-records/1 or /2 JSON file (docs/import-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the JSON file.")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            text = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot read ({error.strerror})") from None
        doc, problems = parse(text)
        if not problems:
            doc, problems = validate(doc, known_load(doc, timezone.localdate()))
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{path.name}: {len(problems)} problem(s); nothing was imported.")
        progress = self._progress if self.stdout.isatty() else None
        try:
            created = records_import(doc=doc, source=path.name, progress=progress)
        except IntegrityError as error:  # e.g. a conflicting record written since validation
            raise CommandError(f"{path.name}: the database refused a row ({error}); nothing was imported.") from None
        except SignatureMismatch as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(f"{path.name}: {len(error.problems)} problem(s); nothing was imported.") from None
        if progress:
            self.stdout.write("")
        self.stdout.write("Imported " + ", ".join(f"{created[label]} {label}" for label in SUMMARY) + ".")

    def _progress(self, label, done, total):
        width = 30
        filled = width * done // total if total else width
        bar = "#" * filled + "-" * (width - filled)
        self.stdout.write(f"\r[{bar}] {done}/{total} {label:<12}", ending="")
        self.stdout.flush()
