"""Time helpers: aware datetimes only, zones by IANA name via zoneinfo."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import zoneinfo
from functools import lru_cache
from pathlib import Path

from django.utils import timezone


@lru_cache(maxsize=1)
def all_timezones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones() - {"Factory", "localtime"}))


@lru_cache(maxsize=1)
def zones_by_country() -> dict[str, tuple[str, ...]]:
    """The canonical zones of each country (ISO alpha-2), from the tz database's zone.tab: no legacy alias
    (US/Eastern, Asia/Calcutta) and no Etc/ zone such as Etc/GMT+3. Zones zoneinfo does not know are left out."""
    text = ""
    try:
        text = importlib.resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        for directory in zoneinfo.TZPATH:
            path = Path(directory) / "zone.tab"
            if path.exists():
                text = path.read_text(encoding="utf-8")
                break
    known = set(all_timezones())
    zones: dict[str, list[str]] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if line and not line.startswith("#") and len(parts) >= 3 and parts[2] in known:
            zones.setdefault(parts[0], []).append(parts[2])
    return {country: tuple(names) for country, names in zones.items()}


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
