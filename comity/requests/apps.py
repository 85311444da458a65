from django.apps import AppConfig


class RequestsConfig(AppConfig):
    """Guided writer for MLA and extradition requests and the shared follow-up record."""

    name = "comity.requests"
    label = "requests"
    verbose_name = "Requests"

    def ready(self) -> None:
        from comity.legalprofiles import hooks
        from comity.requests.statistics import typical_times, typical_times_changed

        hooks.typical_times.register(typical_times)
        hooks.typical_times_changed.register(typical_times_changed)
