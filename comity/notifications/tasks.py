"""Background work through django-tasks (the default backend is the database one; tests use Immediate)."""

from __future__ import annotations

from django_tasks import task

from comity.notifications import services


@task()
def notify_post(post_id: int) -> int:
    """Notify everyone concerned by a new post (the forum enqueues this after the post commits). A failure is
    recorded for `manage.py notify_retry` as well as in the task's result."""
    try:
        return services.notify_post(post_id)
    except Exception as exc:
        services.notify_retry_record(post_id=post_id, error=exc)
        raise
