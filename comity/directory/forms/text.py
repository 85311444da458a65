"""Office hours, closures and code lists as the pages' text boxes hold them, one entry per line.

    Mon 09:00-13:00          one interval (English day abbreviations; the UI language's names work too)
    Mon-Fri 14:00-18:00      a range of days
    Sat 09:00-12:00, 13:00-15:00   several intervals on one line
    Fri 22:00-24:00 / Sat 00:00-02:00   a shift past midnight is two intervals

    2026-12-24 2026-12-31 Year-end closure   a closure (from, until inclusive, reason)
    2026-07-14 Staff training                a one-day closure

Only the shape of each line is checked here (naming the line); times, overlaps and dates are checked by the
services with `comity.directory.inputs`.
"""

from __future__ import annotations

import re

from babel.dates import get_day_names
from django import forms
from django.utils.translation import gettext

from comity.core.i18n import babel_locale

ENGLISH_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_TIME_RANGE = re.compile(r"(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})")
_DATE_LIKE = re.compile(r"^\d{1,4}-\d{1,2}-\d{1,2}$")
_CODE_SPLIT = re.compile(r"[\s,;]+")


def split_codes(text: str) -> list[str]:
    """'pt, en es' -> ['pt', 'en', 'es'] (lower-cased, order kept, duplicates dropped)."""
    seen: list[str] = []
    for code in _CODE_SPLIT.split(text or ""):
        code = code.strip().lower()
        if code and code not in seen:
            seen.append(code)
    return seen


def _day_lookup() -> dict[str, int]:
    """Day names the parser understands: English, and the UI language's abbreviated, short and wide names."""
    table: dict[str, int] = {}
    english = babel_locale("en")
    for locale in (english, babel_locale()):
        for width in ("wide", "abbreviated", "short"):
            for number, name in get_day_names(width, locale=locale).items():
                key = name.casefold().rstrip(".")
                table.setdefault(key, number)
    return table


def _parse_days(text: str, lookup: dict[str, int]) -> list[int] | None:
    days: list[int] = []
    for item in (part.strip() for part in text.split(",")):
        key = item.casefold().rstrip(".")
        if key in lookup:
            days.append(lookup[key])
            continue
        found = None
        for index, char in enumerate(item):  # a range "Mon-Fri"; names may themselves hold a hyphen
            if char in "-–":
                first = item[:index].strip().casefold().rstrip(".")
                last = item[index + 1 :].strip().casefold().rstrip(".")
                if first in lookup and last in lookup:
                    found = (lookup[first], lookup[last])
                    break
        if found is None:
            return None
        start, end = found
        day = start
        days.append(day)
        while day != end:
            day = (day + 1) % 7
            days.append(day)
    return days


def _pad(value: str) -> str:
    return value if len(value) == 5 else "0" + value


def parse_office_hours(text: str) -> list[dict]:
    """Lines of 'Mon-Fri 09:00-13:00, 14:00-18:00' -> [{"weekday": 0, "opens": "09:00", "closes": "13:00"}, ...]."""
    lookup = _day_lookup()
    rows: list[dict] = []
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = re.match(r"^(?P<days>.*?)\s+(?P<times>\d.*)$", line)
        days = _parse_days(match.group("days"), lookup) if match else None
        times = _TIME_RANGE.findall(match.group("times")) if match else []
        leftover = _TIME_RANGE.sub("", match.group("times")).strip(" ,;") if match else line
        if days is None or not times or leftover:
            errors.append(
                gettext("Line %(number)s: write a day (or a range such as Mon-Fri) and times such as 09:00-13:00.")
                % {"number": number}
            )
            continue
        for day in days:
            for opens, closes in times:
                rows.append({"weekday": day, "opens": _pad(opens), "closes": _pad(closes)})
    if errors:
        raise forms.ValidationError(errors)
    return rows


def format_office_hours(rows) -> str:
    """OfficeHours rows (or interval dicts) -> one interval per line, English day abbreviations."""
    lines = []
    for row in rows:
        if isinstance(row, dict):
            weekday, opens, closes = row["weekday"], row["opens"], row["closes"]
        else:
            weekday, opens, closes = row.weekday, row.opens.strftime("%H:%M"), row.closes_label
        lines.append(f"{ENGLISH_DAYS[weekday]} {opens}-{closes}")
    return "\n".join(lines)


def parse_closures(text: str) -> list[dict]:
    """Lines of 'YYYY-MM-DD [YYYY-MM-DD] reason' -> [{"start_date": ..., "end_date": ..., "reason": ...}]."""
    rows = []
    errors = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        parts = raw.strip().split(maxsplit=2)
        if not parts:
            continue
        if not _DATE_LIKE.match(parts[0]):
            errors.append(
                gettext(
                    "Line %(number)s: start with the first day closed, written YYYY-MM-DD, then "
                    "the last day and the reason."
                )
                % {"number": number}
            )
            continue
        start = parts[0]
        if len(parts) > 1 and _DATE_LIKE.match(parts[1]):
            end, reason = parts[1], " ".join(parts[2:])
        else:
            end, reason = start, " ".join(parts[1:])
        rows.append({"start_date": start, "end_date": end, "reason": reason})
    if errors:
        raise forms.ValidationError(errors)
    return rows


def format_closures(closures) -> str:
    return "\n".join(f"{c.start_date.isoformat()} {c.end_date.isoformat()} {c.reason}".rstrip() for c in closures)
