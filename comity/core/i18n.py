"""Language helpers: CLDR data through babel for names, dates and numbers."""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from django.conf import settings
from django.utils import timezone, translation

from comity.core.timeutil import get_zone

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


def territory_name(alpha2: str, language: str | None = None) -> str:
    return babel_locale(language).territories.get(alpha2.upper(), alpha2.upper())


def current_zone():
    return timezone.get_current_timezone()


def format_dt(value: dt.datetime | None, fmt: str = "medium", zone_name: str | None = None) -> str:
    """A datetime in the viewer's zone (or `zone_name`), with the zone named."""
    if value is None:
        return ""
    zone = get_zone(zone_name) if zone_name else current_zone()
    text = format_datetime(value, format=fmt, tzinfo=zone, locale=babel_locale())
    return f"{text} ({zone.key})"


def format_local_time(value: dt.datetime, zone_name: str) -> str:
    zone = get_zone(zone_name)
    return format_time(value, format="short", tzinfo=zone, locale=babel_locale())


def format_day(value: dt.date | None) -> str:
    if value is None:
        return ""
    return format_date(value, format="medium", locale=babel_locale())


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
