"""`manage.py audit_verify`: recompute the audit log's hash chain and report the first break."""

from django.core.management.base import BaseCommand, CommandError

from comity.audit.selectors import VERIFY_BATCH_SIZE, audit_chain_verify


class Command(BaseCommand):
    help = (
        "Walk the audit log in sequence order, recompute every hash and check the links and the chain "
        "head. Exits 0 when the chain is intact, 1 naming the first broken event otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=VERIFY_BATCH_SIZE,
            help=f"Events read per query (default {VERIFY_BATCH_SIZE}).",
        )

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        result = audit_chain_verify(batch_size=batch_size)
        if not result.ok:
            raise CommandError(str(result), returncode=1)
        self.stdout.write(self.style.SUCCESS(str(result)))
