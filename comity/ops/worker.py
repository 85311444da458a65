"""The scheduler half of `manage.py worker`: heartbeat, e-mail delivery and the periodic jobs, every few seconds.

The other half is django-tasks' database worker loop (queued tasks), run by the command in the main thread."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.db import close_old_connections, connection
from django.utils import timezone

from comity.ops import jobs as registry
from comity.ops import services

logger = logging.getLogger("comity.ops.worker")


def new_worker_id() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{os.urandom(4).hex()}"


class Scheduler:
    def __init__(self, *, worker_id: str, jobs: tuple[registry.Job, ...] | None = None, deliver_mail: bool = True):
        self.worker_id = worker_id
        self.jobs = registry.JOBS if jobs is None else jobs
        self.deliver_mail = deliver_mail
        self.started_at = timezone.now()
        self.stop = threading.Event()

    def tick(self) -> list[tuple[str, registry.Outcome]]:
        """One round: heartbeat, due e-mail, then every job whose current period nobody has claimed yet."""
        if not connection.in_atomic_block:  # (tests run inside a transaction)
            close_old_connections()
        services.heartbeat_record(
            worker_id=self.worker_id, hostname=socket.gethostname(), pid=os.getpid(), started_at=self.started_at
        )
        if self.deliver_mail:
            self._deliver()
        ran = []
        for job in self.jobs:
            if self.stop.is_set():
                break
            now = timezone.now()
            start = services.period_start(now=now, every=job.every, offset=job.offset)
            run = services.jobrun_claim(job=job.name, start=start, worker_id=self.worker_id, lease=job.lease, now=now)
            if run is None:
                continue
            began = time.monotonic()
            outcome = registry.job_execute(job)
            if not services.jobrun_finish(run=run, ok=outcome.ok, detail=outcome.detail):
                logger.warning("periodic job %s: another worker took the run over before it ended", job.name)
            logger.info(
                "periodic job %s %s in %.1fs",
                job.name,
                {True: "done", False: "FAILED", None: "skipped"}[outcome.ok],
                time.monotonic() - began,
            )
            ran.append((job.name, outcome))
            if self.deliver_mail:
                self._deliver()  # what the job queued goes out now, not at the next tick
        return ran

    def _deliver(self) -> None:
        from comity.mail import services as outbox

        try:
            report = outbox.outbox_deliver_due()
        except Exception:
            logger.exception("e-mail delivery failed; trying again at the next tick")
            return
        if report.sent or report.retried or report.failed:
            logger.info("e-mail: sent %s, retry later %s, failed %s", report.sent, report.retried, report.failed)

    def run_forever(self, interval: float) -> None:
        while not self.stop.is_set():
            try:
                self.tick()
            except Exception:  # the database went away, for instance: keep going, the heartbeat will tell
                logger.exception("scheduler tick failed")
            self.stop.wait(interval)
        try:
            services.heartbeat_forget(worker_id=self.worker_id)
        except Exception:
            logger.exception("could not remove the heartbeat")
        finally:
            connection.close()
