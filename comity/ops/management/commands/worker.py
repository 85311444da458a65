"""`manage.py worker`: the one background process. Queued tasks (django-tasks' database worker), e-mail delivery
and the periodic jobs, with a heartbeat. Run one or several, on one or several hosts (docs/adr/0013-one-worker.md)."""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comity.ops import jobs as registry
from comity.ops.worker import Scheduler, new_worker_id


class Command(BaseCommand):
    help = "Run queued tasks, deliver e-mail and run the periodic jobs (each once per period across all workers)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between scheduler rounds.")
        parser.add_argument("--once", action="store_true", help="One scheduler round and the queued tasks, then exit.")
        parser.add_argument("--run-job", metavar="NAME", help="Run one periodic job now, whatever its period.")
        parser.add_argument("--list-jobs", action="store_true", help="List the periodic jobs and exit.")
        parser.add_argument("--no-tasks", action="store_true", help="Do not run queued tasks (scheduler only).")

    def handle(self, *args, interval, once, run_job, list_jobs, no_tasks, **options):
        if list_jobs:
            for job in registry.JOBS:
                what = job.command or job.function.__name__  # type: ignore[union-attr]
                self.stdout.write(f"{job.name:28} every {job.every}, offset {job.offset}: {what}")
            return
        if run_job:
            try:
                job = registry.job_named(run_job)
            except KeyError as exc:
                raise CommandError(f"No periodic job named {run_job!r}; see --list-jobs.") from exc
            outcome = registry.job_execute(job)
            self.stdout.write(outcome.detail)
            if outcome.ok is False:
                raise CommandError(f"{run_job} failed", returncode=1)
            return
        worker_id = new_worker_id()
        scheduler = Scheduler(worker_id=worker_id)
        tasks = None if no_tasks else self._task_worker(worker_id, once)
        if once:
            for name, outcome in scheduler.tick():
                self.stdout.write(f"{name}: {outcome.ok} {outcome.detail.strip()[:200]}")
            if tasks is not None:
                tasks.run()
            return
        thread = threading.Thread(target=scheduler.run_forever, args=(interval,), name="comity-scheduler", daemon=True)
        thread.start()
        try:
            if tasks is None:
                thread.join()
            else:
                tasks.configure_signals()
                tasks.run()
        finally:
            scheduler.stop.set()
            thread.join(timeout=30)

    def _task_worker(self, worker_id: str, once: bool):
        backend = settings.TASKS.get("default", {}).get("BACKEND", "")
        if backend != "django_tasks_db.DatabaseBackend":
            return None  # the immediate backend (tests) runs tasks where they are enqueued
        from django_tasks_db.management.commands.db_worker import Worker

        return Worker(
            queue_names=["*"],
            interval=1.0,
            batch=once,
            backend_name="default",
            startup_delay=not once,
            max_tasks=None,
            worker_id=worker_id[:64],
            excluded_queue_names=[],
        )
