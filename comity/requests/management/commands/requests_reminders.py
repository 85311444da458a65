from django.core.management.base import BaseCommand

from comity.requests.tasks import send_due_reminders


class Command(BaseCommand):
    help = "Remind both sides of requests left without acknowledgement or past their deadline (idempotent)."

    def handle(self, *args, **options):
        count = send_due_reminders()
        self.stdout.write(f"{count} request(s) reminded")
