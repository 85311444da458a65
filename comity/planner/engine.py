"""Slots that suit people in several time zones: office hours, public holidays and closures from the directory.

Pure functions over the directory's `Schedule` (zoneinfo wall-clock hours, the `holidays` package through
`directory.availability`), so the planner never re-implements a holiday or a DST rule. A slot puts each
participant in exactly one group: inside their office hours, outside them, or on a holiday or closure.
"""

from __future__ import annotations

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


def _status(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> tuple[str, str]:
    """Where one participant stands for the whole slot, and the holiday or closure that keeps them away."""
    if schedule.always:
        return INSIDE, ""
    last = end - dt.timedelta(minutes=1)
    for moment in (start, last):
        state = availability(schedule, moment)
        if state.status in ("holiday", "closure"):
            return HOLIDAY, state.holiday or state.closure_reason or ""
    first = availability(schedule, start)
    if first.is_open and first.closes_at is not None and first.closes_at >= end:
        return INSIDE, ""
    return OUTSIDE, ""


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
    candidates: list[Slot] = []
    moment = begin
    while moment + duration <= end_of_window:
        slot = Slot(start=moment, end=moment + duration)
        for participant in participants:
            status, reason = _status(participant.schedule, slot.start, slot.end)
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
