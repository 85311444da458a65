from django.core.management.base import BaseCommand

from comity.accounts import services


class Command(BaseCommand):
    help = "Audit invitations that have expired since the last run."

    def handle(self, *args, **options):
        count = services.invitations_expire()
        self.stdout.write(f"{count} invitation(s) expired.")
