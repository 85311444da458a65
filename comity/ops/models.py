"""Operations: which periodic job ran in which period, and which workers are alive."""

from __future__ import annotations

from django.db import models


class JobRun(models.Model):
    """One periodic job in one period. The unique (job, period) row is the lease: the worker that inserts it runs
    the job, every other copy of the worker on any host sees the conflict and skips it. A run whose lease ran out
    before it finished (its worker died) may be taken over once by a conditional UPDATE."""

    job = models.CharField(max_length=64)
    period_start = models.DateTimeField()
    worker_id = models.CharField(max_length=128)
    started_at = models.DateTimeField()
    lease_until = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(null=True)
    detail = models.TextField(blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "period_start"], name="ops_jobrun_once_per_period")]
        indexes = [models.Index(fields=["job", "-period_start"], name="ops_jobrun_latest")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.period_start:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """A running `manage.py worker`, refreshed every few seconds; /readyz fails when none is recent."""

    worker_id = models.CharField(max_length=128, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id


class MetricCounter(models.Model):
    """One Prometheus counter series, e.g. `comity_http_requests_total{view="forum:thread",...}`, shared by every
    process on every host. Processes add to it in batches (`metrics.flush`) with one atomic UPDATE per series."""

    series = models.CharField(max_length=400, primary_key=True)
    value = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.series} {self.value}"
