"""Remove expired resumable uploads and temporary files left behind by a crash (run daily)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from comity.files import services


class Command(BaseCommand):
    help = "Remove expired uploads in progress and orphaned temporary upload files."

    def handle(self, *args, **options):
        counts = services.uploads_purge()
        self.stdout.write(
            f"removed {counts['expired']} expired upload(s) and {counts['orphan_files']} orphaned temporary file(s)"
        )
