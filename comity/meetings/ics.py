"""iCalendar (RFC 5545) output: one event or a personal feed, with the VTIMEZONE of each event's zone.

The UID is the event's stable UUID; SEQUENCE is the event's `sequence` (raised on every change); a cancelled event
keeps its UID with STATUS:CANCELLED so that calendar clients remove it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar
from django.utils import timezone

from comity.core.timeutil import get_zone
from comity.meetings.models import Event, EventKind

PRODID = "-//Comity//Meetings//EN"


def uid_of(event: Event) -> str:
    return f"{event.uid}@comity"


def _vevent(event: Event, *, base_url: str, stamp: dt.datetime, members: bool) -> icalendar.Event:
    zone = get_zone(event.timezone)
    vevent = icalendar.Event()
    vevent.add("uid", uid_of(event))
    vevent.add("dtstamp", stamp)
    vevent.add("created", event.created_at)
    vevent.add("last-modified", event.updated_at)
    vevent.add("sequence", event.sequence)
    vevent.add("summary", event.title, parameters={"LANGUAGE": event.title_language})
    vevent.add("dtstart", event.start.astimezone(zone))
    vevent.add("dtend", event.end.astimezone(zone))
    description = event.description
    url = base_url + event.get_absolute_url()
    params = {"LANGUAGE": event.description_language} if description else {}
    vevent.add("description", (description + "\n\n" + url).strip(), parameters=params)
    vevent.add("url", url)
    location = []
    if event.kind in (EventKind.IN_PERSON, EventKind.HYBRID) and event.venue:
        location.append(event.venue)
    if members and event.kind in (EventKind.VIRTUAL, EventKind.HYBRID) and event.online_url:
        location.append(event.online_url)
    if location:
        vevent.add("location", " / ".join(location))
    vevent.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT" if event.is_cancelled else "OPAQUE")
    return vevent


def calendar_for(events: Iterable[Event], *, members: bool, base_url: str = "", name: str = "") -> bytes:
    """The calendar; `members` says whether the reader is a member (the online link is for members only, as on the
    event's page)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    base_url = base_url.rstrip("/")
    stamp = timezone.now().replace(microsecond=0)
    for event in events:
        cal.add_component(_vevent(event, base_url=base_url, stamp=stamp, members=members))
    cal.add_missing_timezones()
    return cal.to_ical()


def filename_for(event: Event) -> str:
    return f"event-{event.pk}.ics"
