"""Locale-aware formatting that always names the active language explicitly.

`comity.core.i18n.babel_locale()` memoizes its result per call signature, so a call that leaves the language
implicit keeps answering in whichever language the process first served. Everything here passes the active
language explicitly, so each request gets its own language.
"""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.dates import format_time, get_timezone_location
from django.conf import settings
from django.utils import translation

from comity.core import i18n
from comity.core.timeutil import get_zone


def active_language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def active_locale() -> Locale:
    return i18n.babel_locale(active_language())


def day(value: dt.date) -> str:
    """A date in the one style of every page (`comity.core.i18n.format_day`)."""
    with translation.override(active_language()):
        return i18n.format_day(value)


def moment(value: dt.datetime) -> str:
    """A date and time in UTC, with the zone named, in the one style of every page."""
    with translation.override(active_language()):
        return i18n.format_dt(value, zone_name="UTC")


def local_time(value: dt.datetime, zone: str) -> str:
    return format_time(value, format="short", tzinfo=get_zone(zone), locale=active_locale())


def zone_city(zone: str) -> str:
    """The zone's exemplar city in the active language (CLDR), e.g. "São Paulo", "ساو باولو"."""
    return get_timezone_location(get_zone(zone), locale=active_locale(), return_city=True)
