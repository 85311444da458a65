"""Prometheus metrics: request counters and latency by view (buffered per process, added to shared rows every few
seconds), the task and outbox queues, sign-in failures, the audit chain and its last verification (read at scrape
time). Exposed at /metrics in the text format, behind a token or an address allow-list (`views.metrics`)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from comity.ops.models import MetricCounter

BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
FLUSH_SECONDS = 5.0

HELP = {
    "comity_http_requests_total": ("counter", "Requests answered, by view, method and status."),
    "comity_http_request_duration_seconds": ("histogram", "Time to answer a request, by view."),
    "comity_signin_failures_total": ("counter", "Sign-ins refused at the password stage."),
    "comity_tasks": ("gauge", "Queued background tasks by status."),
    "comity_tasks_oldest_ready_age_seconds": ("gauge", "Age of the oldest task waiting to run."),
    "comity_outbox_emails": ("gauge", "Outbox e-mail by status."),
    "comity_audit_chain_length": ("gauge", "Events in the audit hash chain."),
    "comity_audit_last_verification_timestamp_seconds": ("gauge", "When the audit chain was last verified."),
    "comity_audit_last_verification_ok": ("gauge", "1 when the last verification found the chain intact."),
    "comity_worker_heartbeat_age_seconds": ("gauge", "Seconds since the freshest worker heartbeat."),
    "comity_job_last_success_timestamp_seconds": ("gauge", "When each periodic job last succeeded."),
}

_lock = threading.Lock()
_pending: dict[str, float] = defaultdict(float)
_last_flush = time.monotonic()


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _series(name: str, **labels: str) -> str:
    inner = ",".join(f'{key}="{_label(value)}"' for key, value in labels.items())
    return f"{name}{{{inner}}}" if inner else name


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    with _lock:
        _pending[_series("comity_http_requests_total", view=view, method=method, status=str(status))] += 1
        for bound in BUCKETS:
            if seconds <= bound:
                _pending[_series("comity_http_request_duration_seconds_bucket", view=view, le=str(bound))] += 1
        _pending[_series("comity_http_request_duration_seconds_bucket", view=view, le="+Inf")] += 1
        _pending[_series("comity_http_request_duration_seconds_sum", view=view)] += seconds
        _pending[_series("comity_http_request_duration_seconds_count", view=view)] += 1
    maybe_flush()


def count(name: str, amount: float = 1, **labels: str) -> None:
    with _lock:
        _pending[_series(name, **labels)] += amount
    maybe_flush()


def maybe_flush() -> None:
    """Every COMITY_METRICS_FLUSH_SECONDS (0: only when /metrics is read), at the end of a request."""
    every = getattr(settings, "COMITY_METRICS_FLUSH_SECONDS", FLUSH_SECONDS)
    if every and time.monotonic() - _last_flush >= every:
        flush()


def flush() -> None:
    """Add what this process counted to the shared rows (one UPDATE per series; an INSERT for a new one)."""
    global _last_flush
    with _lock:
        batch = dict(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
    if not batch:
        return
    for series, amount in sorted(batch.items()):
        if MetricCounter.objects.filter(series=series).update(value=F("value") + amount):
            continue
        try:
            with transaction.atomic():
                MetricCounter.objects.create(series=series, value=amount)
        except IntegrityError:
            MetricCounter.objects.filter(series=series).update(value=F("value") + amount)


def _gauges() -> list[tuple[str, float]]:
    from django_tasks_db.models import DBTaskResult

    from comity.audit.models import AuditChainHead
    from comity.mail.models import OutboxEmail
    from comity.ops import selectors
    from comity.ops.models import JobRun

    now = timezone.now()
    out: list[tuple[str, float]] = []
    for row in DBTaskResult.objects.values("status").order_by("status").annotate(n=_count()):
        out.append((_series("comity_tasks", status=row["status"].lower()), row["n"]))
    oldest = selectors.oldest_ready_task_age(now=now)
    out.append(("comity_tasks_oldest_ready_age_seconds", oldest or 0.0))
    for row in OutboxEmail.objects.values("status").order_by("status").annotate(n=_count()):
        out.append((_series("comity_outbox_emails", status=row["status"]), row["n"]))
    head = AuditChainHead.objects.order_by("pk").first()
    out.append(("comity_audit_chain_length", head.seq if head else 0))
    last = JobRun.objects.filter(job="audit_verify", finished_at__isnull=False).order_by("-finished_at").first()
    if last is not None and last.finished_at is not None:
        out.append(("comity_audit_last_verification_timestamp_seconds", last.finished_at.timestamp()))
        out.append(("comity_audit_last_verification_ok", 1.0 if last.ok else 0.0))
    age = selectors.heartbeat_age(now=now)
    if age is not None:
        out.append(("comity_worker_heartbeat_age_seconds", age))
    for job, finished in selectors.job_last_successes():
        out.append((_series("comity_job_last_success_timestamp_seconds", job=job), finished.timestamp()))
    return out


def _count():
    from django.db.models import Count

    return Count("pk")


def _name(series: str) -> str:
    base = series.split("{", 1)[0]
    for suffix in ("_bucket", "_sum", "_count"):
        if base.endswith(suffix) and base[: -len(suffix)] in HELP:
            return base[: -len(suffix)]
    return base


def exposition() -> str:
    """The text format: every shared counter and the gauges read now, grouped by metric with HELP and TYPE."""
    flush()
    rows = [(row.series, row.value) for row in MetricCounter.objects.order_by("series")]
    rows += _gauges()
    grouped: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for series, value in rows:
        grouped[_name(series)].append((series, value))
    lines: list[str] = []
    for name in sorted(grouped):
        kind, text = HELP.get(name, ("untyped", name))
        lines.append(f"# HELP {name} {text}")
        lines.append(f"# TYPE {name} {kind}")
        for series, value in grouped[name]:
            lines.append(f"{series} {_number(value)}")
    return "\n".join(lines) + "\n"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
