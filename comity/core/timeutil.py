"""Time helpers: aware datetimes only, zones by IANA name via zoneinfo."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

from django.utils import timezone


@lru_cache(maxsize=1)
def all_timezones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones() - {"Factory", "localtime"}))


def is_valid_timezone(name: str) -> bool:
    return name in all_timezones()


def get_zone(name: str | None) -> zoneinfo.ZoneInfo:
    if name and is_valid_timezone(name):
        return zoneinfo.ZoneInfo(name)
    return zoneinfo.ZoneInfo("UTC")


def now() -> dt.datetime:
    return timezone.now()


def local(value: dt.datetime, zone_name: str | None) -> dt.datetime:
    if timezone.is_naive(value):
        raise ValueError("naive datetime")
    return value.astimezone(get_zone(zone_name))
