"""The periodic jobs the worker runs (what cron ran before), and how one run is carried out.

A job names a management command (so that an operator can still run it by hand) or a function. Each runs once per
period across every copy of the worker (`services.jobrun_claim`). A command that is not installed is skipped with a
warning, so that jobs of apps still being built can be listed here."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

logger = logging.getLogger("comity.ops.jobs")
alerts = logging.getLogger("comity.ops.alerts")

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    offset: dt.timedelta = dt.timedelta(0)  # from midnight UTC: a daily job at 02:00 has offset 2 hours
    command: str = ""  # a management command, or
    function: Callable[[], tuple[bool, str]] | None = None  # (ok, detail)
    args: tuple[str, ...] = ()
    lease: dt.timedelta = HOUR  # how long a run may take before another worker may take it over
    enabled: Callable[[], bool] | None = None


@dataclass(frozen=True)
class Outcome:
    ok: bool | None  # None: skipped
    detail: str


def _audit_verify() -> tuple[bool, str]:
    """Verify the chain; on a break, raise an alert (a CRITICAL log line and e-mail to COMITY_ALERT_EMAILS)."""
    from comity.audit.selectors import audit_chain_verify

    result = audit_chain_verify()
    if not result.ok:
        _alert("audit chain verification failed", str(result))
    return result.ok, str(result)


def _alert(subject: str, detail: str) -> None:
    alerts.critical("%s: %s", subject, detail)
    recipients = list(getattr(settings, "COMITY_ALERT_EMAILS", []) or [])
    if not recipients:
        return
    from django.db import transaction

    from comity.mail import services as outbox

    with transaction.atomic():
        for address in recipients:
            outbox.outbox_enqueue(
                to=address, subject=f"[Comity] {subject}", body_text=f"{detail}\n", category="ops_alert"
            )
        outbox.schedule_delivery()


def _database_sessions() -> bool:
    return settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def _ops_prune() -> tuple[bool, str]:
    from comity.ops import services

    return True, f"{services.jobruns_prune()} job runs, {services.heartbeats_prune()} heartbeats"


JOBS: tuple[Job, ...] = (
    Job("send_digests", every=10 * MINUTE, command="send_digests", lease=30 * MINUTE),
    Job("notify_retry", every=10 * MINUTE, command="notify_retry", lease=30 * MINUTE),
    Job("question_reminders", every=HOUR, offset=5 * MINUTE, command="question_reminders"),
    Job("expire_invitations", every=HOUR, offset=15 * MINUTE, command="expire_invitations"),
    Job("meetings_reminders", every=HOUR, offset=25 * MINUTE, command="meetings_reminders"),
    Job("requests_reminders", every=HOUR, offset=35 * MINUTE, command="requests_reminders"),
    Job("audit_verify", every=DAY, offset=2 * HOUR, function=_audit_verify, lease=4 * HOUR),
    Job("purge_forum", every=DAY, offset=2 * HOUR + 10 * MINUTE, command="purge_forum"),
    Job("purge_uploads", every=DAY, offset=2 * HOUR + 20 * MINUTE, command="purge_uploads"),
    Job("outbox_purge", every=DAY, offset=2 * HOUR + 30 * MINUTE, command="outbox_purge"),
    Job("prune_db_task_results", every=DAY, offset=2 * HOUR + 40 * MINUTE, command="prune_db_task_results"),
    Job("ops_prune", every=DAY, offset=2 * HOUR + 50 * MINUTE, function=_ops_prune),
    Job("clearsessions", every=DAY, offset=3 * HOUR, command="clearsessions", enabled=_database_sessions),
    Job("legalprofiles_reminders", every=DAY, offset=4 * HOUR, command="legalprofiles_reminders"),
    Job("directory_reminders", every=DAY, offset=6 * HOUR, command="directory_reminders"),
)


def job_named(name: str) -> Job:
    for job in JOBS:
        if job.name == name:
            return job
    raise KeyError(name)


def job_execute(job: Job) -> Outcome:
    """Run one job now, in this process. Never raises: the outcome says what happened."""
    if job.enabled is not None and not job.enabled():
        return Outcome(None, "not needed in this configuration")
    if job.function is not None:
        try:
            ok, detail = job.function()
        except Exception as exc:
            logger.exception("periodic job %s failed", job.name)
            return Outcome(False, f"{type(exc).__name__}: {exc}")
        return Outcome(ok, detail)
    if job.command not in get_commands():
        logger.warning("periodic job %s skipped: the command %r is not installed", job.name, job.command)
        return Outcome(None, f"command {job.command!r} is not installed")
    out = io.StringIO()
    try:
        call_command(job.command, *job.args, stdout=out, stderr=out)
    except (CommandError, SystemExit) as exc:
        logger.error("periodic job %s failed: %s", job.name, exc)
        return Outcome(False, f"{out.getvalue()}{exc}")
    except Exception as exc:
        logger.exception("periodic job %s failed", job.name)
        return Outcome(False, f"{out.getvalue()}{type(exc).__name__}: {exc}")
    return Outcome(True, out.getvalue())
