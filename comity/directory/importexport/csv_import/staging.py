"""Keeping an uploaded file between the dry run and the apply: in the database, bound to the user who uploaded it.

The file is a row of ``ImportJob`` (not a file on one host's disk), so the web process that takes the upload,
the worker that checks it and the web process that takes the "apply" may each run on a different host. The job
is named by a random token; the form only sends the token back and the job must belong to the user, so a client
can neither choose another file nor swap the content. A file is erased once applied and an hour after its upload;
a user keeps at most ``MAX_UPLOADS_PER_USER`` files at a time. The row reports stay ``REPORT_DAYS`` days.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from django.db import transaction
from django.utils import timezone

from comity.core import context
from comity.directory.models import ImportJob

TOKEN = re.compile(r"^[0-9a-f]{32}$")
UPLOAD_TTL_SECONDS = 60 * 60
MAX_UPLOADS_PER_USER = 5
REPORT_DAYS = 30


def request_context() -> dict:
    """Who asked, as the audit log records it, so that the worker's events carry the asking request's origin."""
    ctx = context.current()
    return {"ip": ctx.ip, "user_agent": ctx.user_agent, "request_id": ctx.request_id}


def store_upload(*, user, content: bytes, name: str, rows: int) -> ImportJob:
    """Stage the file and create its job (a dry run, waiting for the worker)."""
    now = timezone.now()
    with transaction.atomic():
        _sweep(now)
        job = ImportJob.objects.create(
            token=secrets.token_hex(16),
            user=user,
            file_name=name[:200],
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            rows_total=rows,
            request_context=request_context(),
            created_at=now,
            updated_at=now,
        )
        older = list(
            ImportJob.objects.filter(user=user, content__isnull=False)
            .exclude(state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING])
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)[MAX_UPLOADS_PER_USER - 1 :]
        )
        if older:
            ImportJob.objects.filter(pk__in=older).update(content=None)
    return job


def job_for(*, user, token: str) -> ImportJob | None:
    """The user's job with this token (any state), or None."""
    if not TOKEN.match(token or "") or not getattr(user, "is_authenticated", False):
        return None
    return ImportJob.objects.filter(token=token, user=user).first()


def load_upload(*, user, token: str) -> ImportJob | None:
    """The user's job whose file is still kept (not applied, failed or expired), or None."""
    job = job_for(user=user, token=token)
    if job is None or job.content is None or is_expired(job):
        return None
    return job


def is_expired(job: ImportJob, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) - job.created_at > dt.timedelta(seconds=UPLOAD_TTL_SECONDS)


def content_of(job: ImportJob) -> bytes | None:
    """The staged bytes, checked against the hash taken at upload."""
    if job.content is None:
        return None
    content = bytes(job.content)
    return content if hashlib.sha256(content).hexdigest() == job.sha256 else None


def _sweep(now: dt.datetime) -> None:
    """Erase expired files and forget old reports (a few rows: imports are rare)."""
    ImportJob.objects.filter(
        content__isnull=False, created_at__lt=now - dt.timedelta(seconds=UPLOAD_TTL_SECONDS)
    ).exclude(state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING]).update(content=None)
    ImportJob.objects.filter(created_at__lt=now - dt.timedelta(days=REPORT_DAYS)).delete()
