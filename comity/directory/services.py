"""Every write to the directory: validated, versioned field by field, and audited in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.directory import inputs, permissions
from comity.directory.availability import holiday_subdivisions as holiday_subdivisions  # re-exported
from comity.directory.availability import parse_time
from comity.directory.models import (
    Authority,
    AuthorityCompetence,
    Closure,
    Contact,
    OfficeHours,
    RecordVersion,
    Seat,
)
from comity.reference.models import Country

AUTHORITY_SCALARS = (
    "official_name",
    "postal_address",
    "email",
    "phone",
    "website",
    "timezone",
    "holiday_subdivision",
    "always_available",
    "untoc_mla_basis",
    "untoc_extradition_basis",
    "is_active",
)
AUTHORITY_LISTS = ("languages_accepted", "channels", "urgent_channels")
CONTACT_SCALARS = (
    "name",
    "title",
    "phone",
    "mobile",
    "email",
    "secure_channel",
    "timezone",
    "always_available",
    "start_date",
)


def clean_authority_data(data: dict[str, Any], *, partial: bool = False, country: str = "") -> dict[str, Any]:
    """Validate a whole or partial authority payload with `inputs.AuthorityInput`; errors name the field.

    `country`: the ISO code of the authority being changed (its holiday subdivision is checked against it)."""
    return inputs.validated(inputs.AuthorityInput, data, partial=partial, country=country)


def _jsonable(value):
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Country):
        return value.iso2
    return value


def authority_snapshot(authority: Authority) -> dict[str, Any]:
    snap = {field: _jsonable(getattr(authority, field)) for field in AUTHORITY_SCALARS + AUTHORITY_LISTS}
    snap["country"] = authority.country.iso2
    snap["names"] = dict(authority.names)
    snap["competences"] = [
        {"code": c.code, "instrument": c.instrument, "scope_notes": c.scope_notes}
        for c in authority.competences.order_by("code")
    ]
    snap["office_hours"] = [
        {"weekday": h.weekday, "opens": h.opens.strftime("%H:%M"), "closes": h.closes_label}
        for h in authority.office_hours.order_by("weekday", "opens")
    ]
    snap["closures"] = [
        {"start_date": c.start_date.isoformat(), "end_date": c.end_date.isoformat(), "reason": c.reason}
        for c in authority.closures.order_by("start_date")
    ]
    return snap


def diff(before: dict, after: dict) -> dict[str, list]:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _record(*, record_type: str, record_id: int, actor, action: str, changes: dict) -> RecordVersion:
    return RecordVersion.objects.create(
        record_type=record_type,
        record_id=record_id,
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        action=action,
        changes=changes,
    )


def _apply_authority(authority: Authority, cleaned: dict) -> None:
    for field in AUTHORITY_SCALARS + AUTHORITY_LISTS + ("names", "country"):
        if field in cleaned:
            setattr(authority, field, cleaned[field])
    authority.search_text = authority.build_search_text()
    authority.save()
    if "competences" in cleaned:
        authority.competences.all().delete()
        AuthorityCompetence.objects.bulk_create(
            [AuthorityCompetence(authority=authority, **row) for row in cleaned["competences"]]
        )
    if "office_hours" in cleaned:
        authority.office_hours.all().delete()
        OfficeHours.objects.bulk_create(
            [
                OfficeHours(authority=authority, weekday=i.weekday, opens=i.opens, closes=i.closes)
                for i in cleaned["office_hours"]
            ]
        )
    if "closures" in cleaned:
        authority.closures.all().delete()
        Closure.objects.bulk_create([Closure(authority=authority, **row) for row in cleaned["closures"]])


def authority_create(*, actor, data: dict[str, Any], action: str = "created") -> Authority:
    cleaned = clean_authority_data(data)
    if not permissions.can_edit_country(actor, cleaned["country"].iso2):
        raise PermissionDenied
    with transaction.atomic():
        authority = Authority(confirmed_by=actor if permissions.is_member(actor) else None)
        _apply_authority(authority, cleaned)
        changes = diff({}, authority_snapshot(authority))
        _record(record_type="authority", record_id=authority.pk, actor=actor, action=action, changes=changes)
        audit_log(
            action=AuditAction.AUTHORITY_CREATED,
            actor=actor,
            target=authority,
            country=authority.country.iso2,
            details={"name": authority.official_name},
        )
    return authority


def authority_update(*, actor, authority: Authority, data: dict[str, Any], action: str = "updated") -> dict:
    """Apply a partial update; returns the field-by-field changes (empty when nothing changed)."""
    if not permissions.can_edit_authority(actor, authority):
        raise PermissionDenied
    cleaned = clean_authority_data(data, partial=True, country=authority.country.iso2)
    if "country" in cleaned and not permissions.can_edit_country(actor, cleaned["country"].iso2):
        raise PermissionDenied
    with transaction.atomic():
        authority = Authority.objects.select_for_update().get(pk=authority.pk)
        before = authority_snapshot(authority)
        _apply_authority(authority, cleaned)
        changes = diff(before, authority_snapshot(authority))
        if changes:
            authority.last_confirmed_at = timezone.now()
            authority.confirmed_by = actor
            authority.reminder_level = 0
            authority.save(update_fields=["last_confirmed_at", "confirmed_by", "reminder_level"])
            _record(record_type="authority", record_id=authority.pk, actor=actor, action=action, changes=changes)
            audit_log(
                action=AuditAction.AUTHORITY_UPDATED,
                actor=actor,
                target=authority,
                country=authority.country.iso2,
                details={"fields": sorted(changes)},
            )
    return changes


def authority_confirm(*, actor, authority: Authority) -> None:
    """'Still correct': resets the freshness clock without changing data."""
    if not permissions.can_edit_authority(actor, authority):
        raise PermissionDenied
    with transaction.atomic():
        now = timezone.now()
        Authority.objects.filter(pk=authority.pk).update(
            last_confirmed_at=now, confirmed_by=actor, reminder_level=0, reminder_sent_at=None
        )
        authority.last_confirmed_at = now
        _record(record_type="authority", record_id=authority.pk, actor=actor, action="confirmed", changes={})
        audit_log(action=AuditAction.AUTHORITY_CONFIRMED, actor=actor, target=authority, country=authority.country.iso2)


# --- contacts and seats ---------------------------------------------------------------------------------------


def clean_contact_data(data: dict[str, Any], *, partial: bool = False, new_seat: bool = False) -> dict[str, Any]:
    """Validate a whole or partial contact payload with `inputs.ContactInput` (with `seat_title` for a new seat)."""
    return inputs.validated(inputs.NewContactInput if new_seat else inputs.ContactInput, data, partial=partial)


def contact_snapshot(contact: Contact) -> dict[str, Any]:
    snap = {field: _jsonable(getattr(contact, field)) for field in CONTACT_SCALARS}
    snap["languages"] = list(contact.languages)
    snap["visibility"] = dict(contact.visibility)
    snap["end_date"] = _jsonable(contact.end_date)
    return snap


def contact_create(*, actor, authority: Authority, data: dict[str, Any], seat_title: str = "") -> Contact:
    if not permissions.can_edit_authority(actor, authority):
        raise PermissionDenied
    cleaned = clean_contact_data({**data, "seat_title": seat_title}, new_seat=True)
    seat_title = cleaned.pop("seat_title", "")
    with transaction.atomic():
        seat = Seat.objects.create(
            authority=authority,
            title=(seat_title or cleaned.get("title") or cleaned["name"]),
            position=authority.seats.count(),
        )
        contact = Contact(seat=seat, authority=authority, **cleaned)
        contact.save()
        _record(
            record_type="contact",
            record_id=contact.pk,
            actor=actor,
            action="created",
            changes=diff({}, contact_snapshot(contact)),
        )
        audit_log(
            action=AuditAction.CONTACT_CREATED,
            actor=actor,
            target=contact,
            country=authority.country.iso2,
            details={"authority": authority.pk},
        )
    return contact


def contact_update(*, actor, contact: Contact, data: dict[str, Any]) -> dict:
    authority = contact.authority
    if not permissions.can_edit_authority(actor, authority):
        raise PermissionDenied
    cleaned = clean_contact_data(data, partial=True)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        before = contact_snapshot(contact)
        for key, value in cleaned.items():
            setattr(contact, key, value)
        changes = diff(before, contact_snapshot(contact))
        if changes:
            contact.last_confirmed_at = timezone.now()
            contact.reminder_level = 0
            contact.save()
            _record(record_type="contact", record_id=contact.pk, actor=actor, action="updated", changes=changes)
            audit_log(
                action=AuditAction.CONTACT_UPDATED,
                actor=actor,
                target=contact,
                country=authority.country.iso2,
                details={"fields": sorted(changes)},
            )
    return changes


def contact_confirm(*, actor, contact: Contact) -> None:
    if not permissions.can_edit_authority(actor, contact.authority):
        raise PermissionDenied
    with transaction.atomic():
        now = timezone.now()
        Contact.objects.filter(pk=contact.pk).update(last_confirmed_at=now, reminder_level=0, reminder_sent_at=None)
        contact.last_confirmed_at = now
        _record(record_type="contact", record_id=contact.pk, actor=actor, action="confirmed", changes={})
        audit_log(
            action=AuditAction.CONTACT_CONFIRMED, actor=actor, target=contact, country=contact.authority.country.iso2
        )


def seat_handover(*, actor, contact: Contact, data: dict[str, Any], on: dt.date | None = None) -> Contact:
    """The seat passes to the next person: the current holder's tenure ends, the history stays."""
    if not permissions.can_edit_authority(actor, contact.authority):
        raise PermissionDenied
    if contact.end_date is not None:
        raise ValidationError({"contact": [_("This person no longer holds the seat.")]})
    cleaned = clean_contact_data(data)
    day = on or timezone.localdate()
    with transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(end_date=day)
        cleaned.setdefault("start_date", day)
        cleaned.setdefault("title", contact.title)
        cleaned.setdefault("visibility", dict(contact.visibility))
        successor = Contact(seat=contact.seat, authority=contact.authority, **cleaned)
        successor.save()
        _record(
            record_type="contact",
            record_id=contact.pk,
            actor=actor,
            action="handover",
            changes={"end_date": [None, day.isoformat()], "successor": [None, successor.pk]},
        )
        _record(
            record_type="contact",
            record_id=successor.pk,
            actor=actor,
            action="created",
            changes=diff({}, contact_snapshot(successor)),
        )
        audit_log(
            action=AuditAction.CONTACT_HANDOVER,
            actor=actor,
            target=successor,
            country=contact.authority.country.iso2,
            details={"from": contact.pk, "to": successor.pk},
        )
    return successor


def parse_hhmm(value: str):
    return parse_time(value, allow_midnight_end=True)
