"""Web imports run by the task worker: queue a run of a staged file, run it with progress, keep its row report.

A web import (up to ``max_web_rows()`` rows) never runs in the request: the page stages the file
(``staging.py``) and queues a task; the task runs the rows (``applying.py``) and writes its progress and then its
row report on the job, which the page shows. Queuing an apply is audited (``DIRECTORY_IMPORT_QUEUED``), and so is
an apply that ends without importing (``DIRECTORY_IMPORT_FAILED``); a dry run writes no audit event.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core import context
from comity.directory.importexport.csv_import import staging
from comity.directory.importexport.csv_import.applying import ImportRun, can_import
from comity.directory.importexport.csv_import.parsing import ImportFileError, ParsedFile, parse_csv
from comity.directory.importexport.csv_import.report import ImportReport, Mode, RowError, RowResult
from comity.directory.models import ImportJob

logger = logging.getLogger(__name__)
STALLED_AFTER = dt.timedelta(minutes=10)
PROGRESS_EVERY_SECONDS = 1.0
State = ImportJob.State


class ApplyRefused(Exception):
    """The apply was not queued: `message` says why, or `report` is the checked report that refuses it."""

    def __init__(self, message: str, report: ImportReport | None = None):
        super().__init__(message)
        self.message = message
        self.report = report


def gone_message() -> str:
    return _("The uploaded file is no longer available (files are kept for an hour). Upload it again.")


# --- the report, kept on the job as JSON --------------------------------------------------------------------------


def report_to_json(report: ImportReport) -> dict:
    return {
        "mode": report.mode,
        "applied": report.applied,
        "file_name": report.file_name,
        "rows": [dataclasses.asdict(row) for row in report.rows],
    }


def report_of(job: ImportJob) -> ImportReport | None:
    """The row report of the job's latest run (also the rows done before a run stopped), or None."""
    data = job.report
    if not data:
        return None
    rows = [
        RowResult(**{**row, "errors": [RowError(**error) for error in row["errors"]]}) for row in data.get("rows", [])
    ]
    return ImportReport(mode=data["mode"], rows=rows, applied=data["applied"], file_name=data["file_name"])


def is_stalled(job: ImportJob, now: dt.datetime | None = None) -> bool:
    """Queued or running, and no progress for a long while (the worker stopped, or is not running)."""
    return job.state in (State.QUEUED, State.RUNNING) and (now or timezone.now()) - job.updated_at > STALLED_AFTER


# --- queuing ------------------------------------------------------------------------------------------------------


def job_queue_dry_run(*, actor, content: bytes, name: str, rows: int) -> ImportJob:
    """Stage an uploaded file and queue its dry run (no audit event: a dry run changes nothing)."""
    if not can_import(actor):
        raise PermissionDenied
    job = staging.store_upload(user=actor, content=content, name=name, rows=rows)
    return _enqueue(job)


def job_queue_apply(*, actor, job: ImportJob, mode: str) -> ImportJob:
    """Queue the apply of a checked file, once: a conditional update claims the file, so that a double submit
    (or two tabs) queues a single apply. Raises ApplyRefused when the file cannot be applied."""
    if mode not in (Mode.APPLY, Mode.APPLY_VALID):
        raise ValueError(mode)
    if not can_import(actor) or job.user_id != actor.pk:
        raise PermissionDenied
    checked = report_of(job)
    if mode == Mode.APPLY and checked is not None and checked.has_errors:
        refused = dataclasses.replace(checked, mode=Mode.APPLY, applied=False)
        raise ApplyRefused("", refused)  # the page says why, above the report
    try:
        parsed = _parsed(job)
    except ImportFileError as exc:  # the limits were lowered in between
        raise ApplyRefused(exc.message) from exc
    if parsed is None:
        raise ApplyRefused(gone_message())
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            ImportJob.objects.filter(pk=job.pk, state=State.DONE, applied=False, content__isnull=False)
            .filter(created_at__gte=now - dt.timedelta(seconds=staging.UPLOAD_TTL_SECONDS))
            .update(
                mode=mode,
                state=State.QUEUED,
                phase="",
                rows_done=0,
                report={},
                error="",
                request_context=staging.request_context(),
                updated_at=now,
                finished_at=None,
            )
        )
        if not claimed:
            raise ApplyRefused(gone_message())
        audit_log(
            action=AuditAction.DIRECTORY_IMPORT_QUEUED,
            actor=actor,
            target=job,
            country=_single_country(parsed),
            details=_file_details(job, parsed, mode),
        )
    job.refresh_from_db()
    return _enqueue(job)


