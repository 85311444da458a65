"""Queue the event reminders that are due (each participant's local morning). Idempotent; run it every 15-60 min."""

from django.core.management.base import BaseCommand

from comity.meetings.tasks import send_due_reminders


class Command(BaseCommand):
    help = "Queue event reminders due at each participant's local morning (through the outbox)."

    def handle(self, *args, **options):
        count = send_due_reminders()
        self.stdout.write(f"{count} reminder(s) queued.")
