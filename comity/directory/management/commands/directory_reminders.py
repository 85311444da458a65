"""Send the directory's confirmation reminders and escalations (idempotent; run it daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from comity.directory.importexport.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Remind national coordinators of directory records due for confirmation, a second time after "
        "DIRECTORY_SECOND_REMINDER_DAYS, and escalate to the secretariat after DIRECTORY_ESCALATION_DAYS."
    )

    def handle(self, *args, **options):
        run = send_reminders()
        self.stdout.write(
            f"{run.records_reminded} record(s) reminded, {run.records_escalated} escalated, {run.records_reset} "
            f"reset; {run.emails_to_coordinators} e-mail(s) to coordinators, {run.emails_to_secretariat} to the "
            "secretariat."
        )
