"""`manage.py restore DIR`: restore a backup into an empty installation (see ops/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comity.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore the backup in DIR into an empty installation: a database without tables (do not run migrate "
        "first) and an empty file root. Checks the manifest's signature and every file's SHA-256 first, then "
        "decrypts every stored file to its recorded hash. Needs the master key in use when the backup was made."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Folder written by `manage.py backup`.")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")
        parser.add_argument(
            "--skip-decrypt-check",
            action="store_true",
            help="Do not decrypt every file after the restore (faster on a large file store).",
        )

    def handle(self, *args, directory: Path, database: str, skip_decrypt_check: bool, **options):
        try:
            result = backup_restore(directory=directory, using=database, verify=not skip_decrypt_check)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for failure in result.failures:
            self.stderr.write(self.style.ERROR(failure))
        if result.failures:
            raise CommandError(
                f"Restored, but {len(result.failures)} of {result.decrypted} files do not decrypt to their recorded "
                "hash (listed above).",
                returncode=1,
            )
        checked = "" if skip_decrypt_check else f"; {result.decrypted} files decrypt to their recorded hash"
        self.stdout.write(
            self.style.SUCCESS(f"Restored a {result.engine} database and {result.files} stored files{checked}.")
        )
