"""Language helpers: CLDR data through babel for names, dates and numbers."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from babel import Locale
from babel.dates import format_skeleton, format_time, get_timezone_location
from babel.lists import format_list as babel_format_list
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from comity.core.timeutil import get_zone, is_valid_timezone

UI_LANGUAGES = [code for code, _name in settings.LANGUAGES]


def babel_locale(language: str | None = None) -> Locale:
    """The CLDR locale of `language`, or of the language active now (resolved on every call)."""
    return _parse_locale(language or translation.get_language() or settings.LANGUAGE_CODE)


@lru_cache(maxsize=32)
def _parse_locale(code: str) -> Locale:
    return Locale.parse(translation.to_locale(code))


def language_name(code: str, language: str | None = None) -> str:
    """The name of a language (ISO 639-1 or a UI language code) in the viewer's language."""
    loc = babel_locale(language)
    parsed = translation.to_locale(code)
    return loc.languages.get(parsed) or loc.languages.get(code.split("-")[0]) or code


def native_language_name(code: str) -> str:
    return babel_locale(code).languages.get(translation.to_locale(code).split("_")[0], code)


_territory_names: Callable[[str, str], str] | None = None


def register_territory_names(function: Callable[[str, str], str]) -> None:
    """Set at start-up by the reference app: country names in UN terminology (core cannot import it)."""
    global _territory_names
    _territory_names = function


def territory_name(alpha2: str, language: str | None = None) -> str:
    """A country's name in the viewer's (or the given) language: UN terminology once the reference app registered
    its names, CLDR otherwise."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if _territory_names is not None:
        return _territory_names(alpha2, language)
    return cldr_territory_name(alpha2, language)


def cldr_territory_name(alpha2: str, language: str | None = None) -> str:
    return babel_locale(language).territories.get(alpha2.upper(), alpha2.upper())


def current_zone():
    return timezone.get_current_timezone()


# One style for every date on every page, in every language: the month by its name (or, in Chinese, the year,
# month and day written out), never an all-numeric date such as 12/6/26 that reads differently across countries.
DATE_SKELETON = "yMMMd"


def format_dt(value: dt.datetime | None, fmt: str = "medium", zone_name: str | None = None) -> str:
    """A datetime in the viewer's zone (or `zone_name`), with the zone named by city and UTC offset:
    "Jun 12, 2026, 09:00 (São Paulo, UTC−03:00)".

    `fmt` is kept for the templates that name a width ("short", "medium"): every width gives the same unambiguous
    style, so that a date reads the same on every page.
    """
    if value is None:
        return ""
    zone = get_zone(zone_name) if zone_name else current_zone()
    return f"{date_time_text(value, zone)} ({zone_label(zone.key, value)})"


def date_time_text(value: dt.datetime, zone: dt.tzinfo) -> str:
    """The date (month by name) and the time (hours and minutes) in `zone`, joined the locale's way, no zone."""
    locale = babel_locale()
    local = value.astimezone(zone)
    day = format_skeleton(DATE_SKELETON, local, locale=locale)
    time = format_time(local, format="short", locale=locale)
    pattern = str(locale.datetime_formats.get("medium", "{1}, {0}"))
    return pattern.replace("{1}", day).replace("{0}", time).replace("'", "")


def format_local_time(value: dt.datetime, zone_name: str) -> str:
    zone = get_zone(zone_name)
    return format_time(value, format="short", tzinfo=zone, locale=babel_locale())


def format_day(value: dt.date | None) -> str:
    """A date with the month by name ("Jun 12, 2026", "12 juin 2026", "12 يونيو 2026", "2026年6月12日")."""
    if value is None:
        return ""
    return format_skeleton(DATE_SKELETON, value, locale=babel_locale())


UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu", "GMT"})


