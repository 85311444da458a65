"""Re-wrap the keys of library documents from the old master key to the new one (run beside rotate_master_key).

COMITY_MASTER_KEY_OLD=... COMITY_MASTER_KEY_NEW=... manage.py library_rotate_master_key
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError

from comity.core import crypto
from comity.library import services


class Command(BaseCommand):
    help = "Re-wrap library document keys from COMITY_MASTER_KEY_OLD to COMITY_MASTER_KEY_NEW."

    def handle(self, *args, **options):
        old_raw = os.environ.get("COMITY_MASTER_KEY_OLD", "")
        new_raw = os.environ.get("COMITY_MASTER_KEY_NEW", "")
        if not old_raw or not new_raw:
            raise CommandError("Set COMITY_MASTER_KEY_OLD and COMITY_MASTER_KEY_NEW.")
        try:
            old, new = crypto.master_key(old_raw), crypto.master_key(new_raw)
        except ImproperlyConfigured as exc:
            raise CommandError(f"A key is not valid: {exc}") from exc
        try:
            counts = services.documents_rewrap_keys(old_key=old, new_key=new)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            "library: re-wrapped {rewrapped} document key(s); {already} already under the new key; "
            "{failed} failed.".format(**counts)
        )
        if counts["failed"]:
            raise CommandError("Some document keys could not be re-wrapped.")
