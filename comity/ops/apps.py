from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The worker, leases and locks, readiness, metrics, logs, backup and restore."""

    name = "comity.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        user_login_failed.connect(_count_signin_failure, dispatch_uid="comity.ops.signin_failures")


def _count_signin_failure(sender, **kwargs) -> None:
    from comity.ops import metrics

    metrics.count("comity_signin_failures_total")
