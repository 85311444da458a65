from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "comity.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from comity.accounts.api import schema  # noqa: F401 - registers the OpenAPI auth extensions
