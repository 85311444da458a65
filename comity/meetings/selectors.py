"""Reads of the meetings app, always starting from what the user may see."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from comity.core.timeutil import get_zone
from comity.meetings import permissions
from comity.meetings.models import (
    Event,
    EventStatus,
    FundingRequest,
    FundingStatus,
    Registration,
    RegistrationStatus,
)
from comity.meetings.permissions import MINE_STATUSES
from comity.reference import regions


def event_get_for(*, user, pk) -> Event:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    event = (
        permissions.events_visible_to(user)
        .select_related("network", "space", "thread", "created_by")
        .filter(pk=pk)
        .first()
    )
    if event is None:
        raise Http404
    return event


@dataclass
class EventFilters:
    when: str = "upcoming"  # upcoming | past
    network: int | None = None
    region: str = ""
    kind: str = ""
    language: str = ""


def event_list(*, user, filters: EventFilters, now: dt.datetime | None = None) -> QuerySet[Event]:
    now = now or timezone.now()
    qs = permissions.events_visible_to(user).select_related("network")
    if filters.when == "past":
        qs = qs.filter(end__lte=now).order_by("-start", "-pk")
    else:
        qs = qs.filter(end__gt=now).order_by("start", "pk")
    if filters.network:
        qs = qs.filter(Q(network_id=filters.network) | Q(audience_networks=filters.network)).distinct()
    if filters.region:
        qs = qs.filter(region_m49=filters.region)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.language:
        qs = qs.filter(Q(language=filters.language) | Q(languages__contains=f",{filters.language},"))
    return qs


def upcoming_events_for(*, user, limit: int = 5) -> list[Event]:
    """The user's next events that they may see and are registered or invited to, or organise (start page)."""
    if not permissions.is_member(user):
        return []
    mine = Q(organisers=user) | Q(
        pk__in=Registration.objects.filter(user=user, status__in=MINE_STATUSES).values("event_id")
    )
    ids = Event.objects.filter(mine).values("pk")
    return list(
        permissions.events_visible_to(user)
        .filter(pk__in=ids, status=EventStatus.SCHEDULED, end__gt=timezone.now())
        .order_by("start", "pk")[:limit]
    )


def feed_events_for(user) -> list[Event]:
    """The personal feed: events the user organises or is registered/invited to (cancelled ones too), from 90 days
    back; always within what they may see now."""
    if not permissions.is_member(user):
        return []
    since = timezone.now() - dt.timedelta(days=90)
    mine = Q(organisers=user) | Q(
        pk__in=Registration.objects.filter(user=user, status__in=MINE_STATUSES).values("event_id")
    )
    ids = Event.objects.filter(mine).values("pk")
    return list(
        permissions.events_visible_to(user)
        .filter(pk__in=ids, end__gte=since)
        .prefetch_related("sessions")
        .order_by("start", "pk")[:500]
    )


@dataclass
class MonthDay:
    date: dt.date
    in_month: bool
    events: list[Event] = field(default_factory=list)


def month_grid(*, user, year: int, month: int, zone_name: str) -> list[list[MonthDay]]:
    """Weeks (Monday first) of the month with the events that start on each day in the viewer's zone."""
    zone = get_zone(zone_name)
    first = dt.date(year, month, 1)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    start = dt.datetime.combine(weeks[0][0], dt.time(), tzinfo=zone)
    end = dt.datetime.combine(weeks[-1][-1] + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    by_day: dict[dt.date, list[Event]] = defaultdict(list)
    for event in permissions.events_visible_to(user).filter(start__lt=end, end__gt=start).order_by("start", "pk")[:300]:
        by_day[event.start.astimezone(zone).date()].append(event)
    return [[MonthDay(day, day.month == first.month, by_day.get(day, [])) for day in week] for week in weeks]


def participants(event: Event) -> QuerySet[Registration]:
    return (
        event.registrations.filter(status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING])
        .select_related("user", "user__country", "authority")
        .order_by("user__full_name", "pk")
    )


def waiting_list(event: Event) -> QuerySet[Registration]:
    return (
        event.registrations.filter(status=RegistrationStatus.WAITLISTED)
        .select_related("user")
        .order_by("waitlisted_at", "pk")
    )


def funding_requests(*, user, event: Event) -> QuerySet[FundingRequest]:
    return permissions.funding_requests_visible_to(user, event).select_related("user", "country", "decided_by")


@dataclass
class RegionLine:
    region: str
    name: str
    participants: int
    amount: Decimal


def funding_report(event: Event) -> list[RegionLine]:
    """Funded participants (approved or partly approved) by UN M49 region, with the amounts granted."""
    rows = (
        event.funding_requests.filter(status__in=[FundingStatus.APPROVED, FundingStatus.PARTLY])
        .values("country__region_m49")
        .annotate(amount=Sum("approved_amount"))
        .order_by("country__region_m49")
    )
    counts: dict[str, int] = defaultdict(int)
    for code in event.funding_requests.filter(status__in=[FundingStatus.APPROVED, FundingStatus.PARTLY]).values_list(
        "country__region_m49", flat=True
    ):
        counts[code] += 1
    return [
        RegionLine(
            region=row["country__region_m49"] or "",
            name=regions.area_name(row["country__region_m49"]) if row["country__region_m49"] else "—",
            participants=counts[row["country__region_m49"]],
            amount=row["amount"] or Decimal("0"),
        )
        for row in rows
    ]


def registration_for(*, user, pk) -> Registration:
    """A registration the user may act on: their own, or any of an event they manage; else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    registration = Registration.objects.select_related("event", "user").filter(pk=pk).first()
    if registration is None:
        raise Http404
    if registration.user_id == getattr(user, "pk", None) and permissions.is_member(user):
        return registration
    if permissions.can_manage(user, registration.event):
        return registration
    raise Http404


def funding_request_for(*, user, pk) -> FundingRequest:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    row = FundingRequest.objects.select_related("event", "user", "country").filter(pk=pk).first()
    if row is None or not permissions.funding_requests_visible_to(user, row.event).filter(pk=row.pk).exists():
        raise Http404
    return row
