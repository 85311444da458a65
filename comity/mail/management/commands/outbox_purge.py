"""Delete delivered e-mail older than NOTIFICATIONS_OUTBOX_KEEP_DAYS (30 by default); run it daily."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from comity.mail.services import outbox_purge


class Command(BaseCommand):
    help = "Delete sent e-mail older than NOTIFICATIONS_OUTBOX_KEEP_DAYS from the outbox (queued and failed stay)."

    def handle(self, *args, **options):
        self.stdout.write(f"deleted {outbox_purge()} sent e-mail")
