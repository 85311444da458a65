"""Background work of the directory through django-tasks (the default backend is the database one; tests use
Immediate)."""

from __future__ import annotations

from django_tasks import task

from comity.directory.importexport.csv_import import jobs


@task()
def run_import_job(job_id: int) -> str:
    """Run a web import's queued dry run or apply (the import page queues it and shows its progress)."""
    return jobs.job_run(job_id)
