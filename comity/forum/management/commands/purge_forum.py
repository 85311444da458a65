"""Delete forum posts older than their space's retention, except in threads under legal hold.

Run it daily (cron or the task worker). Idempotent: a second run deletes nothing more. Each space where posts were
deleted gets one POSTS_PURGED audit event with the counts; `--dry-run` only reports and writes nothing.
"""

from django.core.management.base import BaseCommand

from comity.forum import moderation


class Command(BaseCommand):
    help = "Delete forum posts past their space's retention (never under legal hold) and report the counts."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would be deleted; delete nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        report = moderation.posts_purge(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for entry in report:
            self.stdout.write(
                f"{entry.label}: {verb} {entry.posts} post(s) and {entry.threads} emptied thread(s) "
                f"older than {entry.retention_months} month(s) "
                f"(before {entry.cutoff:%Y-%m-%d %H:%M} UTC)"
            )
        total_posts = sum(entry.posts for entry in report)
        total_threads = sum(entry.threads for entry in report)
        self.stdout.write(
            f"Total: {verb} {total_posts} post(s) and {total_threads} thread(s) in {len(report)} space(s)."
        )
