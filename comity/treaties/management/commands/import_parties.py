"""`manage.py import_parties`: import an instrument's parties from a depositary status table (CSV)."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comity.accounts.models import User
from comity.treaties import importing, permissions
from comity.treaties.models import Instrument


class Command(BaseCommand):
    help = (
        "Import parties from a CSV in the UN Treaty Collection layout (Participant, Signature, 'Ratification, "
        "Accession(a), Acceptance(A), Approval(AA), Succession(d)', optional Entry into force). Without --dry-run "
        "the file is applied only if every row is valid, unless --apply-valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("instrument", help="slug of the instrument")
        parser.add_argument("file", help="path of the CSV file (UTF-8)")
        parser.add_argument("--user", required=True, help="e-mail address of the importing secretariat member")
        parser.add_argument("--source", required=True, help="address of the depositary's status page")
        parser.add_argument("--as-of", required=True, help="date the table was read, YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="check every row and report; change nothing")
        parser.add_argument("--apply-valid", action="store_true", help="apply the valid rows even if others fail")

    def handle(self, *args, **options):
        if options["dry_run"] and options["apply_valid"]:
            raise CommandError("Choose --dry-run or --apply-valid, not both.")
        user = User.objects.filter(email__iexact=options["user"].strip(), is_active=True).first()
        if user is None or not permissions.can_import(user):
            raise CommandError(f"No active secretariat member with e-mail {options['user']}.")
        instrument = Instrument.objects.filter(slug=options["instrument"]).first()
        if instrument is None:
            raise CommandError(f"No instrument with slug {options['instrument']}.")
        try:
            as_of = dt.date.fromisoformat(options["as_of"])
        except ValueError as exc:
            raise CommandError("--as-of must be a date written YYYY-MM-DD.") from exc
        path = Path(options["file"])
        try:
            content = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path} as UTF-8 text: {exc}.") from exc
        mode = (
            importing.Mode.DRY_RUN
            if options["dry_run"]
            else importing.Mode.APPLY_VALID
            if options["apply_valid"]
            else importing.Mode.APPLY
        )
        try:
            report = importing.run_import(
                actor=user, instrument=instrument, content=content, mode=mode, source=options["source"], as_of=as_of
            )
        except importing.ImportFileError as exc:
            raise CommandError(exc.message) from exc
        for row in report.rows:
            for error in row.errors:
                self.stdout.write(f"row {row.number}: {error.column}: {error.message}")
        counts = report.counts
        summary = (
            f"{counts['rows']} rows: {counts['created']} new, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['errors']} with errors."
        )
        if mode == importing.Mode.DRY_RUN:
            self.stdout.write(f"Dry run, nothing saved. {summary}")
        elif report.applied:
            self.stdout.write(f"Applied. {summary}")
        else:
            self.stdout.write(f"Not applied: some rows have errors, nothing was changed. {summary}")
        if report.has_errors and not report.applied:
            raise CommandError(f"{counts['errors']} row(s) with errors.")
