"""Background work of the meetings app: reminders at each participant's local morning, through the outbox.

`send_due_reminders(now=None) -> int` is idempotent and safe to run from several processes at once: each
registration's reminder is claimed with one conditional UPDATE before its e-mail is queued. Run it every 15 to 60
minutes (the periodic worker or cron: `manage.py meetings_reminders`).

Rule: a confirmed participant gets one reminder for an event that starts within the next 36 hours, sent once their
own local time (their profile's zone) is between 08:00 and 12:00; an event that starts before the participant's
next morning is reminded at once (better late than never), as long as it has not started.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comity.core.timeutil import get_zone, is_valid_timezone
from comity.meetings import services
from comity.meetings.models import EventStatus, Registration, RegistrationStatus

logger = logging.getLogger(__name__)

WINDOW = dt.timedelta(hours=36)
MORNING_START, MORNING_END = dt.time(8, 0), dt.time(12, 0)
BATCH = 500


def _is_morning(now: dt.datetime, zone_name: str) -> bool:
    local = now.astimezone(get_zone(zone_name if is_valid_timezone(zone_name) else "UTC")).time()
    return MORNING_START <= local < MORNING_END


def _next_morning(now: dt.datetime, zone_name: str) -> dt.datetime:
    zone = get_zone(zone_name if is_valid_timezone(zone_name) else "UTC")
    local = now.astimezone(zone)
    day = local.date() if local.time() < MORNING_START else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, MORNING_START, tzinfo=zone)


def _due(registration: Registration, now: dt.datetime) -> bool:
    zone = registration.user.timezone
    if _is_morning(now, zone):
        return True
    return registration.event.start <= _next_morning(now, zone)


def send_due_reminders(now: dt.datetime | None = None) -> int:
    """Queue the reminders that are due; return how many were queued."""
    now = now or timezone.now()
    candidates = (
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            reminder_sent_at__isnull=True,
            user__is_active=True,
            event__status=EventStatus.SCHEDULED,
            event__start__gt=now,
            event__start__lte=now + WINDOW,
        )
        .select_related("user", "event")
        .order_by("pk")[:BATCH]
    )
    sent = 0
    for registration in candidates:
        if not _due(registration, now):
            continue
        with transaction.atomic():
            claimed = Registration.objects.filter(pk=registration.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue
            user, event = registration.user, registration.event
            with translation.override(user.preferred_language or "en"):
                subject = _("Reminder: %(title)s") % {"title": event.title}
                services.mail_to(user=user, subject=subject, body=subject + "\n\n" + services.event_lines(event, user))
        sent += 1
    if sent:
        logger.info("meetings: %s reminders queued", sent)
    return sent
