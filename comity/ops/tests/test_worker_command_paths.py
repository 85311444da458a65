"""`manage.py worker` options (--list-jobs, --run-job, the long-running loop) and the scheduler's error paths."""

from __future__ import annotations

import datetime as dt
import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comity.ops import jobs as registry
from comity.ops import services
from comity.ops import worker as worker_module
from comity.ops.models import WorkerHeartbeat
from comity.ops.worker import Scheduler, new_worker_id


def test_list_jobs_prints_every_registered_job_with_its_period():
    out = StringIO()
    call_command("worker", "--list-jobs", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(registry.JOBS)
    for job, line in zip(registry.JOBS, lines, strict=True):
        assert line.startswith(job.name)
        assert f"every {job.every}, offset {job.offset}" in line


def test_run_job_refuses_an_unknown_name():
    with pytest.raises(CommandError, match="No periodic job named 'no_such_job'; see --list-jobs."):
        call_command("worker", "--run-job", "no_such_job")


@pytest.mark.django_db
def test_run_job_reports_a_failure_as_a_command_error(monkeypatch):
    failing = registry.Job("always_fails", every=dt.timedelta(hours=1), function=lambda: (False, "it broke"))
    monkeypatch.setattr(registry, "JOBS", (*registry.JOBS, failing))
    out = StringIO()
    with pytest.raises(CommandError, match="always_fails failed") as excinfo:
        call_command("worker", "--run-job", "always_fails", stdout=out)
    assert excinfo.value.returncode == 1
    assert "it broke" in out.getvalue()


@pytest.mark.django_db
def test_run_job_prints_the_detail_of_a_success(monkeypatch):
    fine = registry.Job("always_fine", every=dt.timedelta(hours=1), function=lambda: (True, "all good"))
    monkeypatch.setattr(registry, "JOBS", (*registry.JOBS, fine))
    out = StringIO()
    call_command("worker", "--run-job", "always_fine", stdout=out)
    assert "all good" in out.getvalue()


def test_worker_ids_are_unique_and_name_the_host_and_process():
    first, second = new_worker_id(), new_worker_id()
    assert first != second
    host, pid, _ = first.rsplit(":", 2)
    assert host and pid.isdigit()


@pytest.mark.django_db
def test_delivery_failure_is_logged_and_the_tick_goes_on(monkeypatch, caplog):
    from comity.mail import services as outbox

    def broken():
        raise RuntimeError("smtp down")

    monkeypatch.setattr(outbox, "outbox_deliver_due", broken)
    scheduler = Scheduler(worker_id="w-deliver", jobs=())
    with caplog.at_level(logging.ERROR, logger="comity.ops.worker"):
        assert scheduler.tick() == []
    assert "e-mail delivery failed; trying again at the next tick" in caplog.text
    assert WorkerHeartbeat.objects.filter(worker_id="w-deliver").exists()


@pytest.mark.django_db
def test_run_forever_survives_a_failing_tick_and_forgets_its_heartbeat(monkeypatch, caplog):
    scheduler = Scheduler(worker_id="w-forever", jobs=(), deliver_mail=False)
    calls = []

    def tick():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        scheduler.stop.set()
        return []

    forgotten = []
    monkeypatch.setattr(scheduler, "tick", tick)
    monkeypatch.setattr(services, "heartbeat_forget", lambda *, worker_id: forgotten.append(worker_id))
    monkeypatch.setattr(worker_module.connection, "close", lambda: None)
    with caplog.at_level(logging.ERROR, logger="comity.ops.worker"):
        scheduler.run_forever(0)
    assert len(calls) == 2
    assert "scheduler tick failed" in caplog.text
    assert forgotten == ["w-forever"]


@pytest.mark.django_db
def test_run_forever_logs_a_heartbeat_it_cannot_remove(monkeypatch, caplog):
    scheduler = Scheduler(worker_id="w-noforget", jobs=(), deliver_mail=False)
    scheduler.stop.set()

    def forget(*, worker_id):
        raise RuntimeError("gone")

    closed = []
    monkeypatch.setattr(services, "heartbeat_forget", forget)
    monkeypatch.setattr(worker_module.connection, "close", lambda: closed.append(True))
    with caplog.at_level(logging.ERROR, logger="comity.ops.worker"):
        scheduler.run_forever(0)
    assert "could not remove the heartbeat" in caplog.text
    assert closed == [True]


@pytest.mark.django_db
def test_a_job_taken_over_before_it_ends_is_logged(monkeypatch, caplog):
    job = registry.Job("slowpoke", every=dt.timedelta(hours=1), function=lambda: (True, "done"))
    monkeypatch.setattr(services, "jobrun_finish", lambda **kwargs: False)
    scheduler = Scheduler(worker_id="w-late", jobs=(job,), deliver_mail=False)
    with caplog.at_level(logging.WARNING, logger="comity.ops.worker"):
        ran = scheduler.tick()
    assert [name for name, _ in ran] == ["slowpoke"]
    assert "another worker took the run over before it ended" in caplog.text


@pytest.mark.django_db
def test_the_long_running_worker_without_tasks_stops_when_its_scheduler_does(monkeypatch):
    seen = []

    def run_forever(self, interval):
        seen.append((self.worker_id, interval))

    monkeypatch.setattr(Scheduler, "run_forever", run_forever)
    call_command("worker", "--no-tasks", "--interval", "0.5")
    assert len(seen) == 1
    assert seen[0][1] == 0.5
