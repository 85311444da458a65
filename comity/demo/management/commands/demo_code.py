"""Print the current TOTP code of the demo secret (development only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from comity.accounts.demo import demo_totp_hex


class Command(BaseCommand):
    help = "Print the current six-digit code for the demo accounts' shared TOTP secret."

    def handle(self, *args, **options):
        if settings.COMITY_ENVIRONMENT == "production":
            raise CommandError("Refused under production settings.")
        self.stdout.write(f"{totp(bytes.fromhex(demo_totp_hex())):06d}")
