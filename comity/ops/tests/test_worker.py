"""The worker: each periodic job once per period across workers, missing commands skipped, heartbeat, outbox."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from comity.ops import jobs as registry
from comity.ops import services
from comity.ops.models import JobRun, WorkerHeartbeat
from comity.ops.worker import Scheduler

UTC = dt.UTC


def test_period_start_daily_with_offset():
    every, offset = dt.timedelta(days=1), dt.timedelta(hours=2)
    assert services.period_start(now=dt.datetime(2026, 12, 6, 1, 59, tzinfo=UTC), every=every, offset=offset) == (
        dt.datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    )
    assert services.period_start(now=dt.datetime(2026, 12, 6, 2, 0, tzinfo=UTC), every=every, offset=offset) == (
        dt.datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    )
    ten = dt.timedelta(minutes=10)
    assert services.period_start(now=dt.datetime(2026, 12, 6, 9, 37, 5, tzinfo=UTC), every=ten) == dt.datetime(
        2026, 12, 6, 9, 30, tzinfo=UTC
    )


@pytest.mark.django_db
def test_claim_once_then_refused_then_taken_over_after_lease():
    start = dt.datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    now = start + dt.timedelta(minutes=1)
    lease = dt.timedelta(minutes=5)
    first = services.jobrun_claim(job="x", start=start, worker_id="a", lease=lease, now=now)
    assert first is not None and first.worker_id == "a"
    assert services.jobrun_claim(job="x", start=start, worker_id="b", lease=lease, now=now) is None
    # a's lease ran out without a finish (it died): one other worker takes it over
    later = now + dt.timedelta(minutes=6)
    taken = services.jobrun_claim(job="x", start=start, worker_id="b", lease=lease, now=later)
    assert taken is not None and taken.worker_id == "b"
    assert services.jobrun_finish(run=first, ok=True) is False  # a no longer holds it
    assert services.jobrun_finish(run=taken, ok=True) is True
    assert services.jobrun_claim(job="x", start=start, worker_id="c", lease=lease, now=later + lease * 2) is None
    assert JobRun.objects.count() == 1


def _counting_job(name: str, calls: list[str]):
    def run() -> tuple[bool, str]:
        calls.append(name)
        return True, "ran"

    return registry.Job(name, every=dt.timedelta(hours=1), function=run)


@pytest.mark.django_db
def test_tick_runs_each_job_once_per_period_and_records_heartbeat():
    calls: list[str] = []
    jobs = (_counting_job("one", calls), _counting_job("two", calls))
    a, b = Scheduler(worker_id="host-a:1", jobs=jobs), Scheduler(worker_id="host-b:1", jobs=jobs)
    assert [name for name, _ in a.tick()] == ["one", "two"]
    assert b.tick() == []
    assert a.tick() == []
    assert calls == ["one", "two"]
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {"host-a:1", "host-b:1"}
    assert list(JobRun.objects.order_by("job").values_list("job", "ok", "detail")) == [
        ("one", True, "ran"),
        ("two", True, "ran"),
    ]


@pytest.mark.django_db
def test_missing_command_is_skipped_with_a_warning(caplog):
    job = registry.Job("meetings_reminders", every=dt.timedelta(hours=1), command="no_such_command_here")
    with caplog.at_level(logging.WARNING, logger="comity.ops.jobs"):
        outcome = registry.job_execute(job)
    assert outcome.ok is None
    assert outcome.detail == "command 'no_such_command_here' is not installed"
    assert "periodic job meetings_reminders skipped" in caplog.text


@pytest.mark.django_db
def test_failing_command_is_recorded_not_raised():
    job = registry.Job("audit_like", every=dt.timedelta(hours=1), command="audit_verify", args=("--batch-size", "0"))
    outcome = registry.job_execute(job)
    assert outcome.ok is False
    assert "--batch-size must be at least 1." in outcome.detail


@pytest.mark.django_db
def test_registry_names_every_former_cron_job_and_the_new_reminders():
    assert {job.name for job in registry.JOBS} == {
        "send_digests",
        "notify_retry",
        "question_reminders",
        "expire_invitations",
        "meetings_reminders",
        "requests_reminders",
        "audit_verify",
        "purge_forum",
        "purge_uploads",
        "outbox_purge",
        "prune_db_task_results",
        "ops_prune",
        "clearsessions",
        "legalprofiles_reminders",
        "directory_reminders",
    }


@pytest.mark.django_db
def test_audit_verify_job_alerts_on_a_broken_chain(settings, caplog):
    from comity.audit.models import AuditEvent
    from comity.audit.services import audit_log
    from comity.mail.models import OutboxEmail

    settings.COMITY_ALERT_EMAILS = ["ops@example.org"]
    audit_log(action="auth.login", details={"n": 1})
    AuditEvent.objects.update(details={"n": 2})  # tampering
    with caplog.at_level(logging.CRITICAL, logger="comity.ops.alerts"):
        outcome = registry.job_execute(registry.job_named("audit_verify"))
    assert outcome.ok is False
    assert "audit chain verification failed" in caplog.text
    assert list(OutboxEmail.objects.values_list("to", "subject")) == [
        ("ops@example.org", "[Comity] audit chain verification failed")
    ]


@pytest.mark.django_db
def test_worker_command_once_runs_due_jobs(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(registry, "JOBS", (_counting_job("only", calls),))
    call_command("worker", "--once")
    call_command("worker", "--once")
    assert calls == ["only"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_many_workers_at_once_run_a_job_once_per_period():
    """Eight schedulers in threads (own connections) tick together, three rounds: one run per job and period."""
    calls: list[str] = []
    lock = threading.Lock()

    def job(name):
        def run():
            with lock:
                calls.append(name)
            return True, ""

        return registry.Job(name, every=dt.timedelta(hours=1), function=run)

    jobs = tuple(job(f"job{i}") for i in range(5))
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker(index: int):
        from django.db import connection as own

        try:
            scheduler = Scheduler(worker_id=f"w{index}", jobs=jobs, deliver_mail=False)
            for _ in range(3):
                barrier.wait()
                scheduler.tick()
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(calls) == [f"job{i}" for i in range(5)]
    assert JobRun.objects.count() == 5
    assert WorkerHeartbeat.objects.count() == 8


@pytest.mark.django_db
def test_job_runs_are_readable_by_the_secretariat_only_in_the_admin(personas):
    services.jobrun_claim(job="x", start=dt.datetime(2026, 12, 6, tzinfo=UTC), worker_id="w", lease=dt.timedelta(1))
    assert personas["secretariat"].get("/admin/ops/jobrun/").status_code == 200
    assert personas["member"].get("/admin/ops/jobrun/").status_code == 302  # to the admin sign-in


RAN: list[str] = []


def _remember(value: str) -> str:
    RAN.append(value)
    return value.upper()


@pytest.mark.django_db(transaction=True)  # the task loop closes and reopens connections, as in production
def test_worker_once_runs_queued_tasks_through_the_database_backend(settings, monkeypatch):
    from django_tasks import task
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    monkeypatch.setattr(registry, "JOBS", ())
    remember = task()(_remember)
    monkeypatch.setattr(sys.modules[__name__], "_remember", remember)
    RAN.clear()
    remember.enqueue("first")
    remember.enqueue("second")
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["READY", "READY"]
    call_command("worker", "--once", verbosity=0)
    call_command("worker", "--once", verbosity=0)
    assert sorted(RAN) == ["first", "second"]  # each once, though the worker ran twice
    assert sorted(DBTaskResult.objects.values_list("status", "return_value")) == [
        ("SUCCESSFUL", "FIRST"),
        ("SUCCESSFUL", "SECOND"),
    ]
