from django.core.management.base import BaseCommand

from comity.requests.letters import letters_load


class Command(BaseCommand):
    help = "Load the fixed text of letters (seven languages) from requests/data/letter_models.json (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--overwrite", action="store_true", help="Update rows the secretariat has not edited.")

    def handle(self, *args, **options):
        result = letters_load(overwrite=options["overwrite"])
        self.stdout.write(f"{result.created} created, {result.updated} updated, {result.kept} kept")
