"""Import authorities from a CSV file, for files too large for the web page (same rules, same report)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comity.accounts.models import User
from comity.directory.importexport import csv_import


class ProgressBar:
    """A text bar on stderr, redrawn every `every` rows and at the end."""

    def __init__(self, stream, every: int = 100, width: int = 30):
        self.stream, self.every, self.width = stream, every, width

    def __call__(self, done: int, total: int) -> None:
        if done % self.every and done != total:
            return
        filled = self.width * done // total if total else self.width
        percent = 100 * done // total if total else 100
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} rows ({percent}%)",
            ending="\n" if done == total else "",
        )
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import authorities from a CSV file (columns: see comity/directory/importexport/csv_import/parsing.py). "
        "Without --dry-run every row is checked first and the file is applied only if every row is valid, unless "
        "--apply-valid; each row is then committed by itself, so the import never holds the audit chain's lock "
        "for long (a stopped import keeps the rows it had committed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the CSV file (UTF-8)")
        parser.add_argument(
            "--user",
            required=True,
            help="e-mail address of the importing user (secretariat or "
            "the national coordinator of the rows' countries)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row and report; change nothing")
        parser.add_argument(
            "--apply-valid", action="store_true", help="apply the valid rows even if others have errors"
        )
        parser.add_argument("--every", type=int, default=100, help="redraw the progress bar every N rows")

    def handle(self, *args, **options):
        if options["dry_run"] and options["apply_valid"]:
            raise CommandError("Choose --dry-run or --apply-valid, not both.")
        user = User.objects.filter(email__iexact=options["user"].strip(), is_active=True).first()
        if user is None or not csv_import.can_import(user):
            raise CommandError(f"No active secretariat member or national coordinator with e-mail {options['user']}.")
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            parsed = csv_import.parse_csv(content, name=path.name, limit=0)
        except csv_import.ImportFileError as exc:
            raise CommandError(exc.message) from exc
        mode = (
            csv_import.Mode.DRY_RUN
            if options["dry_run"]
            else csv_import.Mode.APPLY_VALID
            if options["apply_valid"]
            else csv_import.Mode.APPLY
        )
        report = csv_import.run_import(
            actor=user, parsed=parsed, mode=mode, progress=ProgressBar(self.stderr, every=max(1, options["every"]))
        )
        for row in report.rows:
            if row.errors:
                for error in row.errors:
                    column = f"{error.column}: " if error.column else ""
                    self.stdout.write(f"row {row.number}: {column}{error.message}")
        counts = report.counts
        summary = (
            f"{counts['rows']} rows: {counts['created']} new, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['skipped']} skipped, {counts['errors']} with errors."
        )
        if mode == csv_import.Mode.DRY_RUN:
            self.stdout.write(f"Dry run, nothing saved. {summary}")
        elif report.applied:
            self.stdout.write(f"Applied. {summary}")
        else:
            self.stdout.write(f"Not applied: some rows have errors, nothing was changed. {summary}")
        if report.has_errors and not report.applied:
            raise CommandError(f"{counts['errors']} row(s) with errors.")
