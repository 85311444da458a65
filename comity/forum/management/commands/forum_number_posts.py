"""Number the forum posts written without a number by the previous release during a rolling deploy.

Run it once after every web process and worker runs the release that brought post numbers (migration
forum.0002_post_numbers). Idempotent: a second run numbers nothing.
"""

from django.core.management.base import BaseCommand

from comity.forum import services


class Command(BaseCommand):
    help = "Give a number to forum posts written by the previous release during a rolling deploy."

    def handle(self, *args, **options):
        self.stdout.write(f"Numbered {services.post_numbers_fill()} post(s).")
