"""Send daily and weekly digests to people whose local morning has come; run it every few minutes."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from comity.notifications.digests import send_digests


class Command(BaseCommand):
    help = "Queue the daily (and on Mondays weekly) digests due now, at 07:00 in each recipient's time zone."

    def handle(self, *args, **options):
        report = send_digests()
        self.stdout.write(f"daily digests: {report.sent['daily']}, weekly digests: {report.sent['weekly']}")
        if report.failed:  # a non-zero exit, for the operators' alerting; the others went out
            raise CommandError(f"{report.failed} digests failed (see the log); the next run tries them again")
