"""The e-mail outbox: every e-mail is a row first, written in the transaction of the event that causes it.

Delivery happens after commit, only in `manage.py worker` (docs/adr/0013-one-worker.md): in the django-tasks task
it runs (`tasks.deliver_outbox`, kicked once per transaction) and in its scheduler, which sweeps the table for due
rows every few seconds (retries, and anything a crash left behind). `manage.py outbox_worker` is the same sweep by
hand. Several workers run at once, on several hosts, so each message is claimed on its own, right before it is
sent:

1. claim: in a short transaction, `SELECT ... FOR UPDATE SKIP LOCKED` picks the next due row and a
   compare-and-set `UPDATE` makes it `sending` with this worker's token, one more attempt, and a lease
   (`next_attempt_at` = now + `lease()`); the transaction commits before any SMTP traffic;
2. send it over the worker's SMTP connection (no transaction is open meanwhile);
3. record: `sent`, or on an SMTP error `queued` again after an exponential backoff (`failed` after the last
   attempt), each by an `UPDATE` that only applies while this worker's token still holds the row.

Another worker skips a `sending` row until its lease ends. The lease is one message long, however many
messages a sweep sends over a slow relay, and it outlasts any single send: every SMTP step waits at most
EMAIL_TIMEOUT, and the lease is at least 20 of them (and at least 10 minutes).

A worker that dies between step 2 and step 3 (killed, out of memory, the database gone) leaves the row
`sending`; once the lease has ended a sweep claims it again and sends it a second time, with the same
Message-ID (mail clients can fold the two). That is the one case in which a message goes out twice: the
relay's acceptance and the database commit cannot be one atomic step, and a possible duplicate is chosen over
a possible loss (a lost password reset or reminder costs more than a repeated one). The row's `last_error`
then says so. An outage delays mail but loses none; after the last attempt the row is failed and kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comity.mail.models import OutboxEmail, OutboxStatus

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)  # the shortest lease: see lease()
BATCH = 100  # messages per sweep
PURGE_BATCH = 500  # rows deleted per transaction by outbox_purge


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATIONS_OUTBOX_MAX_ATTEMPTS", 12))


def email_timeout() -> int:
    return int(getattr(settings, "EMAIL_TIMEOUT", None) or 30)


def lease() -> dt.timedelta:
    """How long a claim on one message lasts: longer than one send can take (connect, EHLO, STARTTLS, AUTH,
    MAIL, RCPT, DATA and the final reply each wait at most EMAIL_TIMEOUT), and at least LEASE.
    NOTIFICATIONS_OUTBOX_LEASE_SECONDS overrides it (tests use a short one)."""
    configured = getattr(settings, "NOTIFICATIONS_OUTBOX_LEASE_SECONDS", None)
    if configured is not None:
        return dt.timedelta(seconds=float(configured))
    return max(LEASE, dt.timedelta(seconds=20 * email_timeout()))


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next try after `attempts` failures: base * 2^(attempts-1), capped."""
    base = int(getattr(settings, "NOTIFICATIONS_OUTBOX_BACKOFF_SECONDS", 60))
    cap = int(getattr(settings, "NOTIFICATIONS_OUTBOX_BACKOFF_MAX_SECONDS", 6 * 60 * 60))
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


# Categories whose text carries a secret (an invitation or password-reset link): emptied once sent.
REDACT_AFTER_SENDING = {"invitation", "password_reset"}


