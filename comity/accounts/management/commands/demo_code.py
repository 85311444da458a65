"""Print the current six-digit code of the demo accounts' authenticator, read from the database (development only).

The secret is the one the demo accounts were seeded with, whatever COMITY_DEMO_TOTP_SECRET says in this shell, so
the code always matches what the sign-in page expects; without demo accounts the command says it cannot."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from comity.accounts.demo import DEMO_DOMAIN


class Command(BaseCommand):
    help = "Print the current six-digit code of the demo accounts' authenticator (from the database)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--email", default=f"member.br@{DEMO_DOMAIN}", help="The demo account (default: %(default)s)."
        )

    def handle(self, *args, **options):
        if settings.COMITY_ENVIRONMENT == "production":
            raise CommandError("Refused under production settings.")
        email = options["email"].strip().lower()
        if not email.endswith(f"@{DEMO_DOMAIN}"):
            raise CommandError(f"Only demo accounts (@{DEMO_DOMAIN}) have a code this command may print.")
        device = (
            TOTPDevice.objects.filter(user__email=email, confirmed=True, user__is_active=True).order_by("pk").first()
        )
        if device is None:
            raise CommandError(
                f"Cannot print a code: the database has no demo account {email} with an authenticator. "
                "Seed the demo first (make serve, or manage.py seed_demo)."
            )
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
