"""Background delivery through django-tasks (the default backend is the database one; tests use Immediate)."""

from __future__ import annotations

from django_tasks import task

from comity.mail import services


@task()
def deliver_outbox() -> dict[str, int]:
    """Send the e-mail that is due. Enqueued after a transaction that queued e-mail commits."""
    return services.outbox_deliver_due().as_dict()