def outbox_enqueue(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    headers: dict | None = None,
    user=None,
    category: str = "",
    now: dt.datetime | None = None,
) -> OutboxEmail:
    """Queue one e-mail. Call inside the transaction of the event; then call `schedule_delivery()` once."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or None
    all_headers = {"Message-ID": make_msgid(domain=domain), "Auto-Submitted": "auto-generated", **(headers or {})}
    moment = now or timezone.now()
    return OutboxEmail.objects.create(
        to=to,
        subject=subject[:300].replace("\n", " "),
        body_text=body_text,
        body_html=body_html,
        headers=all_headers,
        user=user,
        category=category,
        created_at=moment,
        next_attempt_at=moment,
    )


def _kick() -> None:
    try:
        from comity.mail import tasks  # tasks import this module; defining a task checks the backend: in the try

        tasks.deliver_outbox.enqueue()
    except Exception:  # the worker sweeps the table anyway; a task backend problem must not lose mail
        logger.exception("could not enqueue outbox delivery; the outbox worker will send the mail")


def schedule_delivery() -> None:
    """Ask the task backend to deliver after this transaction commits (nothing happens on rollback). It runs
    in the request that committed: it never raises (robust, and `_kick` logs its own failures)."""
    transaction.on_commit(_kick, robust=True)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retried": self.retried, "failed": self.failed}


# Kept in `last_error` of a row that a dead worker left behind, also once it has been sent again.
INTERRUPTED = (
    "Interrupted: a worker stopped between sending and recording it, so it was sent again and may arrive twice."
)


def _claim_next(*, now: dt.datetime, lease_ends: dt.datetime, report: DeliveryReport) -> OutboxEmail | None:
    """Claim the next due row for this worker and commit the claim; None when nothing is due.

    Due: queued rows whose time has come, and sending rows whose lease has ended (their worker died). On
    PostgreSQL the row lock (SKIP LOCKED: other workers take the next row instead of waiting) makes the
    claim exclusive; the compare-and-set `UPDATE` does it where there are no row locks (SQLite)."""
    due = OutboxEmail.objects.filter(
        status__in=[OutboxStatus.QUEUED, OutboxStatus.SENDING], next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")
    while True:
        with transaction.atomic():
            row = due.select_for_update(skip_locked=True).first()
            if row is None:
                return None
            unchanged = OutboxEmail.objects.filter(
                pk=row.pk, status=row.status, claim=row.claim, next_attempt_at=row.next_attempt_at
            )
            interrupted = row.status == OutboxStatus.SENDING
            if interrupted and row.attempts >= max_attempts():
                if unchanged.update(**_failed_fields(row, INTERRUPTED, now)):
                    _log_failed(row, row.attempts, INTERRUPTED)
                    report.failed += 1
                continue
            claim = {
                "status": OutboxStatus.SENDING,
                "claim": secrets.token_hex(16),
                "attempts": row.attempts + 1,
                "next_attempt_at": lease_ends,
            }
            if interrupted:
                claim["last_error"] = INTERRUPTED
                logger.warning("e-mail %s to %s: %s", row.pk, row.to, INTERRUPTED)
            if unchanged.update(**claim) == 1:
                for name, value in claim.items():
                    setattr(row, name, value)
                return row


def _message(row: OutboxEmail, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to],
        headers=dict(row.headers or {}),
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    return message


def _mine(row: OutboxEmail):
    """The row while this worker's claim holds it: every update after the claim goes through this."""
    return OutboxEmail.objects.filter(pk=row.pk, status=OutboxStatus.SENDING, claim=row.claim)


def _failed_fields(row: OutboxEmail, error: str, now: dt.datetime) -> dict:
    failed = {"status": OutboxStatus.FAILED, "claim": "", "last_error": error[:2000], "next_attempt_at": now}
    if row.category in REDACT_AFTER_SENDING:  # a link that was never delivered must not stay readable
        failed.update(
            body_text=_("[Removed: this message held a single-use link and could not be delivered.]"), body_html=""
        )
    return failed


def _log_failed(row: OutboxEmail, attempts: int, error: str) -> None:
    logger.error("e-mail %s to %s failed for good after %s attempts: %s", row.pk, row.to, attempts, error)


def _record_failure(row: OutboxEmail, error: str, now: dt.datetime, report: DeliveryReport) -> None:
    """A claimed row was not sent: queue it again after its backoff, or fail it after the last attempt."""
    if row.attempts >= max_attempts():
        if _mine(row).update(**_failed_fields(row, error, now)):
            report.failed += 1
            _log_failed(row, row.attempts, error)
        return
    if _mine(row).update(
        status=OutboxStatus.QUEUED, claim="", last_error=error[:2000], next_attempt_at=now + backoff(row.attempts)
    ):
        report.retried += 1
        logger.warning("e-mail %s to %s not sent (attempt %s), will retry: %s", row.pk, row.to, row.attempts, error)


