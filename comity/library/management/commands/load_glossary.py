"""Load the multilingual glossary from comity/library/data/glossary.json (idempotent)."""

from django.core.management.base import BaseCommand

from comity.library import services


class Command(BaseCommand):
    help = "Load the legal glossary data file; terms edited by the secretariat are kept."

    def handle(self, *args, **options):
        result = services.glossary_load()
        self.stdout.write(
            "Glossary: {created} created, {updated} updated, {unchanged} unchanged, {kept} kept as edited.".format(
                **result.as_dict()
            )
        )
