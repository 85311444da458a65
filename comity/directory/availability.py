"""Is an authority open now, and when does it next open? Local wall-clock schedules, zoneinfo, holidays.

Pure functions over a `Schedule` so that lists can compute availability for many rows without queries.
A schedule past midnight is two intervals (Fri 22:00-24:00 and Sat 00:00-02:00); they join seamlessly.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from comity.core.timeutil import get_zone, is_valid_timezone

MIDNIGHT = dt.time(0, 0)
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
SEARCH_DAYS = 400


@dataclass(frozen=True)
class Interval:
    weekday: int
    opens: dt.time
    closes: dt.time | None  # None means 24:00

    def contains(self, moment: dt.time) -> bool:
        return self.opens <= moment and (self.closes is None or moment < self.closes)

    def as_dict(self) -> dict:
        return {
            "weekday": self.weekday,
            "opens": self.opens.strftime("%H:%M"),
            "closes": self.closes.strftime("%H:%M") if self.closes else "24:00",
        }


@dataclass(frozen=True)
class ClosurePeriod:
    start: dt.date
    end: dt.date
    reason: str = ""


@dataclass(frozen=True)
class Schedule:
    timezone: str
    intervals: tuple[Interval, ...] = ()
    country: str = ""
    subdivision: str = ""
    closures: tuple[ClosurePeriod, ...] = ()
    always: bool = False


@dataclass
class Availability:
    status: str  # "open", "closed", "holiday", "closure", "always"
    is_open: bool
    local_time: dt.datetime
    timezone: str
    holiday: str | None = None
    closure_reason: str | None = None
    next_open: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    extra: dict = field(default_factory=dict)

    def as_api(self) -> dict:
        return {
            "open": self.is_open,
            "status": self.status,
            "local_time": self.local_time.isoformat(timespec="seconds"),
            "timezone": self.timezone,
            "holiday": self.holiday,
            "next_open": self.next_open.isoformat(timespec="seconds") if self.next_open else None,
        }


# --- holidays --------------------------------------------------------------------------------------


def holiday_subdivisions(country_code: str) -> tuple[str, ...]:
    """The codes of a country's subdivisions with their own public holidays (empty when it has none)."""
    try:
        return tuple(holidays.country_holidays(country_code.upper()).subdivisions)
    except (NotImplementedError, KeyError, AttributeError):
        return ()


@lru_cache(maxsize=4096)
def _holiday_language(country: str, language: str | None) -> str | None:
    if not language:
        return None
    try:
        supported = holidays.country_holidays(country).supported_languages
    except (NotImplementedError, KeyError, AttributeError):
        return None
    base = language.replace("-", "_").split("_")[0].lower()
    for candidate in supported:
        if candidate.lower() == language.replace("-", "_").lower() or candidate.lower() == base:
            return candidate
    for candidate in supported:
        if candidate.split("_")[0].lower() == base:
            return candidate
    return "en_US" if "en_US" in supported else None


def holiday_names_language(country: str, language: str | None) -> str:
    """The language (BCP 47, e.g. "pt-BR", "en-US") the holiday names of `country` are given in for a viewer of
    `language`: the viewer's own where `holidays` has it, else English, else the country's own language. A page
    says so when it is not the viewer's language."""
    chosen = _holiday_language(country.upper(), language)
    if chosen is None:
        try:
            chosen = holidays.country_holidays(country.upper()).default_language
        except (NotImplementedError, KeyError, AttributeError):
            chosen = None
    return (chosen or "en").replace("_", "-")


@lru_cache(maxsize=2048)
def _holiday_table(country: str, subdivision: str, year: int, language: str | None) -> dict[dt.date, str]:
    try:
        table = holidays.country_holidays(country, subdiv=subdivision or None, years=year, language=language)
    except (NotImplementedError, KeyError, ValueError):
        return {}
    return dict(table.items())


def holiday_name(country: str, subdivision: str, day: dt.date, language: str | None = None) -> str | None:
    if not country:
        return None
    return _holiday_table(
        country.upper(), subdivision or "", day.year, _holiday_language(country.upper(), language)
    ).get(day)


