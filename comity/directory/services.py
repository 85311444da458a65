"""Every write to the directory: validated, versioned field by field, and audited in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pycountry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core.i18n import UI_LANGUAGES
from comity.directory import permissions
from comity.directory.availability import parse_time, validate_office_hours, validate_timezone
from comity.directory.models import (
    CONTACT_RESTRICTABLE_FIELDS,
    Authority,
    AuthorityCompetence,
    Channel,
    Closure,
    Competence,
    Contact,
    Instrument,
    OfficeHours,
    RecordVersion,
    Seat,
    UrgentChannel,
    Visibility,
)
from comity.reference.models import Country

AUTHORITY_SCALARS = ("official_name", "postal_address", "email", "phone", "website", "timezone",
                     "holiday_subdivision", "always_available", "untoc_mla_basis", "untoc_extradition_basis",
                     "is_active")
AUTHORITY_LISTS = ("languages_accepted", "channels", "urgent_channels")
CONTACT_SCALARS = ("name", "title", "phone", "mobile", "email", "secure_channel", "timezone", "always_available",
                   "start_date")


def holiday_subdivisions(country_code: str) -> tuple[str, ...]:
    import holidays

    try:
        return tuple(holidays.country_holidays(country_code.upper()).subdivisions)
    except (NotImplementedError, KeyError, AttributeError):
        return ()


def is_language_code(code: str) -> bool:
    return isinstance(code, str) and len(code) == 2 and code.islower() and \
        pycountry.languages.get(alpha_2=code) is not None


def _errors_add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _code_list(errors, field, values, allowed: set[str] | None = None, languages: bool = False) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        _errors_add(errors, field, _("Must be a list of codes."))
        return []
    bad = [v for v in values if (not is_language_code(v) if languages else v not in (allowed or set()))]
    if bad:
        if languages:
            _errors_add(errors, field, _("Unknown language code(s): %(codes)s. Use ISO 639-1 codes such as "
                                         "en, fr, pt.") % {"codes": ", ".join(bad)})
        else:
            _errors_add(errors, field, _("Unknown code(s): %(codes)s. Allowed: %(allowed)s.") % {
                "codes": ", ".join(bad), "allowed": ", ".join(sorted(allowed or []))})
    return sorted(set(values))


def _parse_date(errors, field, value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        _errors_add(errors, field, _("Dates must be written YYYY-MM-DD."))
        return None


def clean_authority_data(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate a whole or partial authority payload; errors name the field."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    if "country" in data or not partial:
        code = str(data.get("country") or "").upper()
        country = Country.objects.filter(iso2=code).first()
        if country is None:
            _errors_add(errors, "country", _("Unknown country code %(code)s.") % {"code": code or "''"})
        out["country"] = country
    if "official_name" in data or not partial:
        name = str(data.get("official_name") or "").strip()
        if not name:
            _errors_add(errors, "official_name", _("The official name is required."))
        out["official_name"] = name[:300]
    if "names" in data:
        names = data.get("names") or {}
        if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
            _errors_add(errors, "names", _("Names must map a language code to a name."))
        else:
            unknown = [k for k in names if k not in UI_LANGUAGES]
            if unknown:
                _errors_add(errors, "names", _("Unknown language(s): %(codes)s.") % {"codes": ", ".join(unknown)})
            out["names"] = {k: v.strip() for k, v in names.items() if v.strip()}
    if "competences" in data or not partial:
        rows = data.get("competences") or []
        competences = []
        if not isinstance(rows, list):
            _errors_add(errors, "competences", _("Competences must be a list."))
            rows = []
        seen = set()
        for row in rows:
            row = {"code": row} if isinstance(row, str) else row
            if not isinstance(row, dict) or row.get("code") not in Competence.values:
                _errors_add(errors, "competences", _("Unknown competence %(code)s. Allowed: %(allowed)s.") % {
                    "code": row.get("code") if isinstance(row, dict) else row,
                    "allowed": ", ".join(Competence.values)})
                continue
            instrument = row.get("instrument") or ""
            if instrument and instrument not in Instrument.values:
                _errors_add(errors, "competences", _("Unknown instrument %(code)s.") % {"code": instrument})
                continue
            if row["code"] in seen:
                _errors_add(errors, "competences", _("Competence %(code)s is listed twice.") % {"code": row["code"]})
                continue
            seen.add(row["code"])
            competences.append({"code": row["code"], "instrument": instrument,
                                "scope_notes": str(row.get("scope_notes") or "")})
        if not competences and not errors.get("competences"):
            _errors_add(errors, "competences", _("An authority needs at least one competence."))
        out["competences"] = competences
    if "languages_accepted" in data:
        out["languages_accepted"] = _code_list(errors, "languages_accepted", data["languages_accepted"],
                                               languages=True)
    if "channels" in data:
        out["channels"] = _code_list(errors, "channels", data["channels"], set(Channel.values))
    if "urgent_channels" in data:
        out["urgent_channels"] = _code_list(errors, "urgent_channels", data["urgent_channels"],
                                            set(UrgentChannel.values))
    for flag in ("untoc_mla_basis", "untoc_extradition_basis", "always_available", "is_active"):
        if flag in data:
            if not isinstance(data[flag], bool):
                _errors_add(errors, flag, _("Must be true or false."))
            out[flag] = bool(data[flag])
    for text in ("postal_address", "phone", "holiday_subdivision"):
        if text in data:
            out[text] = str(data[text] or "").strip()
    if out.get("holiday_subdivision"):
        country = out.get("country") or data.get("_country")
        code = country.iso2 if isinstance(country, Country) else str(country or "")
        if code and out["holiday_subdivision"] not in holiday_subdivisions(code):
            _errors_add(errors, "holiday_subdivision", _("Unknown subdivision %(code)s for public holidays; "
                                                         "leave it empty or use one of: %(allowed)s.") % {
                "code": out["holiday_subdivision"], "allowed": ", ".join(holiday_subdivisions(code)) or "—"})
    if "email" in data and data["email"]:
        try:
            EmailValidator()(data["email"])
        except ValidationError:
            _errors_add(errors, "email", _("Enter a valid e-mail address."))
        out["email"] = str(data["email"]).strip().lower()
    elif "email" in data:
        out["email"] = ""
    if "website" in data and data["website"]:
        try:
            URLValidator(schemes=["https", "http"])(data["website"])
        except ValidationError:
            _errors_add(errors, "website", _("Enter a valid web address starting with https://."))
        out["website"] = str(data["website"]).strip()
    elif "website" in data:
        out["website"] = ""
    if "timezone" in data or not partial:
        if not str(data.get("timezone") or "").strip():
            _errors_add(errors, "timezone", _("The time zone is required (an IANA name such as Europe/Paris)."))
        else:
            try:
                out["timezone"] = validate_timezone(str(data.get("timezone")))
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if "office_hours" in data:
        try:
            out["office_hours"] = validate_office_hours(data["office_hours"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "closures" in data:
        rows = data["closures"] or []
        closures = []
        if not isinstance(rows, list):
            _errors_add(errors, "closures", _("Closures must be a list."))
            rows = []
        for row in rows:
            if not isinstance(row, dict):
                _errors_add(errors, "closures", _("Each closure needs start_date, end_date and a reason."))
                continue
            start = _parse_date(errors, "closures", row.get("start_date"))
            end = _parse_date(errors, "closures", row.get("end_date"))
            if start and end and end < start:
                _errors_add(errors, "closures", _("A closure cannot end before it starts."))
                continue
            if start and end:
                closures.append({"start_date": start, "end_date": end, "reason": str(row.get("reason") or "")[:200]})
        out["closures"] = closures
    if errors:
        raise ValidationError(errors)
    return out


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
    snap["competences"] = [{"code": c.code, "instrument": c.instrument, "scope_notes": c.scope_notes}
                           for c in authority.competences.order_by("code")]
    snap["office_hours"] = [{"weekday": h.weekday, "opens": h.opens.strftime("%H:%M"), "closes": h.closes_label}
                            for h in authority.office_hours.order_by("weekday", "opens")]
    snap["closures"] = [{"start_date": c.start_date.isoformat(), "end_date": c.end_date.isoformat(),
                         "reason": c.reason} for c in authority.closures.order_by("start_date")]
    return snap


def diff(before: dict, after: dict) -> dict[str, list]:
    return {key: [before.get(key), after.get(key)] for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)}


def _record(*, record_type: str, record_id: int, actor, action: str, changes: dict) -> RecordVersion:
    return RecordVersion.objects.create(record_type=record_type, record_id=record_id, actor=actor if (
        actor is not None and actor.is_authenticated) else None, action=action, changes=changes)


def _apply_authority(authority: Authority, cleaned: dict) -> None:
    for field in AUTHORITY_SCALARS + AUTHORITY_LISTS + ("names", "country"):
        if field in cleaned:
            setattr(authority, field, cleaned[field])
    authority.search_text = authority.build_search_text()
    authority.save()
    if "competences" in cleaned:
        authority.competences.all().delete()
        AuthorityCompetence.objects.bulk_create(
            [AuthorityCompetence(authority=authority, **row) for row in cleaned["competences"]])
    if "office_hours" in cleaned:
        authority.office_hours.all().delete()
        OfficeHours.objects.bulk_create([OfficeHours(authority=authority, weekday=i.weekday, opens=i.opens,
                                                     closes=i.closes) for i in cleaned["office_hours"]])
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
        audit_log(action=AuditAction.AUTHORITY_CREATED, actor=actor, target=authority,
                  country=authority.country.iso2, details={"name": authority.official_name})
    return authority


def authority_update(*, actor, authority: Authority, data: dict[str, Any], action: str = "updated") -> dict:
    """Apply a partial update; returns the field-by-field changes (empty when nothing changed)."""
    if not permissions.can_edit_authority(actor, authority):
        raise PermissionDenied
    cleaned = clean_authority_data({**data, "_country": authority.country.iso2}, partial=True)
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
            audit_log(action=AuditAction.AUTHORITY_UPDATED, actor=actor, target=authority,
                      country=authority.country.iso2, details={"fields": sorted(changes)})
    return changes


def authority_confirm(*, actor, authority: Authority) -> None:
    """'Still correct': resets the freshness clock without changing data."""
    if not permissions.can_edit_authority(actor, authority):
        raise PermissionDenied
    with transaction.atomic():
        now = timezone.now()
        Authority.objects.filter(pk=authority.pk).update(last_confirmed_at=now, confirmed_by=actor, reminder_level=0,
                                                         reminder_sent_at=None)
        authority.last_confirmed_at = now
        _record(record_type="authority", record_id=authority.pk, actor=actor, action="confirmed", changes={})
        audit_log(action=AuditAction.AUTHORITY_CONFIRMED, actor=actor, target=authority,
                  country=authority.country.iso2)


# --- contacts and seats ---------------------------------------------------------------------------------------


def clean_contact_data(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    if "name" in data or not partial:
        name = str(data.get("name") or "").strip()
        if not name:
            _errors_add(errors, "name", _("The name is required."))
        out["name"] = name[:200]
    for text in ("title", "phone", "mobile", "secure_channel"):
        if text in data:
            out[text] = str(data[text] or "").strip()[:200]
    if "email" in data:
        value = str(data["email"] or "").strip().lower()
        if value:
            try:
                EmailValidator()(value)
            except ValidationError:
                _errors_add(errors, "email", _("Enter a valid e-mail address."))
        out["email"] = value
    if "languages" in data:
        out["languages"] = _code_list(errors, "languages", data["languages"], languages=True)
    if data.get("timezone"):
        try:
            out["timezone"] = validate_timezone(str(data["timezone"]))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    elif "timezone" in data:
        out["timezone"] = ""
    if "always_available" in data:
        if not isinstance(data["always_available"], bool):
            _errors_add(errors, "always_available", _("Must be true or false."))
        out["always_available"] = bool(data["always_available"])
    if "start_date" in data and data["start_date"]:
        out["start_date"] = _parse_date(errors, "start_date", data["start_date"])
    if "visibility" in data:
        vis = data["visibility"] or {}
        if not isinstance(vis, dict):
            _errors_add(errors, "visibility", _("Visibility must map a field to a level."))
        else:
            bad_fields = [k for k in vis if k not in CONTACT_RESTRICTABLE_FIELDS]
            bad_levels = [v for v in vis.values() if v not in Visibility.values]
            if bad_fields or bad_levels:
                _errors_add(errors, "visibility", _("Unknown field or level: %(items)s. Levels: %(levels)s.") % {
                    "items": ", ".join(map(str, bad_fields + bad_levels)), "levels": ", ".join(Visibility.values)})
            out["visibility"] = dict(vis)
    if errors:
        raise ValidationError(errors)
    return out


def contact_snapshot(contact: Contact) -> dict[str, Any]:
    snap = {field: _jsonable(getattr(contact, field)) for field in CONTACT_SCALARS}
    snap["languages"] = list(contact.languages)
    snap["visibility"] = dict(contact.visibility)
    snap["end_date"] = _jsonable(contact.end_date)
    return snap


def contact_create(*, actor, authority: Authority, data: dict[str, Any], seat_title: str = "") -> Contact:
    if not permissions.can_edit_authority(actor, authority):
        raise PermissionDenied
    cleaned = clean_contact_data(data)
    with transaction.atomic():
        seat = Seat.objects.create(authority=authority, title=(seat_title or cleaned.get("title") or cleaned["name"]),
                                   position=authority.seats.count())
        contact = Contact(seat=seat, authority=authority, **cleaned)
        contact.save()
        _record(record_type="contact", record_id=contact.pk, actor=actor, action="created",
                changes=diff({}, contact_snapshot(contact)))
        audit_log(action=AuditAction.CONTACT_CREATED, actor=actor, target=contact, country=authority.country.iso2,
                  details={"authority": authority.pk})
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
            audit_log(action=AuditAction.CONTACT_UPDATED, actor=actor, target=contact,
                      country=authority.country.iso2, details={"fields": sorted(changes)})
    return changes


def contact_confirm(*, actor, contact: Contact) -> None:
    if not permissions.can_edit_authority(actor, contact.authority):
        raise PermissionDenied
    with transaction.atomic():
        now = timezone.now()
        Contact.objects.filter(pk=contact.pk).update(last_confirmed_at=now, reminder_level=0, reminder_sent_at=None)
        contact.last_confirmed_at = now
        _record(record_type="contact", record_id=contact.pk, actor=actor, action="confirmed", changes={})
        audit_log(action=AuditAction.CONTACT_CONFIRMED, actor=actor, target=contact,
                  country=contact.authority.country.iso2)


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
        _record(record_type="contact", record_id=contact.pk, actor=actor, action="handover",
                changes={"end_date": [None, day.isoformat()], "successor": [None, successor.pk]})
        _record(record_type="contact", record_id=successor.pk, actor=actor, action="created",
                changes=diff({}, contact_snapshot(successor)))
        audit_log(action=AuditAction.CONTACT_HANDOVER, actor=actor, target=successor,
                  country=contact.authority.country.iso2, details={"from": contact.pk, "to": successor.pk})
    return successor


def parse_hhmm(value: str):
    return parse_time(value, allow_midnight_end=True)
