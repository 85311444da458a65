"""Send queued e-mail from the outbox, with retries, by hand. Deployments run `manage.py worker`, which does this
sweep among its other work (docs/adr/0013-one-worker.md)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from comity.mail import services as outbox


class Command(BaseCommand):
    help = "Deliver due e-mail from the outbox in a loop (retries with exponential backoff)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Deliver what is due now, then exit.")
        parser.add_argument("--max-seconds", type=float, default=None, help="Stop after this many seconds.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds to sleep between sweeps.")

    def handle(self, *args, once=False, max_seconds=None, interval=5.0, **options):
        started = time.monotonic()
        totals = {"sent": 0, "retried": 0, "failed": 0}
        while True:
            if not connection.in_atomic_block:  # (tests run the command inside a transaction)
                close_old_connections()
            report = outbox.outbox_deliver_due()
            for key, value in report.as_dict().items():
                totals[key] += value
            if report.sent or report.retried or report.failed:
                self.stdout.write(f"sent {report.sent}, retry later {report.retried}, failed {report.failed}")
            if once or (max_seconds is not None and time.monotonic() - started >= max_seconds):
                break
            if report.sent < outbox.BATCH:  # a full batch means more may be due: go again at once
                time.sleep(interval)
        if once or max_seconds is not None:
            self.stdout.write(
                f"total: sent {totals['sent']}, retry later {totals['retried']}, failed {totals['failed']}"
            )
