"""Reminders about unanswered questions, counted in the ADDRESSEE's business days.

A day is a business day of the addressed country when its central authority (competence mla_central, else
any active authority of the country) has office hours on that weekday and the day is neither a public holiday
(the `holidays` package, with the authority's subdivision) nor one of its closures. Without any authority
on record, Monday to Friday minus the country's public holidays count.

A question still open N business days after it was asked (N = FORUM_QUESTION_REMINDER_BUSINESS_DAYS, 3 by
default; due at the same local time of day as it was asked) reminds the country's contact points (level 1);
after another N business days, the country's national coordinators (level 2). A country that has answered
(someone from it posted in the thread) is not reminded. Each (thread, country, level) is sent once, in its own
transaction; one that fails is logged and left for the next run without stopping the others.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.directory.availability import Interval, Schedule, holiday_name, schedule_for
from comity.forum.models import NotifyLevel, Post, Thread, ThreadSubscription
from comity.mail import services as outbox
from comity.notifications import services
from comity.notifications.models import (
    EmailMode,
    Notification,
    NotificationKind,
    NotificationPreference,
    QuestionReminder,
)

logger = logging.getLogger(__name__)
SEARCH_DAYS = 400
DEFAULT_WEEK = tuple(Interval(day, dt.time(9), dt.time(17)) for day in range(5))


def business_days_setting() -> int:
    return int(getattr(settings, "FORUM_QUESTION_REMINDER_BUSINESS_DAYS", 3))


def country_schedule(country) -> Schedule:
    """The schedule of the country's central authority (mla_central first), else a Monday-Friday week."""
    from comity.directory.models import Authority

    authorities = list(
        Authority.objects.filter(country=country, is_active=True)
        .select_related("country")
        .prefetch_related("office_hours", "closures", "competences")
        .order_by("pk")
    )
    central = [a for a in authorities if any(c.code == "mla_central" for c in a.competences.all())]
    chosen = (central or authorities or [None])[0]
    if chosen is None:
        return Schedule(timezone=country.primary_timezone or "UTC", intervals=DEFAULT_WEEK, country=country.iso2)
    return schedule_for(chosen)


def is_business_day(schedule: Schedule, day: dt.date) -> bool:
    if any(c.start <= day <= c.end for c in schedule.closures):
        return False
    if holiday_name(schedule.country, schedule.subdivision, day) is not None:
        return False
    weekdays = {i.weekday for i in schedule.intervals} if schedule.intervals else set(range(5))
    return day.weekday() in weekdays


def add_business_days(schedule: Schedule, start: dt.date, count: int) -> dt.date:
    """The date `count` business days after `start` (start itself does not count)."""
    day, counted = start, 0
    for _step in range(SEARCH_DAYS):
        if counted >= count:
            return day
        day += dt.timedelta(days=1)
        if is_business_day(schedule, day):
            counted += 1
    return day


def due_at(schedule: Schedule, asked_at: dt.datetime, business_days: int) -> dt.datetime:
    """The instant `business_days` of the addressee after `asked_at`, at the same local time of day."""
    from comity.core.timeutil import get_zone

    zone = get_zone(schedule.timezone)
    local = asked_at.astimezone(zone)
    day = add_business_days(schedule, local.date(), business_days)
    naive = dt.datetime.combine(day, local.time().replace(tzinfo=None))
    return naive.replace(tzinfo=zone).astimezone(dt.UTC)


def _recipients(thread: Thread, country, level: int):
    from comity.accounts.models import Role, User

    if level == 1:
        people = services.contact_points([country.pk])
    else:
        people = User.objects.filter(role=Role.COORDINATOR, is_active=True, coordinated_countries=country)
    people = list(people.exclude(pk=thread.author_id).select_related("country").distinct().order_by("pk"))
    if not people:
        return []
    ids = [p.pk for p in people]
    thread_levels = dict(
        ThreadSubscription.objects.filter(thread=thread, user_id__in=ids).values_list("user_id", "level")
    )
    space_levels = services.space_levels_of(space_id=thread.space_id, user_ids=ids)
    out = []
    for person in people:
        level_now = services.effective_level(
            thread_level=thread_levels.get(person.pk), space_level=space_levels.get(person.pk)
        )
        if level_now == NotifyLevel.MUTED or not services.can_read_space(person, thread.space_id):
            continue
        out.append(person)
    return out


