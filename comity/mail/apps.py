from django.apps import AppConfig


class MailConfig(AppConfig):
    """The e-mail outbox: every message queued in the transaction that causes it, delivered with retries."""

    name = "comity.mail"
    label = "mail"
    verbose_name = "E-mail outbox"
