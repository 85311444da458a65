"""Make the notifications of posts whose notifications failed after they were committed; run it every few minutes."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from comity.notifications.services import notify_retry_due


class Command(BaseCommand):
    help = "Retry the notifications of posts for which they could not be made (recorded failures, with a backoff)."

    def handle(self, *args, **options):
        report = notify_retry_due()
        self.stdout.write(f"notified: {report.done}, failed again: {report.failed}")
