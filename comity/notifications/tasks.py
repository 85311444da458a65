"""Background work through django-tasks (the default backend is the database one; tests use Immediate)."""

from __future__ import annotations

from django_tasks import task

from comity.notifications import outbox, services


@task()
def deliver_outbox() -> dict[str, int]:
    """Send the e-mail that is due. Enqueued after a transaction that queued e-mail commits."""
    return outbox.outbox_deliver_due().as_dict()


@task()
def notify_post(post_id: int) -> int:
    """Notify everyone concerned by a new post (the forum enqueues this after the post commits)."""
    return services.notify_post(post_id)
