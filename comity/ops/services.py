"""Writes of the operations app: claiming a periodic job for one period, finishing it, the worker's heartbeat."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from comity.ops.models import JobRun, WorkerHeartbeat

EPOCH = dt.datetime(2000, 1, 3, tzinfo=dt.UTC)  # a Monday at midnight UTC: daily and weekly periods start at 00:00


def period_start(*, now: dt.datetime, every: dt.timedelta, offset: dt.timedelta = dt.timedelta(0)) -> dt.datetime:
    """The start of the period that contains `now`: periods of length `every`, shifted by `offset` from midnight
    UTC (a daily job at 02:00 UTC has every=1 day, offset=2 hours)."""
    periods = (now - EPOCH - offset) // every
    return EPOCH + offset + periods * every


def jobrun_claim(*, job: str, start: dt.datetime, worker_id: str, lease: dt.timedelta, now: dt.datetime | None = None):
    """Claim `job` for the period beginning at `start`. Returns the JobRun when this worker is to run it, None
    when another worker has it (or had it). Safe across processes and hosts: the unique (job, period) row is
    inserted by exactly one of them; a run left unfinished past its lease is taken over by one conditional
    UPDATE, so again by exactly one."""
    now = now or timezone.now()
    if not JobRun.objects.filter(job=job, period_start=start).exists():
        try:
            with transaction.atomic():
                return JobRun.objects.create(
                    job=job, period_start=start, worker_id=worker_id, started_at=now, lease_until=now + lease
                )
        except IntegrityError:
            pass  # another worker inserted it first
    taken = JobRun.objects.filter(job=job, period_start=start, finished_at__isnull=True, lease_until__lt=now).update(
        worker_id=worker_id, started_at=now, lease_until=now + lease
    )
    if taken:
        return JobRun.objects.get(job=job, period_start=start)
    return None


def jobrun_finish(*, run: JobRun, ok: bool | None, detail: str = "") -> bool:
    """Record the outcome, only while this worker still holds the run (False when another took it over)."""
    return bool(
        JobRun.objects.filter(pk=run.pk, worker_id=run.worker_id).update(
            finished_at=timezone.now(), ok=ok, detail=detail[:4000]
        )
    )


def heartbeat_record(*, worker_id: str, hostname: str, pid: int, started_at: dt.datetime) -> None:
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={"hostname": hostname[:255], "pid": pid, "started_at": started_at, "seen_at": now},
        )


def heartbeat_forget(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def heartbeats_prune(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    deleted, _ = WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - older_than).delete()
    return deleted


def jobruns_prune(*, older_than: dt.timedelta = dt.timedelta(days=30)) -> int:
    deleted, _ = JobRun.objects.filter(period_start__lt=timezone.now() - older_than).delete()
    return deleted
