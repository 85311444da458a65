"""Reads of the operations app: heartbeats, queues and job history, for /readyz and /metrics."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max

from comity.ops.models import JobRun, WorkerHeartbeat


def heartbeat_age(*, now: dt.datetime) -> float | None:
    """Seconds since the freshest worker heartbeat; None when no worker ever reported."""
    seen = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    return None if seen is None else max(0.0, (now - seen).total_seconds())


def oldest_ready_task_age(*, now: dt.datetime) -> float | None:
    """Seconds the oldest task that may run now has waited; None when none waits."""
    from django_tasks_db.models import DBTaskResult

    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return None if oldest is None else max(0.0, (now - oldest).total_seconds())


def failed_outbox_count() -> int:
    from comity.mail.models import OutboxEmail, OutboxStatus

    return OutboxEmail.objects.filter(status=OutboxStatus.FAILED).count()


def job_last_successes() -> list[tuple[str, dt.datetime]]:
    rows = JobRun.objects.filter(ok=True).values("job").annotate(last=Max("finished_at")).order_by("job")
    return [(row["job"], row["last"]) for row in rows if row["last"] is not None]