def utc_offset_text(offset: dt.timedelta | None) -> str:
    """ "UTC−03:00", "UTC+05:30", "UTC+00:00" (with a true minus sign, as CLDR writes it)."""
    minutes = int((offset or dt.timedelta()).total_seconds() // 60)
    sign = "\u2212" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def zone_city(zone_name: str, language: str | None = None) -> str:
    """The zone's exemplar city in the viewer's language (CLDR): "São Paulo", "ساو باولو"; "" for UTC and the
    Etc/ zones, which have none."""
    if zone_name in UTC_NAMES or zone_name.startswith("Etc/") or "/" not in zone_name:
        return ""
    return get_timezone_location(get_zone(zone_name), locale=babel_locale(language), return_city=True)


def zone_label(zone_name: str | None, at: dt.datetime | None = None, language: str | None = None) -> str:
    """A time zone named by city and UTC offset at `at` (now by default): "São Paulo, UTC−03:00"; "UTC"."""
    zone = get_zone(zone_name)
    if zone.key in UTC_NAMES:
        return "UTC"
    moment = at or timezone.now()
    offset = utc_offset_text(moment.astimezone(zone).utcoffset())
    city = zone_city(zone.key, language)
    if not city:
        return offset
    separator = "\u060c " if (language or translation.get_language() or "").startswith("ar") else ", "
    return f"{city}{separator}{offset}"


def timezone_choices(current: str | None = None, language: str | None = None) -> list:
    """Choices for a time-zone <select>, grouped by country (UN names, in the viewer's language), each zone named
    by city and UTC offset now ("São Paulo, UTC−03:00"); UTC first. Only canonical zones: no legacy alias such as
    Etc/GMT+3. A `current` value outside them (an old alias a user chose before) is kept, in a last group, so that
    saving the form does not change it silently."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    now = timezone.now().replace(second=0, microsecond=0)
    return _timezone_choices(language, now.replace(minute=0), current or "")


@lru_cache(maxsize=32)
def _timezone_choices(language: str, hour: dt.datetime, current: str) -> list:
    from comity.core.timeutil import zones_by_country

    groups = []
    listed = {"UTC"}
    for country, zones in zones_by_country().items():
        options = [(zone, zone_label(zone, hour, language)) for zone in zones]
        options.sort(key=lambda option: collation_key(option[1]))
        listed.update(zones)
        groups.append((territory_name(country, language), options))
    groups.sort(key=lambda group: collation_key(group[0]))
    choices: list = [("UTC", "UTC"), *groups]
    if current and current not in listed and is_valid_timezone(current):
        choices.append((gettext("Other"), [(current, current)]))
    return choices


def same_time(value: dt.datetime | None, zone_name: str | None) -> bool:
    """Whether `value` reads the same in the viewer's zone and in `zone_name` (same offset at that moment), so that
    a sentence giving it in both can give it once."""
    if value is None:
        return True
    return value.astimezone(current_zone()).utcoffset() == value.astimezone(get_zone(zone_name)).utcoffset()


def format_list(items, style: str = "standard", language: str | None = None) -> str:
    """Items joined the way the viewer's language lists them (CLDR, babel): "A, B, and C", "A وB وC", "A、B和C"."""
    values = [str(item) for item in items if item is not None and str(item) != ""]
    if not values:
        return ""
    try:
        return babel_format_list(values, style=style, locale=babel_locale(language))
    except (KeyError, ValueError):  # a style the locale's CLDR data lacks
        return babel_format_list(values, style="standard", locale=babel_locale(language))


def collation_key(text: str) -> str:
    """A collation key that puts accented Latin letters with their base letter (É with E, Å with A).

    Without ICU this is an approximation: Chinese names sort by code point, not by pinyin or strokes."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def iso639_1_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Every ISO 639-1 language as (code, name in the viewer's language), sorted by name."""
    return list(_iso639_1_choices(language or translation.get_language() or settings.LANGUAGE_CODE))


@lru_cache(maxsize=1)
def _iso639_1_codes() -> frozenset[str]:
    import pycountry

    return frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


def is_language_code(code: object) -> bool:
    """True for a lower-case ISO 639-1 code ("pt"); the list is read once per process."""
    return isinstance(code, str) and code in _iso639_1_codes()


@lru_cache(maxsize=16)
def _iso639_1_choices(language: str) -> tuple[tuple[str, str], ...]:
    import pycountry

    named = [
        (lang.alpha_2, language_name(lang.alpha_2, language))
        for lang in pycountry.languages
        if hasattr(lang, "alpha_2")
    ]
    return tuple(sorted(named, key=lambda pair: collation_key(pair[1])))
