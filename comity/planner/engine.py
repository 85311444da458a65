"""Slots that suit people in several time zones: office hours, public holidays and closures from the directory.

Pure functions over the directory's `Schedule` (zoneinfo wall-clock hours, the `holidays` package through
`directory.availability`), so the planner never re-implements a holiday or a DST rule. A slot puts each
participant in exactly one group: inside their office hours, outside them, or on a holiday or closure.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

from comity.core.timeutil import get_zone
from comity.directory.availability import Schedule, availability

MAX_SLOTS = 20
STEP = dt.timedelta(minutes=30)
INSIDE, OUTSIDE, HOLIDAY = "inside", "outside", "holiday"


@dataclass(frozen=True)
class Participant:
    """Someone to plan for: `key` is "authority:12" or "user:5"; the schedule says where and when they work."""

    key: str
    label: str
    schedule: Schedule


@dataclass
class Slot:
    start: dt.datetime
    end: dt.datetime
    inside_hours: list[str] = field(default_factory=list)
    outside_hours: list[str] = field(default_factory=list)
    on_holiday: list[str] = field(default_factory=list)
    local: dict[str, dt.datetime] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)  # key -> holiday name or closure reason

    def status_of(self, key: str) -> str:
        if key in self.on_holiday:
            return HOLIDAY
        return OUTSIDE if key in self.outside_hours else INSIDE

    def as_api(self) -> dict:
        return {
            "start": _iso_utc(self.start),
            "end": _iso_utc(self.end),
            "inside_hours": list(self.inside_hours),
            "outside_hours": list(self.outside_hours),
            "on_holiday": list(self.on_holiday),
            "local": {key: value.isoformat(timespec="seconds") for key, value in self.local.items()},
        }


def _iso_utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class _Calendar:
    """One participant's open periods and days away (holiday or closure) over the window, as UTC ranges, read
    from the directory's `availability` a few times per day rather than once per candidate slot."""

    always: bool
    open_periods: list[tuple[dt.datetime, dt.datetime]]
    away: list[tuple[dt.datetime, dt.datetime, str]]

    def status(self, start: dt.datetime, end: dt.datetime) -> tuple[str, str]:
        if self.always:
            return INSIDE, ""
        for away_start, away_end, reason in self.away:
            if away_start < end and start < away_end:
                return HOLIDAY, reason
        index = bisect.bisect_right(self.open_periods, (start, _FAR)) - 1
        if index >= 0 and self.open_periods[index][0] <= start and end <= self.open_periods[index][1]:
            return INSIDE, ""
        return OUTSIDE, ""


_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


def _calendar(schedule: Schedule, begin: dt.datetime, end: dt.datetime) -> _Calendar:
    if schedule.always:
        return _Calendar(True, [], [])
    zone = get_zone(schedule.timezone)
    away: list[tuple[dt.datetime, dt.datetime, str]] = []
    day = begin.astimezone(zone).date()
    while True:
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
        if midnight.astimezone(dt.UTC) >= end:
            break
        state = availability(schedule, dt.datetime.combine(day, dt.time(12), tzinfo=zone))
        if state.status in ("holiday", "closure"):
            following = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
            away.append(
                (
                    midnight.astimezone(dt.UTC),
                    following.astimezone(dt.UTC),
                    state.holiday or state.closure_reason or "",
                )
            )
        day += dt.timedelta(days=1)
    periods: list[tuple[dt.datetime, dt.datetime]] = []
    moment = begin
    while moment < end:
        state = availability(schedule, moment)
        if state.is_open and state.closes_at is not None:
            closes = state.closes_at.astimezone(dt.UTC)
            if closes <= moment:
                break
            if periods and periods[-1][1] == moment:  # back-to-back intervals make one period
                periods[-1] = (periods[-1][0], closes)
            else:
                periods.append((moment, closes))
            moment = closes
        elif state.next_open is not None and state.next_open.astimezone(dt.UTC) > moment:
            moment = state.next_open.astimezone(dt.UTC)
        else:
            break
    return _Calendar(False, periods, away)


def window_start(*, start_date: dt.date | None, zone_name: str, now: dt.datetime) -> dt.datetime:
    """Midnight of the start day in the organiser's zone, or the next half hour from now when no day is given."""
    if start_date is None:
        floor = now.astimezone(dt.UTC).replace(second=0, microsecond=0)
        extra = (-floor.minute) % 30
        return floor + dt.timedelta(minutes=extra)
    zone = get_zone(zone_name)
    return dt.datetime.combine(start_date, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def plan(
    participants: list[Participant],
    *,
    duration: dt.timedelta,
    begin: dt.datetime,
    days: int,
    limit: int = MAX_SLOTS,
) -> list[Slot]:
    """The best slots between `begin` and `begin + days`, best first, none overlapping another.

    Best: nobody on a holiday or closure (slots that keep someone away are offered only when no other slot
    exists), then the fewest participants outside their office hours, then the earliest."""
    end_of_window = begin + dt.timedelta(days=days)
    calendars = {p.key: _calendar(p.schedule, begin, end_of_window) for p in participants}
    candidates: list[Slot] = []
    moment = begin
    while moment + duration <= end_of_window:
        slot = Slot(start=moment, end=moment + duration)
        for participant in participants:
            status, reason = calendars[participant.key].status(slot.start, slot.end)
            {INSIDE: slot.inside_hours, OUTSIDE: slot.outside_hours, HOLIDAY: slot.on_holiday}[status].append(
                participant.key
            )
            if reason:
                slot.reasons[participant.key] = reason
            slot.local[participant.key] = slot.start.astimezone(get_zone(participant.schedule.timezone))
        candidates.append(slot)
        moment += STEP
    if any(not slot.on_holiday for slot in candidates):
        candidates = [slot for slot in candidates if not slot.on_holiday]
    candidates.sort(key=lambda s: (len(s.on_holiday), len(s.outside_hours), s.start))
    chosen: list[Slot] = []
    for slot in candidates:
        if any(slot.start < other.end and other.start < slot.end for other in chosen):
            continue
        chosen.append(slot)
        if len(chosen) >= limit:
            break
    return chosen