def _answered_by(thread: Thread, country) -> bool:
    return (
        Post.objects.filter(thread=thread, author__country=country, is_hidden=False)
        .exclude(author_id=thread.author_id)
        .exists()
    )


def send_question_reminders(
    *, now: dt.datetime | None = None, failures: list[tuple[int, int, int]] | None = None
) -> list[QuestionReminder]:
    """Send every reminder that is due at `now`; returns the reminders sent. Each (thread id, country id,
    level) whose reminder failed is appended to `failures`."""
    now = now or timezone.now()
    days = business_days_setting()
    threads = (
        Thread.objects.filter(kind=Thread.Kind.QUESTION, status=Thread.Status.OPEN, space__is_archived=False)
        .select_related("space")
        .prefetch_related("addressed_countries")
        .order_by("pk")
    )
    done = set(QuestionReminder.objects.filter(thread__in=threads).values_list("thread_id", "country_id", "level"))
    schedules: dict[int, Schedule] = {}
    sent: list[QuestionReminder] = []
    for thread in threads:
        for country in thread.addressed_countries.all():
            levels = [lvl for lvl in (1, 2) if (thread.pk, country.pk, lvl) not in done]
            if not levels:
                continue
            schedule = schedules.get(country.pk) or schedules.setdefault(country.pk, country_schedule(country))
            for level in levels:
                due = due_at(schedule, thread.created_at, days * level)
                if now < due or _answered_by(thread, country):
                    continue
                try:
                    reminder = _send(thread=thread, country=country, level=level, due=due, now=now, days=days * level)
                except Exception:  # rolled back: the next run tries again
                    logger.exception("reminder %s/%s/%s failed; the next run tries again", thread.pk, country.pk, level)
                    if failures is not None:
                        failures.append((thread.pk, country.pk, level))
                    break  # a later level never goes out before an earlier one
                if reminder is not None:
                    sent.append(reminder)
    return sent


def _send(*, thread: Thread, country, level: int, due: dt.datetime, now: dt.datetime, days: int):
    try:
        with transaction.atomic():
            reminder = QuestionReminder.objects.create(
                thread=thread, country=country, level=level, due_at=due, sent_at=now
            )
            people = _recipients(thread, country, level)
            prefs = list(NotificationPreference.objects.filter(user__in=people))
            emailed = 0
            for person in people:
                mode = services.email_mode_for(user_id=person.pk, thread=thread, prefs=prefs)
                # A reminder is time-critical: it is e-mailed at once unless the person wants no e-mail at all.
                mode = EmailMode.NONE if mode == EmailMode.NONE or not person.email else EmailMode.IMMEDIATE
                note = Notification.objects.create(
                    user=person,
                    kind=NotificationKind.QUESTION_REMINDER,
                    thread=thread,
                    country_code=country.iso2,
                    email_mode=mode,
                    created_at=now,
                )
                if mode == EmailMode.IMMEDIATE:
                    services.queue_notification_email(
                        user=person, notification=note, thread=thread, space=thread.space, business_days=days, now=now
                    )
                    emailed += 1
            services.unread_bump(user_ids=[p.pk for p in people])
            reminder.recipients = [p.pk for p in people]
            reminder.save(update_fields=["recipients"])
            Thread.objects.filter(pk=thread.pk, reminder_level__lt=level).update(reminder_level=level)
            audit_log(
                action=AuditAction.QUESTION_REMINDER_SENT,
                target=thread,
                country=country.iso2,
                details={
                    "level": level,
                    "business_days": days,
                    "due_at": due,
                    "recipients": reminder.recipients,
                    "emailed": emailed,
                },
            )
            if emailed:
                outbox.schedule_delivery()
    except IntegrityError:  # another run sent it a moment ago
        return None
    return reminder
