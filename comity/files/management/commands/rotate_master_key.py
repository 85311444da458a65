"""Re-wrap every file key from the old master key to the new one (the files are not re-encrypted).

    COMITY_MASTER_KEY_OLD=... COMITY_MASTER_KEY_NEW=... manage.py rotate_master_key
    manage.py rotate_master_key --old-key B64 --new-key B64      (visible in the process list: prefer the env)

Procedure: run it, set COMITY_MASTER_KEY to the new key and restart. Uploads started between the two steps
are still under the old key: run the command again after the restart; it only touches rows still under the
old key. Exits with status 1 when some row could not be re-wrapped (listed), 0 otherwise.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError

from comity.core import crypto
from comity.files import services


class Command(BaseCommand):
    help = "Re-wrap file keys from the old master key to the new one (COMITY_MASTER_KEY_OLD/NEW or options)."

    def add_arguments(self, parser):
        parser.add_argument("--old-key", default="", help="base64 of the old 32-byte master key")
        parser.add_argument("--new-key", default="", help="base64 of the new 32-byte master key")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, old_key: str, new_key: str, batch_size: int, **options):
        old_raw = old_key or os.environ.get("COMITY_MASTER_KEY_OLD", "")
        new_raw = new_key or os.environ.get("COMITY_MASTER_KEY_NEW", "")
        if not old_raw or not new_raw:
            raise CommandError(
                "Give the old and the new master key (COMITY_MASTER_KEY_OLD and "
                "COMITY_MASTER_KEY_NEW, or --old-key and --new-key)."
            )
        try:
            old, new = crypto.master_key(old_raw), crypto.master_key(new_raw)
        except ImproperlyConfigured as exc:
            raise CommandError(f"A key is not valid: {exc}") from exc
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            result = services.master_key_rotate(old_key=old, new_key=new, batch_size=batch_size)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"master key {result.old_fingerprint} -> {result.new_fingerprint}: re-wrapped {result.attachments} "
            f"attachment key(s) and {result.uploads} upload key(s); {result.already} already under the new key; "
            f"{result.failed} failed."
        )
        if result.failed:
            self.stderr.write("Not re-wrapped (under neither key, or altered): " + ", ".join(result.failed_ids))
            raise SystemExit(1)
