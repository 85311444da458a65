"""`manage.py backup DIR`: a consistent snapshot of the database and the encrypted file store (see ops/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comity.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a backup into DIR (new or empty): the database (pg_dump, or SQLite's online backup), the "
        "encrypted file store and a signed manifest with the SHA-256 of every file. The master key is never "
        "written: keep it apart from the backups, a restore needs it."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Folder to write the backup into (created if missing).")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")

    def handle(self, *args, directory: Path, database: str, **options):
        try:
            result = backup_create(directory=directory, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for path in result.missing:
            self.stderr.write(
                self.style.WARNING(f"{path}: referenced by the database but deleted before it could be copied.")
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {result.directory}: {result.engine} database, {result.files} files "
                f"({result.bytes} bytes)."
            )
        )
