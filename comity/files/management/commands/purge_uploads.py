"""Remove expired resumable uploads and temporary files left behind by a crash (run daily)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from comity.files import services


class Command(BaseCommand):
    help = "Remove expired uploads in progress, orphaned temporary upload files and orphaned stored objects."

    def handle(self, *args, **options):
        counts = services.uploads_purge()
        self.stdout.write(
            f"removed {counts['expired']} expired upload(s), {counts['orphan_files']} orphaned temporary file(s) "
            f"and {counts['orphan_objects']} orphaned stored object(s); {counts['busy']} expired upload(s) were "
            "receiving data and were left for the next run"
        )