def _mark_sent(row: OutboxEmail, report: DeliveryReport) -> None:
    note = INTERRUPTED if row.last_error == INTERRUPTED else ""
    sent = {"status": OutboxStatus.SENT, "sent_at": timezone.now(), "claim": "", "last_error": note}
    if row.category in REDACT_AFTER_SENDING:  # single-use links must not outlive delivery in clear
        sent.update(body_text=_("[Removed after delivery: this message held a single-use link.]"), body_html="")
    report.sent += 1
    if not _mine(row).update(**sent):  # the lease ended during the send and another worker took the row
        logger.error("e-mail %s to %s was sent after its lease ended: it may go out twice", row.pk, row.to)


def outbox_deliver_due(*, now: dt.datetime | None = None, limit: int = BATCH) -> DeliveryReport:
    """Send up to `limit` due e-mail over one connection, claiming each right before it is sent.

    `now` decides what is due and anchors the backoff; leases run from the moment of each claim (`now` plus
    the time this sweep has taken), so a long sweep over a slow relay never sends on an ended lease."""
    now = now or timezone.now()
    started = time.monotonic()
    report = DeliveryReport()
    connection = None
    try:
        for turn in range(limit):
            lease_ends = now + dt.timedelta(seconds=time.monotonic() - started) + lease()
            row = _claim_next(now=now, lease_ends=lease_ends, report=report)
            if row is None:
                break
            try:
                if connection is None:
                    connection = get_connection(fail_silently=False, timeout=email_timeout())
                    connection.open()
                message = _message(row, connection)
            except OSError as exc:  # cannot connect, TLS or authentication refused (SMTPException is an OSError)
                lost: OSError | None = exc
            except (ValueError, TypeError) as exc:  # a message that cannot be built: this row only
                _record_failure(row, f"{type(exc).__name__}: {exc}", now, report)
                continue
            else:
                lost = None
                try:
                    message.send()
                except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as exc:
                    lost = exc
                except (smtplib.SMTPException, ValueError) as exc:  # refused recipient or bad message: this row only
                    _record_failure(row, f"{type(exc).__name__}: {exc}", now, report)
                    continue
                except OSError as exc:  # socket errors (SMTPException is an OSError too, hence the order)
                    lost = exc
                else:
                    _mark_sent(row, report)
                    continue
            # No connection: this row and the rest that is due each count an attempt and wait their backoff.
            error = f"{type(lost).__name__}: {lost}"
            _record_failure(row, error, now, report)
            _fail_due(now=now, error=error, limit=limit - turn - 1, report=report)
            break
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: S110 - closing a broken connection may fail again; nothing to do
                pass
    return report


def _fail_due(*, now: dt.datetime, error: str, limit: int, report: DeliveryReport) -> None:
    """During an outage, claim what else is due and count the failed attempt on each, as if it had been tried."""
    for _turn in range(limit):
        row = _claim_next(now=now, lease_ends=now + lease(), report=report)
        if row is None:
            return
        _record_failure(row, error, now, report)


def outbox_retry(*, row: OutboxEmail) -> None:
    """Put a failed e-mail back in the queue (operators, after fixing the cause)."""
    OutboxEmail.objects.filter(pk=row.pk, status=OutboxStatus.FAILED).update(
        status=OutboxStatus.QUEUED, attempts=0, claim="", next_attempt_at=timezone.now()
    )


def keep_days() -> int:
    return int(getattr(settings, "NOTIFICATIONS_OUTBOX_KEEP_DAYS", 30))


def outbox_purge(*, now: dt.datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Delete sent and failed e-mail older than NOTIFICATIONS_OUTBOX_KEEP_DAYS: their bodies may quote posts, and
    the copy in the outbox is no longer needed. Queued rows are kept. Deletes `batch` rows per transaction, so
    that a large backlog never holds one long transaction."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days())
    old = OutboxEmail.objects.filter(
        Q(status=OutboxStatus.SENT, sent_at__lt=cutoff) | Q(status=OutboxStatus.FAILED, created_at__lt=cutoff)
    )
    deleted = 0
    while True:
        pks = list(old.order_by("pk").values_list("pk", flat=True)[:batch])
        if not pks:
            return deleted
        with transaction.atomic():
            count, _by_model = old.filter(pk__in=pks).delete()  # an operator may have queued one again meanwhile
        deleted += count
        if len(pks) < batch:
            return deleted
