from django.apps import AppConfig


class TreatiesConfig(AppConfig):
    """Instruments, their parties and declarations, and the legal-basis finder between two states."""

    name = "comity.treaties"
    label = "treaties"
    verbose_name = "Treaties and legal bases"
