from django.apps import AppConfig


class RequestsConfig(AppConfig):
    """Guided writer for MLA and extradition requests and the shared follow-up record."""

    name = "comity.requests"
    label = "requests"
    verbose_name = "Requests"
