"""Background work through django-tasks (the default backend is the database one; tests use Immediate)."""

from __future__ import annotations

from django_tasks import task

from comity.notifications import services

RETRIES_PER_TASK = 10


@task()
def notify_post(post_id: int) -> int:
    """Notify everyone concerned by a new post (the forum enqueues this after the post commits). A failure is
    recorded for `manage.py notify_retry` as well as in the task's result. Once it has worked, it also retries a
    few recorded failures that are due, so that they heal as soon as tasks run again, cron or not."""
    try:
        created = services.notify_post(post_id)
    except Exception as exc:
        services.notify_retry_record(post_id=post_id, error=exc)
        raise
    services.notify_retry_due(limit=RETRIES_PER_TASK)
    return created
