from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "comity.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from comity.accounts import kept
        from comity.accounts.api import schema  # noqa: F401 - registers the OpenAPI auth extensions
        from comity.accounts.models import User, UserSession
        from comity.core import generations

        # Who is signed in (kept.py): users' rows, tracked sessions and second-factor devices.
        generations.bump_on_change(kept.GENERATION, User, UserSession, TOTPDevice)
