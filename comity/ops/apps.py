from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The worker, leases and locks, readiness, metrics, logs, backup and restore."""

    name = "comity.ops"
    label = "ops"
    verbose_name = "Operations"
