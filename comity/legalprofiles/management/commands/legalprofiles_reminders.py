"""Send the legal profiles' confirmation reminders and escalations (idempotent; run it daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from comity.legalprofiles.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Remind national coordinators of legal profiles and measure fiches due for confirmation, a second time after "
        "LEGALPROFILES_SECOND_REMINDER_DAYS, and escalate to the secretariat after LEGALPROFILES_ESCALATION_DAYS."
    )

    def handle(self, *args, **options):
        run = send_reminders()
        self.stdout.write(
            f"{run.records_reminded} page(s) reminded, {run.records_escalated} escalated, {run.records_reset} reset; "
            f"{run.emails_to_coordinators} e-mail(s) to coordinators, {run.emails_to_secretariat} to the secretariat."
        )