def holidays_between(
    country: str, subdivision: str, start: dt.date, end: dt.date, language: str | None = None
) -> list[tuple[dt.date, str]]:
    out: list[tuple[dt.date, str]] = []
    for year in range(start.year, end.year + 1):
        table = _holiday_table(country.upper(), subdivision or "", year, _holiday_language(country.upper(), language))
        out.extend((day, name) for day, name in table.items() if start <= day <= end)
    return sorted(out)


# --- availability ---------------------------------------------------------------------------------------


def _aware(day: dt.date, moment: dt.time, zone) -> dt.datetime:
    """A wall-clock time on a day in a zone; a time inside a DST gap moves to the first valid instant."""
    naive = dt.datetime.combine(day, moment)
    candidate = naive.replace(tzinfo=zone)
    round_trip = candidate.astimezone(dt.UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != naive:  # in a gap: take the instant the clocks jump to
        return round_trip
    return candidate


def _closure_on(schedule: Schedule, day: dt.date) -> ClosurePeriod | None:
    for closure in schedule.closures:
        if closure.start <= day <= closure.end:
            return closure
    return None


def _by_weekday(schedule: Schedule) -> dict[int, list[Interval]]:
    table: dict[int, list[Interval]] = {day: [] for day in range(7)}
    for interval in schedule.intervals:
        table[interval.weekday].append(interval)
    for intervals in table.values():
        intervals.sort(key=lambda i: i.opens)
    return table


def _working_day(schedule: Schedule, day: dt.date) -> bool:
    return _closure_on(schedule, day) is None and holiday_name(schedule.country, schedule.subdivision, day) is None


def _is_continuation_of_closed_day(schedule: Schedule, table, day: dt.date, interval: Interval) -> bool:
    """A 00:00 interval that continues a shift ending at 24:00 the day before belongs to that day: when the
    day before was a holiday or closure, there was no shift to continue."""
    if interval.opens != MIDNIGHT:
        return False
    previous = day - dt.timedelta(days=1)
    if not any(i.closes is None for i in table[previous.weekday()]):
        return False
    return not _working_day(schedule, previous)


def _interval_end(day: dt.date, interval: Interval, zone) -> dt.datetime:
    if interval.closes is None:
        return _aware(day + dt.timedelta(days=1), MIDNIGHT, zone)
    return _aware(day, interval.closes, zone)


def availability(schedule: Schedule, at: dt.datetime, language: str | None = None) -> Availability:
    if at.tzinfo is None:
        raise ValueError("availability needs an aware datetime")
    zone = get_zone(schedule.timezone)
    local = at.astimezone(zone)
    day = local.date()
    if schedule.always:
        return Availability("always", True, local, zone.key)
    closure = _closure_on(schedule, day)
    holiday = holiday_name(schedule.country, schedule.subdivision, day, language)
    table = _by_weekday(schedule)
    result: Availability
    if closure is not None:
        result = Availability("closure", False, local, zone.key, closure_reason=closure.reason or None)
    elif holiday is not None:
        result = Availability("holiday", False, local, zone.key, holiday=holiday)
    else:
        current = next(
            (
                i
                for i in table[day.weekday()]
                if i.contains(local.time().replace(tzinfo=None))
                and not _is_continuation_of_closed_day(schedule, table, day, i)
            ),
            None,
        )
        if current is not None:
            result = Availability("open", True, local, zone.key)
            result.closes_at = _closing_time(schedule, table, day, current, zone)
            return result
        result = Availability("closed", False, local, zone.key)
    result.next_open = next_opening(schedule, at, table=table)
    return result


def _closing_time(schedule, table, day, interval, zone) -> dt.datetime:
    """When an open period ends, following intervals that continue across midnight."""
    end = _interval_end(day, interval, zone)
    for _day in range(7):
        if interval.closes is not None:
            return end
        day = day + dt.timedelta(days=1)
        if not _working_day(schedule, day):
            return end
        following = next((i for i in table[day.weekday()] if i.opens == MIDNIGHT), None)
        if following is None:
            return end
        interval = following
        end = _interval_end(day, interval, zone)
    return end


def next_opening(schedule: Schedule, at: dt.datetime, table=None) -> dt.datetime | None:
    """The next instant after `at` when an interval starts on a working day, in the schedule's zone."""
    if schedule.always:
        return None
    if not schedule.intervals:
        return None
    zone = get_zone(schedule.timezone)
    table = table or _by_weekday(schedule)
    local = at.astimezone(zone)
    for offset in range(SEARCH_DAYS):
        day = local.date() + dt.timedelta(days=offset)
        if not _working_day(schedule, day):
            continue
        for interval in table[day.weekday()]:
            if _is_continuation_of_closed_day(schedule, table, day, interval):
                continue
            start = _aware(day, interval.opens, zone)
            if start > local:
                return start
    return None


# --- validation of office hours input ----------------------------------------------------------------------


def parse_time(value, *, allow_midnight_end: bool = False) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    text = str(value or "").strip()
    if allow_midnight_end and text == "24:00":
        return None
    match = _HHMM.match(text)
    if not match:
        raise ValueError(text)
    return dt.time(int(match.group(1)), int(match.group(2)))


def validate_office_hours(rows) -> list[Interval]:
    """Parse [{"weekday": 0, "opens": "09:00", "closes": "13:00"}, ...]; every error names the row."""
    if not isinstance(rows, list):
        raise ValidationError({"office_hours": [_("Office hours must be a list of intervals.")]})
    intervals: list[Interval] = []
    errors: list[str] = []
    for index, row in enumerate(rows):
        label = _("Interval %(number)s") % {"number": index + 1}
        if not isinstance(row, dict):
            errors.append(_("%(label)s: must be an object with weekday, opens and closes.") % {"label": label})
            continue
        weekday = row.get("weekday")
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            errors.append(
                _("%(label)s: weekday must be a whole number from 0 (Monday) to 6 (Sunday).") % {"label": label}
            )
            continue
        try:
            opens = parse_time(row.get("opens"))
            closes = parse_time(row.get("closes"), allow_midnight_end=True)
        except ValueError:
            errors.append(
                _("%(label)s: times must be written HH:MM (24-hour clock; closes may be 24:00).") % {"label": label}
            )
            continue
        if opens is None or (closes is not None and closes <= opens):
            errors.append(
                _(
                    "%(label)s: closes must be later than opens; split a shift past midnight into "
                    "two intervals (22:00-24:00 and 00:00-02:00 the next day)."
                )
                % {"label": label}
            )
            continue
        intervals.append(Interval(weekday, opens, closes))
    by_day = sorted(intervals, key=lambda i: (i.weekday, i.opens))
    for first, second in zip(by_day, by_day[1:], strict=False):
        if first.weekday == second.weekday and (first.closes is None or second.opens < first.closes):
            errors.append(
                _("Intervals overlap on weekday %(weekday)s: %(a)s and %(b)s.")
                % {
                    "weekday": first.weekday,
                    "a": f"{first.as_dict()['opens']}-{first.as_dict()['closes']}",
                    "b": f"{second.as_dict()['opens']}-{second.as_dict()['closes']}",
                }
            )
    if errors:
        raise ValidationError({"office_hours": errors})
    return by_day


def validate_timezone(name: str) -> str:
    if not is_valid_timezone(name or ""):
        raise ValidationError(
            {"timezone": [_("Unknown time zone %(name)s; use an IANA name such as Europe/Paris.") % {"name": name}]}
        )
    return name


def schedule_for(authority, *, intervals=None, closures=None) -> Schedule:
    """Build a Schedule from an Authority (using prefetched office_hours and closures when present)."""
    hours = intervals if intervals is not None else authority.office_hours.all()
    closure_rows = closures if closures is not None else authority.closures.all()
    return Schedule(
        timezone=authority.timezone,
        intervals=tuple(Interval(h.weekday, h.opens, h.closes) for h in hours),
        country=authority.country.iso2,
        subdivision=authority.holiday_subdivision,
        closures=tuple(ClosurePeriod(c.start_date, c.end_date, c.reason) for c in closure_rows),
        always=authority.always_available,
    )
