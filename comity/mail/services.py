"""The e-mail outbox: every e-mail is a row first, written in the transaction of the event that causes it.

Delivery happens after commit, in a django-tasks task (`tasks.deliver_outbox`, kicked once per transaction)
and in `manage.py outbox_worker`, which sweeps the table for due rows (retries, and anything a crash left
behind). A worker claims a row by pushing `next_attempt_at` forward with a compare-and-set update (a lease),
so two workers never send the same row. An SMTP error counts an attempt and backs off exponentially; an
outage delays mail but loses none. After the last attempt the row is marked failed and kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comity.mail.models import OutboxEmail, OutboxStatus

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)
BATCH = 100


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATIONS_OUTBOX_MAX_ATTEMPTS", 12))


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
    from comity.mail import tasks  # tasks import this module

    try:
        tasks.deliver_outbox.enqueue()
    except Exception:  # the worker sweeps the table anyway; a task backend problem must not lose mail
        logger.exception("could not enqueue outbox delivery; the outbox worker will send the mail")


def schedule_delivery() -> None:
    """Ask the task backend to deliver after this transaction commits (nothing happens on rollback)."""
    transaction.on_commit(_kick)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retried": self.retried, "failed": self.failed}


def _claim(row: OutboxEmail, now: dt.datetime) -> bool:
    claimed = OutboxEmail.objects.filter(
        pk=row.pk, status=OutboxStatus.QUEUED, next_attempt_at=row.next_attempt_at
    ).update(next_attempt_at=now + LEASE)
    return claimed == 1


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


def _record_failure(row: OutboxEmail, error: str, now: dt.datetime, report: DeliveryReport) -> None:
    attempts = row.attempts + 1
    if attempts >= max_attempts():
        failed = {
            "status": OutboxStatus.FAILED,
            "attempts": attempts,
            "last_error": error[:2000],
            "next_attempt_at": now,
        }
        if row.category in REDACT_AFTER_SENDING:  # a link that was never delivered must not stay readable
            failed.update(
                body_text=_("[Removed: this message held a single-use link and could not be delivered.]"), body_html=""
            )
        OutboxEmail.objects.filter(pk=row.pk).update(**failed)
        report.failed += 1
        logger.error("e-mail %s to %s failed for good after %s attempts: %s", row.pk, row.to, attempts, error)
    else:
        OutboxEmail.objects.filter(pk=row.pk).update(
            attempts=attempts, last_error=error[:2000], next_attempt_at=now + backoff(attempts)
        )
        report.retried += 1
        logger.warning("e-mail %s to %s not sent (attempt %s), will retry: %s", row.pk, row.to, attempts, error)


def outbox_deliver_due(*, now: dt.datetime | None = None, limit: int = BATCH) -> DeliveryReport:
    """Send every due queued e-mail over one connection; on a connection failure stop and retry later."""
    now = now or timezone.now()
    report = DeliveryReport()
    due = list(
        OutboxEmail.objects.filter(status=OutboxStatus.QUEUED, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "pk"
        )[:limit]
    )
    claimed = [row for row in due if _claim(row, now)]
    if not claimed:
        return report
    connection = get_connection(fail_silently=False, timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 30)
    remaining = list(claimed)
    try:
        connection.open()
        while remaining:
            row = remaining[0]
            try:
                _message(row, connection).send()
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as exc:
                raise _ConnectionLost(exc) from exc
            except (smtplib.SMTPException, ValueError) as exc:  # refused recipient or bad message: this row only
                _record_failure(row, f"{type(exc).__name__}: {exc}", now, report)
            except OSError as exc:  # socket errors (SMTPException is an OSError too, hence the order)
                raise _ConnectionLost(exc) from exc
            else:
                sent = {
                    "status": OutboxStatus.SENT,
                    "sent_at": timezone.now(),
                    "attempts": row.attempts + 1,
                    "last_error": "",
                }
                if row.category in REDACT_AFTER_SENDING:  # single-use links must not outlive delivery in clear
                    sent.update(
                        body_text=_("[Removed after delivery: this message held a single-use link.]"), body_html=""
                    )
                OutboxEmail.objects.filter(pk=row.pk).update(**sent)
                report.sent += 1
            remaining.pop(0)
    except (_ConnectionLost, OSError) as exc:  # could not connect, or lost the connection: retry the rest later
        cause = exc.__cause__ if isinstance(exc, _ConnectionLost) else exc
        for row in remaining:  # claimed but not sent: each counts an attempt and waits its backoff
            _record_failure(row, f"{type(cause).__name__}: {cause}", now, report)
    finally:
        try:
            connection.close()
        except Exception:  # noqa: S110 - closing a broken connection may fail again; nothing to do
            pass
    return report


class _ConnectionLost(Exception):
    pass


def outbox_retry(*, row: OutboxEmail) -> None:
    """Put a failed e-mail back in the queue (operators, after fixing the cause)."""
    OutboxEmail.objects.filter(pk=row.pk, status=OutboxStatus.FAILED).update(
        status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )


def keep_days() -> int:
    return int(getattr(settings, "NOTIFICATIONS_OUTBOX_KEEP_DAYS", 30))


def outbox_purge(*, now: dt.datetime | None = None) -> int:
    """Delete sent and failed e-mail older than NOTIFICATIONS_OUTBOX_KEEP_DAYS: their bodies may quote posts, and
    the copy in the outbox is no longer needed. Queued rows are kept."""
    from django.db.models import Q

    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days())
    deleted, _by_model = OutboxEmail.objects.filter(
        Q(status=OutboxStatus.SENT, sent_at__lt=cutoff) | Q(status=OutboxStatus.FAILED, created_at__lt=cutoff)
    ).delete()
    return deleted
