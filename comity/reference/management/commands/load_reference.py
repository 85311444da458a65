"""`manage.py load_reference`: load countries, networks and memberships from comity/reference/data/."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comity.reference.services import ReferenceDataError, reference_load


class Command(BaseCommand):
    help = "Load countries, UN M49 regions, UN status, networks and memberships from the data files (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="Read the data files from this folder instead of comity/reference/data/.",
        )

    def handle(self, *args, data_dir=None, **options):
        try:
            result = reference_load(data_dir=data_dir)
        except (ReferenceDataError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