def _enqueue(job: ImportJob) -> ImportJob:
    from comity.directory import tasks  # the task module imports this one

    try:
        tasks.run_import_job.enqueue(job.pk)
    except Exception:  # a task backend problem is reported on the page, never as a 500
        logger.exception("could not queue directory import %s", job.pk)
        _fail(job.pk, _("The import could not be handed to the task worker. Try again in a few minutes."), None)
    job.refresh_from_db()
    return job


# --- running (in the task worker) ---------------------------------------------------------------------------------


class _ProgressWriter:
    """Writes the run's phase and rows done on the job, at most once a second and at the end of each phase."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.last = 0.0

    def phase(self, phase: str) -> None:
        ImportJob.objects.filter(pk=self.job_id).update(phase=phase, rows_done=0, updated_at=timezone.now())
        self.last = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if done != total and time.monotonic() - self.last < PROGRESS_EVERY_SECONDS:
            return
        ImportJob.objects.filter(pk=self.job_id).update(rows_done=done, updated_at=timezone.now())
        self.last = time.monotonic()


def job_run(job_id: int) -> str:
    """Run a queued job; returns its final state. Claims the job first, so a task delivered twice runs once."""
    now = timezone.now()
    if not ImportJob.objects.filter(pk=job_id, state=State.QUEUED).update(state=State.RUNNING, updated_at=now):
        return "skipped"
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    saved = job.request_context or {}
    token = context.set_current(
        context.RequestContext(
            request_id=saved.get("request_id") or "", ip=saved.get("ip"), user_agent=saved.get("user_agent") or ""
        )
    )
    run: ImportRun | None = None
    try:
        parsed = _parsed(job)
        if parsed is None:
            return _fail(job.pk, gone_message(), None)
        writer = _ProgressWriter(job.pk)
        run = ImportRun(actor=job.user, parsed=parsed, mode=job.mode, progress=writer, on_phase=writer.phase)
        report = run.run()
    except ImportFileError as exc:  # the limits were lowered in between
        return _fail(job.pk, exc.message, run)
    except PermissionDenied:
        return _fail(job.pk, _("You may no longer import authorities."), run)
    except Exception:
        logger.exception("directory import %s stopped", job_id)
        return _fail(job.pk, _("The import stopped because of an unexpected error."), run)
    finally:
        context.reset(token)
    return _finish(job, parsed, report)


def _finish(job: ImportJob, parsed: ParsedFile, report: ImportReport) -> str:
    with transaction.atomic(durable=True):
        ImportJob.objects.filter(pk=job.pk).update(
            state=State.DONE,
            phase="",
            applied=report.applied,
            rows_done=len(report.rows),
            report=report_to_json(report),
            content=None if report.applied else job.content,
            updated_at=timezone.now(),
            finished_at=timezone.now(),
        )
        if job.mode != Mode.DRY_RUN and not report.applied:
            audit_log(
                action=AuditAction.DIRECTORY_IMPORT_FAILED,
                actor=job.user,
                target=job,
                country=_single_country(parsed),
                details={**_file_details(job, parsed, job.mode), "reason": "rows_with_errors", **report.counts},
            )
    return State.DONE


def _fail(job_id: int, message: str, run: ImportRun | None) -> str:
    """Stop the job with a message for the page; keep the rows done so far. An apply that stops is audited."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    report = run.report(applied=run.phase == "applying") if run is not None and run.results else None
    try:
        parsed = _parsed(job)
    except ImportFileError:
        parsed = None
    with transaction.atomic(durable=True):
        ImportJob.objects.filter(pk=job_id).update(
            state=State.FAILED,
            phase="",
            error=message,
            report=report_to_json(report) if report is not None else {},
            rows_done=len(report.rows) if report is not None else 0,
            content=None,
            updated_at=timezone.now(),
            finished_at=timezone.now(),
        )
        if job.mode != Mode.DRY_RUN:
            audit_log(
                action=AuditAction.DIRECTORY_IMPORT_FAILED,
                actor=job.user,
                target=job,
                country=_single_country(parsed) if parsed is not None else "",
                details={
                    "file": job.file_name,
                    "sha256": job.sha256,
                    "valid_rows_only": job.mode == Mode.APPLY_VALID,
                    "reason": "error",
                    "rows_applied": report.valid_changes if report is not None and report.applied else 0,
                },
            )
    return State.FAILED


def _parsed(job: ImportJob) -> ParsedFile | None:
    content = staging.content_of(job)
    return None if content is None else parse_csv(content, name=job.file_name)


def _single_country(parsed: ParsedFile) -> str:
    countries = {raw.cells.get("country", "").strip().upper() for raw in parsed.rows if not raw.error}
    return countries.pop() if len(countries) == 1 else ""


def _file_details(job: ImportJob, parsed: ParsedFile, mode: str) -> dict:
    return {
        "file": job.file_name,
        "sha256": job.sha256,
        "rows": len(parsed.rows),
        "valid_rows_only": mode == Mode.APPLY_VALID,
    }
