"""Background work of the requests app: reminders about requests left without acknowledgement or past their
deadline. Run periodically (`manage.py requests_reminders`, or the worker calling `send_due_reminders`).

A request is due for a reminder when it is not acknowledged after N business days of the requested authority
(`REQUESTS_ACK_BUSINESS_DAYS`, 10; urgent requests `REQUESTS_URGENT_ACK_BUSINESS_DAYS`, 2), or when it is open past
its stated deadline. Both sides are reminded, at most once per period of N business days. Each reminder is
claimed with one conditional UPDATE, so two workers never send the same one twice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comity.requests import auditing, selectors, services
from comity.requests.models import CLOSED_STATUSES, UNACKNOWLEDGED_STATUSES, Notice, Request, Side

BATCH = 500


def ack_days(urgent: bool) -> int:
    if urgent:
        return int(getattr(settings, "REQUESTS_URGENT_ACK_BUSINESS_DAYS", 2))
    return int(getattr(settings, "REQUESTS_ACK_BUSINESS_DAYS", 10))


def reminder_reason(request: Request, now: dt.datetime) -> str | None:
    """Why the request is due for a reminder now, or None."""
    if request.status in CLOSED_STATUSES:
        return None
    period = ack_days(request.urgent)
    since = request.reminded_at
    if since is not None and selectors.business_days_between(request.requested_authority, since, now) < period:
        return None
    if request.deadline and request.deadline < now.astimezone(request.requested_authority.zone).date():
        return "deadline"
    if request.status in UNACKNOWLEDGED_STATUSES:
        if selectors.business_days_between(request.requested_authority, request.sent_at, now) >= period:
            return "unacknowledged"
    return None


def send_due_reminders(now: dt.datetime | None = None) -> int:
    """Remind both sides of every request due for a reminder; returns how many requests were reminded."""
    now = now or timezone.now()
    sent = 0
    candidates = (
        Request.objects.exclude(status__in=CLOSED_STATUSES)
        .select_related(
            "requested_authority__country", "requesting_authority", "requesting_country", "requested_country"
        )
        .prefetch_related("requested_authority__office_hours", "requested_authority__closures")
        .order_by("pk")
    )
    for request in candidates.iterator(chunk_size=BATCH):
        reason = reminder_reason(request, now)
        if reason is None:
            continue
        with transaction.atomic():
            claimed = Request.objects.filter(pk=request.pk, reminded_at=request.reminded_at).update(
                reminded_at=now, reminders_sent=request.reminders_sent + 1
            )
            if not claimed:
                continue
            services.notify(request=request, kind=Notice.Kind.REMINDER, to_side=Side.REQUESTED, now=now)
            services.notify(request=request, kind=Notice.Kind.REMINDER, to_side=Side.REQUESTING, now=now)
            auditing.record(auditing.REMINDER_SENT, target=request, details={"reason": reason})
        sent += 1
    return sent
