"""Reads of the planner: the participants' schedules (from the directory and the profile), the parsing of a
planning request shared by the page and the API, and the link that turns a slot into a virtual event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from comity.directory.availability import Interval, Schedule, schedule_for
from comity.directory.models import Contact
from comity.planner import permissions
from comity.planner.engine import MAX_SLOTS, Participant, Slot, plan, window_start

MIN_DURATION, MAX_DURATION, MAX_DAYS = 15, 480, 31
DEFAULT_DURATION, DEFAULT_DAYS = 60, 7
MAX_PARTICIPANTS = 50
# Someone with neither a seat in the directory nor anything else: a working week in their profile's zone.
PROFILE_HOURS = tuple(Interval(day, dt.time(9), dt.time(17)) for day in range(5))


@dataclass
class PlanRequest:
    authorities: list
    users: list
    duration: int
    days: int
    start: dt.date | None


def _ids(value, name: str, errors: dict) -> list[int]:
    """ "12,34" or a list of strings (repeated parameters); every part a positive whole number."""
    parts: list[str] = []
    for item in value if isinstance(value, list | tuple) else [value]:
        parts.extend(piece.strip() for piece in str(item or "").split(",") if piece.strip())
    out: list[int] = []
    for part in parts:
        if not part.isdigit() or int(part) == 0:
            errors.setdefault(name, []).append(
                _("%(value)s is not an id: use whole numbers separated by commas, e.g. 12,34.") % {"value": part[:40]}
            )
            return []
        if int(part) not in out:
            out.append(int(part))
    return out


def _whole(value, name: str, default: int, low: int, high: int, message: str, errors: dict) -> int:
    text = str(value).strip() if value not in (None, "") else ""
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        errors[name] = [message]
        return default
    return int(text)


def parse_request(*, user, data) -> PlanRequest:
    """Check a planning request (query parameters or form data); a ValidationError names each bad parameter.

    `data` maps a name to a string or a list of strings (a QueryDict's `getlist`)."""
    errors: dict[str, list[str]] = {}
    authority_ids = _ids(data.get("authorities", []), "authorities", errors)
    user_ids = _ids(data.get("users", []), "users", errors)
    duration = _whole(
        data.get("duration"),
        "duration",
        DEFAULT_DURATION,
        MIN_DURATION,
        MAX_DURATION,
        _("The duration is a whole number of minutes from %(low)d to %(high)d.")
        % {"low": MIN_DURATION, "high": MAX_DURATION},
        errors,
    )
    days = _whole(
        data.get("days"),
        "days",
        DEFAULT_DAYS,
        1,
        MAX_DAYS,
        _("Plan over 1 to %(high)d days.") % {"high": MAX_DAYS},
        errors,
    )
    start: dt.date | None = None
    raw_start = str(data.get("start") or "").strip()
    if raw_start:
        try:
            start = dt.date.fromisoformat(raw_start)
        except ValueError:
            errors["start"] = [_("Write the first day as YYYY-MM-DD, e.g. 2026-12-07.")]
    authorities, users = [], []
    if authority_ids:
        found = {a.pk: a for a in _authorities(user, authority_ids)}
        missing = [str(pk) for pk in authority_ids if pk not in found]
        if missing:
            errors.setdefault("authorities", []).append(
                _("No authority with the id %(ids)s.") % {"ids": ", ".join(missing)}
            )
        authorities = [found[pk] for pk in authority_ids if pk in found]
    if user_ids:
        found_users = {u.pk: u for u in _users(user, user_ids)}
        missing = [str(pk) for pk in user_ids if pk not in found_users]
        if missing:
            errors.setdefault("users", []).append(_("No member with the id %(ids)s.") % {"ids": ", ".join(missing)})
        users = [found_users[pk] for pk in user_ids if pk in found_users]
    if not authority_ids and not user_ids and "authorities" not in errors and "users" not in errors:
        errors["participants"] = [_("Choose at least one authority or one person (parameters authorities, users).")]
    if len(authority_ids) + len(user_ids) > MAX_PARTICIPANTS:
        errors["participants"] = [_("Plan for at most %(max)d participants.") % {"max": MAX_PARTICIPANTS}]
    if errors:
        raise ValidationError(errors)
    return PlanRequest(authorities=authorities, users=users, duration=duration, days=days, start=start)


def _authorities(user, ids: list[int]) -> QuerySet:
    return (
        permissions.authorities_for(user)
        .filter(pk__in=ids)
        .select_related("country")
        .prefetch_related("office_hours", "closures")
    )


def _seats() -> Prefetch:
    current = Contact.objects.filter(end_date__isnull=True).select_related("authority", "authority__country")
    return Prefetch(
        "contact_seats",
        queryset=current.prefetch_related("authority__office_hours", "authority__closures").order_by("pk"),
        to_attr="current_seats",
    )


def _users(user, ids: list[int]) -> QuerySet:
    return permissions.users_for(user).filter(pk__in=ids).select_related("country").prefetch_related(_seats())


def user_schedule(person) -> Schedule:
    """A person works to their seat's hours (in their own zone when the contact point names one, always when
    24/7); without a seat, to a working week 09:00-17:00 in their profile's zone with their country's holidays."""
    seats = getattr(person, "current_seats", None)
    if seats is None:
        seats = list(
            Contact.objects.filter(user=person, end_date__isnull=True)
            .select_related("authority", "authority__country")
            .order_by("pk")
        )
    if seats:
        contact = seats[0]
        schedule = schedule_for(contact.authority)
        if contact.timezone:
            schedule = replace(schedule, timezone=contact.timezone)
        if contact.always_available:
            schedule = replace(schedule, always=True)
        return schedule
    return Schedule(
        timezone=person.timezone or "UTC",
        intervals=PROFILE_HOURS,
        country=person.country.iso2 if person.country_id else "",
    )


def participants_of(request: PlanRequest) -> list[Participant]:
    people = [
        Participant(key=f"authority:{a.pk}", label=a.localized_name(), schedule=schedule_for(a))
        for a in request.authorities
    ]
    people += [Participant(key=f"user:{u.pk}", label=u.display_name, schedule=user_schedule(u)) for u in request.users]
    return people


def slots_for(*, user, request: PlanRequest, now: dt.datetime | None = None) -> tuple[list[Participant], list[Slot]]:
    participants = participants_of(request)
    begin = window_start(
        start_date=request.start, zone_name=getattr(user, "timezone", "UTC"), now=now or timezone.now()
    )
    slots = plan(
        participants,
        duration=dt.timedelta(minutes=request.duration),
        begin=begin,
        days=request.days,
        limit=MAX_SLOTS,
    )
    return participants, slots


def event_query(*, slot: Slot, zone_name: str, request: PlanRequest) -> str:
    """The query string that opens the meetings app's event form for a slot, everyone invited."""
    return urlencode(
        [
            ("kind", "virtual"),
            ("start", slot.start.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")),
            ("end", slot.end.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")),
            ("timezone", zone_name or "UTC"),
            ("users", ",".join(str(u.pk) for u in request.users)),
            ("authorities", ",".join(str(a.pk) for a in request.authorities)),
        ]
    )


def event_create_link(*, slot: Slot, zone_name: str, request: PlanRequest) -> str:
    """A link to create a virtual event for the slot, or "" while the meetings app offers no such page."""
    try:
        base = reverse("meetings:event_create")
    except NoReverseMatch:
        return ""
    return f"{base}?{event_query(slot=slot, zone_name=zone_name, request=request)}"


def authority_choices(*, user, q: str = "", selected=(), limit: int = 200) -> list[tuple[int, str]]:
    """Options for the authority picker: those matching the search, plus the ones already chosen."""
    qs = permissions.authorities_for(user).select_related("country")
    text = (q or "").strip().casefold()
    if text:
        qs = qs.filter(search_text__contains=text) | qs.filter(pk__in=list(selected))
    rows = list(qs.order_by("country__name_en", "official_name")[:limit])
    return [(a.pk, f"{a.localized_name()} ({a.country.iso2})") for a in rows]


def user_choices(*, user, q: str = "", selected=(), limit: int = 200) -> list[tuple[int, str]]:
    qs = permissions.users_for(user).select_related("country")
    text = (q or "").strip()
    if text:
        qs = qs.filter(full_name__icontains=text) | qs.filter(pk__in=list(selected))
    rows = list(qs.order_by("full_name")[:limit])
    return [(u.pk, f"{u.display_name} ({u.country.iso2})" if u.country_id else u.display_name) for u in rows]
