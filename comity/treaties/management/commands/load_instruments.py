"""`manage.py load_instruments`: load the seed catalogue of instruments and parties from comity/treaties/data/."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comity.treaties.loader import InstrumentDataError, instruments_load


class Command(BaseCommand):
    help = "Load instruments, the types they cover and their parties from the data files (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", type=Path, default=None, help="Read the data files from this folder.")

    def handle(self, *args, data_dir=None, **options):
        try:
            result = instruments_load(data_dir=data_dir)
        except (InstrumentDataError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
