"""Daily and weekly digests, sent at the recipient's local morning in the recipient's language.

`send_digests(now=...)` is run every few minutes (`manage.py send_digests`). A person is due when their local
time has passed the digest hour (07:00 by default; weekly digests on Mondays) within a catch-up window, and
they have not had that digest since this morning's digest hour. A digest covers the notifications of its mode
made before this morning's digest hour; later ones wait for the next morning. Each person's digest is its own
transaction; one that fails is rolled back, logged and left for the next run without stopping the others."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from comity.core.timeutil import get_zone
from comity.forum import permissions
from comity.mail import services as outbox
from comity.notifications import emails
from comity.notifications.models import DigestState, EmailMode, Notification

logger = logging.getLogger(__name__)
PERIODS = (EmailMode.DAILY, EmailMode.WEEKLY)


def digest_hour() -> int:
    return int(getattr(settings, "NOTIFICATIONS_DIGEST_HOUR", 7))


def catch_up_window() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "NOTIFICATIONS_DIGEST_WINDOW_HOURS", 6)))


@dataclass
class DigestReport:
    sent: dict[str, int] = field(default_factory=lambda: {EmailMode.DAILY: 0, EmailMode.WEEKLY: 0})
    failed: int = 0


def local_morning(user, now: dt.datetime) -> dt.datetime:
    """Today's digest hour in the user's zone (a wall-clock time, DST-aware)."""
    zone = get_zone(user.timezone)
    local = now.astimezone(zone)
    naive = dt.datetime.combine(local.date(), dt.time(digest_hour()))
    return naive.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone)


def digest_due(*, user, period: str, now: dt.datetime, state: DigestState | None) -> dt.datetime | None:
    """The cutoff (this morning's digest hour) if the user is due for this digest now, else None."""
    morning = local_morning(user, now)
    if now < morning or now - morning > catch_up_window():
        return None
    if period == EmailMode.WEEKLY and morning.weekday() != 0:
        return None
    last = None
    if state is not None:
        last = state.last_weekly_digest_at if period == EmailMode.WEEKLY else state.last_daily_digest_at
    if last is not None and last >= morning:
        return None
    return morning


def _groups(notes: list[Notification]):
    spaces: dict[int, tuple] = {}
    for note in notes:
        space = note.thread.space
        threads = spaces.setdefault(space.pk, (space, {}))[1]
        threads.setdefault(note.thread_id, (note.thread, []))[1].append(note)
    return [(space, list(threads.values())) for space, threads in spaces.values()]


def send_digests(*, now: dt.datetime | None = None) -> DigestReport:
    from comity.accounts.models import User

    now = now or timezone.now()
    report = DigestReport()
    for period in PERIODS:
        user_ids = set(
            Notification.objects.filter(email_mode=period, digested_at__isnull=True).values_list("user_id", flat=True)
        )
        users = User.objects.filter(pk__in=user_ids).order_by("pk")
        states = {s.user_id: s for s in DigestState.objects.filter(user_id__in=user_ids)}
        for user in users:
            cutoff = digest_due(user=user, period=period, now=now, state=states.get(user.pk))
            if cutoff is None:
                continue
            try:
                if digest_send(user=user, period=period, cutoff=cutoff, now=now):
                    report.sent[period] += 1
            except Exception:  # rolled back: this person's notifications wait for the next run
                logger.exception("the %s digest of user %s failed; the next run tries again", period, user.pk)
                report.failed += 1
    return report


def digest_send(*, user, period: str, cutoff: dt.datetime, now: dt.datetime) -> bool:
    """Queue one digest for a user (or just close out notifications they can no longer read)."""
    with transaction.atomic():
        pending = Notification.objects.select_for_update(of=("self",)).filter(
            user=user, email_mode=period, digested_at__isnull=True, created_at__lt=cutoff
        )
        notes = list(
            pending.select_related("thread__space", "post__author").order_by(
                "thread__space_id", "thread_id", "created_at"
            )
        )
        if not notes:
            return False
        readable = set(permissions.spaces_visible_to(user).values_list("pk", flat=True)) if user.is_active else set()
        shown = [n for n in notes if n.thread.space_id in readable]
        Notification.objects.filter(pk__in=[n.pk for n in notes]).update(digested_at=now)
        if not shown or not user.email:
            return False
        with translation.override(user.preferred_language or "en"):
            message = emails.digest_email(user=user, period=period, groups=_groups(shown), day=cutoff.date())
        outbox.outbox_enqueue(
            to=user.email,
            subject=message.subject,
            body_text=message.body_text,
            headers=message.headers,
            user=user,
            category="digest",
            now=now,
        )
        field_name = "last_weekly_digest_at" if period == EmailMode.WEEKLY else "last_daily_digest_at"
        DigestState.objects.update_or_create(user=user, defaults={field_name: now})
        outbox.schedule_delivery()
    return True
