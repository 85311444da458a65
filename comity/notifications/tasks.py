"""Background work through django-tasks (the default backend is the database one; tests use Immediate)."""

from __future__ import annotations

from django_tasks import task

from comity.notifications import services


@task()
def notify_post(post_id: int) -> int:
    """Notify everyone concerned by a new post (the forum enqueues this after the post commits)."""
    return services.notify_post(post_id)
