"""Reads of the requests app: drafts and requests as the user may see them, the registers, the secretariat's
counts, the statistics per pair of States and type, and business days of the requested authority."""

from __future__ import annotations

import datetime as dt
import statistics as stats
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from comity.core.permissions import get_visible_or_404
from comity.directory.availability import holiday_name, schedule_for
from comity.directory.models import Authority
from comity.reference.models import Country
from comity.requests import permissions
from comity.requests.models import Draft, Notice, Request, Status

MIN_FOR_STATISTICS = 5


def draft_list(*, user) -> QuerySet[Draft]:
    return permissions.drafts_visible_to(user).select_related(
        "requesting_authority", "requesting_authority__country", "requested_country", "author"
    )


def draft_get_for(*, user, pk) -> Draft:
    return get_visible_or_404(
        permissions.drafts_visible_to(user).select_related(
            "requesting_authority__country", "requested_country", "requested_authority", "author"
        ),
        pk=pk,
    )


def request_get_for(*, user, pk) -> Request:
    return get_visible_or_404(
        permissions.requests_visible_to(user).select_related(
            "draft",
            "requesting_authority",
            "requested_authority",
            "requesting_country",
            "requested_country",
            "space",
        ),
        pk=pk,
    )


def history_for(request: Request):
    return request.history.select_related("actor").order_by("created_at", "pk")


@dataclass
class RegisterFilters:
    direction: str = ""  # "incoming", "outgoing" or "" for both
    status: str = ""
    coop_type: str = ""
    country: str = ""  # the other State
    urgent: bool | None = None
    sent_from: dt.date | None = None
    sent_to: dt.date | None = None

    def as_dict(self) -> dict:
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items() if v not in ("", None)
        }


def register(*, user, filters: RegisterFilters) -> QuerySet[Request]:
    """The user's incoming and outgoing requests, filtered, newest first."""
    qs = permissions.requests_visible_to(user).select_related(
        "requesting_authority", "requested_authority", "requesting_country", "requested_country"
    )
    seats = permissions.authority_ids_of(user)
    codes = user.coordinated_country_codes() if permissions.may_write(user) else set()
    if filters.direction == "incoming":
        qs = qs.filter(requested_authority_id__in=seats) | qs.filter(requested_country__iso2__in=codes)
    elif filters.direction == "outgoing":
        qs = qs.filter(requesting_authority_id__in=seats) | qs.filter(requesting_country__iso2__in=codes)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.coop_type:
        qs = qs.filter(coop_type=filters.coop_type)
    if filters.country:
        code = filters.country.upper()
        qs = qs.filter(requesting_country__iso2=code) | qs.filter(requested_country__iso2=code)
    if filters.urgent is not None:
        qs = qs.filter(urgent=filters.urgent)
    if filters.sent_from:
        qs = qs.filter(sent_at__date__gte=filters.sent_from)
    if filters.sent_to:
        qs = qs.filter(sent_at__date__lte=filters.sent_to)
    return qs.order_by("-sent_at", "-pk")


def counts() -> list[dict]:
    """For the secretariat: how many requests per type and status, never which ones or what they say."""
    rows = Request.objects.values("coop_type", "status").annotate(n=Count("pk")).order_by("coop_type", "status")
    return list(rows)


def unread_notices(*, user) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user, read_at__isnull=True).select_related("request")


# --- statistics --------------------------------------------------------------------------------------------------


@dataclass
class PairStatistics:
    requesting: Country | None  # None: every requesting State together
    requested: Country
    coop_type: str
    requests: int
    median_days_to_acknowledge: float | None
    median_days_to_execute: float | None
    share_executed: float
    share_refused: float


def _days(start: dt.datetime, end: dt.datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 86400, 1)


def _summary(requesting, requested, coop_type, rows) -> PairStatistics:
    acknowledge = [d for d in (_days(r["sent_at"], r["acknowledged_at"]) for r in rows) if d is not None]
    execute = [
        d
        for d in (_days(r["sent_at"], r["closed_at"]) for r in rows if r["status"] == Status.EXECUTED)
        if d is not None
    ]
    total = len(rows)
    return PairStatistics(
        requesting=requesting,
        requested=requested,
        coop_type=coop_type,
        requests=total,
        median_days_to_acknowledge=stats.median(acknowledge) if acknowledge else None,
        median_days_to_execute=stats.median(execute) if execute else None,
        share_executed=round(sum(r["status"] == Status.EXECUTED for r in rows) / total, 3),
        share_refused=round(sum(r["status"] == Status.REFUSED for r in rows) / total, 3),
    )


def statistics_for(*, requested: Country, minimum: int = MIN_FOR_STATISTICS) -> list[PairStatistics]:
    """Per type: every requesting State together, then each pair, for requests to `requested`. A group with
    fewer than `minimum` requests is left out, so that no single case can be identified. Two queries."""
    rows: list[dict] = [
        dict(row)
        for row in Request.objects.filter(requested_country=requested).values(
            "requesting_country_id", "coop_type", "status", "sent_at", "acknowledged_at", "closed_at"
        )
    ]
    by_type: dict[str, list[dict]] = {}
    by_pair: dict[tuple[str, int], list[dict]] = {}
    for row in rows:
        by_type.setdefault(row["coop_type"], []).append(row)
        by_pair.setdefault((row["coop_type"], row["requesting_country_id"]), []).append(row)
    wanted = [key for key, group in by_pair.items() if len(group) >= minimum]
    countries = Country.objects.in_bulk([country_id for _type, country_id in wanted]) if wanted else {}
    out = []
    for coop_type in sorted(by_type):
        group = by_type[coop_type]
        if len(group) >= minimum:
            out.append(_summary(None, requested, coop_type, group))
        for key in sorted((k for k in wanted if k[0] == coop_type), key=lambda k: countries[k[1]].name_en):
            out.append(_summary(countries[key[1]], requested, coop_type, by_pair[key]))
    return out


# --- business days ---------------------------------------------------------------------------------------------------


def business_days_between(authority: Authority, start: dt.datetime, end: dt.datetime) -> int:
    """Whole business days of `authority` after `start` up to `end`, in its own time zone: days with office hours
    (Monday to Friday when none are recorded), not a public holiday of its country (and subdivision), not a closure.
    """
    schedule = schedule_for(authority)
    zone = authority.zone
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    weekdays = {interval.weekday for interval in schedule.intervals} or {0, 1, 2, 3, 4}
    if schedule.always:
        weekdays = {0, 1, 2, 3, 4}
    count = 0
    day = first + dt.timedelta(days=1)
    while day <= last:
        if (
            day.weekday() in weekdays
            and not holiday_name(schedule.country, schedule.subdivision, day)
            and not any(c.start <= day <= c.end for c in schedule.closures)
        ):
            count += 1
        day += dt.timedelta(days=1)
    return count
