"""The secretariat's freshness dashboard: per country and per M49 region, how much of the directory was confirmed
within the window, and which records are overdue. A constant number of queries whatever the size of the directory.

Records are active authorities and the current contact points (no end date) of active authorities.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from comity.directory import selectors
from comity.directory.models import Authority, Contact
from comity.reference.models import Country
from comity.reference.regions import area_name, collation_key

OVERDUE_LIMIT = 500


@dataclass
class Freshness:
    records: int = 0
    confirmed: int = 0
    authorities: int = 0
    contacts: int = 0

    @property
    def overdue(self) -> int:
        return self.records - self.confirmed

    @property
    def share(self) -> float | None:
        """Confirmed within the window, as a fraction (None when there is nothing to count)."""
        return self.confirmed / self.records if self.records else None

    def add(self, other: Freshness) -> None:
        self.records += other.records
        self.confirmed += other.confirmed
        self.authorities += other.authorities
        self.contacts += other.contacts


@dataclass
class CountryRow:
    country: Country
    stats: Freshness


@dataclass
class RegionRow:
    code: str
    name: str
    stats: Freshness


@dataclass
class OverdueRecord:
    kind: str  # "authority" or "contact"
    pk: int
    name: str
    authority: Authority
    last_confirmed_at: dt.datetime
    overdue_days: int
    reminder_level: int


@dataclass
class Dashboard:
    countries: list[CountryRow]
    regions: list[RegionRow]
    total: Freshness
    overdue: list[OverdueRecord]
    overdue_limit: int
    window_days: int
    cutoff: dt.datetime


def _records(countries: frozenset[str] | None = None):
    """countries: ISO codes to count (a national coordinator's own); None counts every country."""
    authorities = Authority.objects.filter(is_active=True)
    contacts = Contact.objects.filter(end_date__isnull=True, authority__is_active=True)
    if countries is not None:
        authorities = authorities.filter(country__iso2__in=sorted(countries))
        contacts = contacts.filter(authority__country__iso2__in=sorted(countries))
    return authorities, contacts


def dashboard(
    *,
    now: dt.datetime | None = None,
    country: str = "",
    limit: int = OVERDUE_LIMIT,
    scope: frozenset[str] | None = None,
) -> Dashboard:
    """Counts aggregated in the database (two grouped queries), then the oldest overdue records (two queries).
    scope limits everything to those ISO codes (a national coordinator sees their own countries)."""
    now = now or timezone.now()
    window = selectors.confirmation_window()
    cutoff = now - window
    authorities, contacts = _records(scope)
    fresh = Q(last_confirmed_at__gte=cutoff)
    stats: dict[int, Freshness] = {}
    for row in authorities.values("country_id").annotate(total=Count("pk"), confirmed=Count("pk", filter=fresh)):
        stats[row["country_id"]] = Freshness(row["total"], row["confirmed"], authorities=row["total"])
    for row in contacts.values("authority__country_id").annotate(
        total=Count("pk"), confirmed=Count("pk", filter=fresh)
    ):
        item = stats.setdefault(row["authority__country_id"], Freshness())
        item.add(Freshness(row["total"], row["confirmed"], contacts=row["total"]))
    countries = [CountryRow(c, stats[c.pk]) for c in Country.objects.filter(pk__in=list(stats))]
    countries.sort(key=lambda row: collation_key(row.country.name))
    by_region: dict[str, Freshness] = {}
    total = Freshness()
    for row in countries:
        by_region.setdefault(row.country.region_m49, Freshness()).add(row.stats)
        total.add(row.stats)
    regions = [RegionRow(code, area_name(code) if code else "", item) for code, item in by_region.items()]
    regions.sort(key=lambda row: (not row.code, collation_key(row.name)))
    return Dashboard(
        countries, regions, total, _overdue(cutoff, now, window, country, limit, scope), limit, window.days, cutoff
    )


def _overdue(
    cutoff, now, window, country: str, limit: int, countries: frozenset[str] | None = None
) -> list[OverdueRecord]:
    authorities, contacts = _records(countries)
    authorities = authorities.filter(last_confirmed_at__lt=cutoff).select_related("country")
    contacts = contacts.filter(last_confirmed_at__lt=cutoff).select_related("authority", "authority__country")
    if country:
        authorities = authorities.filter(country__iso2=country)
        contacts = contacts.filter(authority__country__iso2=country)
    rows = [
        OverdueRecord(
            "authority",
            a.pk,
            a.official_name,
            a,
            a.last_confirmed_at,
            (now - a.last_confirmed_at - window).days,
            a.reminder_level,
        )
        for a in authorities.order_by("last_confirmed_at", "pk")[:limit]
    ]
    rows += [
        OverdueRecord(
            "contact",
            c.pk,
            c.name,
            c.authority,
            c.last_confirmed_at,
            (now - c.last_confirmed_at - window).days,
            c.reminder_level,
        )
        for c in contacts.order_by("last_confirmed_at", "pk")[:limit]
    ]
    rows.sort(key=lambda row: (row.last_confirmed_at, row.kind, row.pk))
    return rows[:limit]
