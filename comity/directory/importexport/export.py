"""Bulk export of the directory as CSV or JSON: what the member may see, streamed, audited.

Contact fields pass through ``permissions.visible_contact_fields``: a field the viewer may not read is an empty
cell in CSV and an absent key in JSON. Authority fields are not restricted (an authority the viewer may see is
seen whole). The CSV's authority columns are those of the CSV import, so an export can be edited and imported
again; its other columns (``record``, ``authority_id``, ``contact_*``, ...) are informational.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.directory import permissions, selectors
from comity.directory.importexport.csv_import import NAME_COLUMNS, format_office_hours
from comity.directory.models import CONTACT_RESTRICTABLE_FIELDS, Authority, Contact

FORMATS = ("csv", "json")
FILTERS = ("country", "region", "network", "competence", "language", "always_available", "q")
CHUNK_SIZE = 500
AUTHORITY_COLUMNS = [
    "country",
    "official_name",
    *NAME_COLUMNS,
    "competences",
    "languages_accepted",
    "channels",
    "urgent_channels",
    "untoc_mla_basis",
    "untoc_extradition_basis",
    "postal_address",
    "email",
    "phone",
    "website",
    "timezone",
    "holiday_subdivision",
    "always_available",
    "office_hours",
    "is_active",
]
CONTACT_COLUMNS = [
    "contact_name",
    "contact_title",
    "contact_languages",
    "contact_phone",
    "contact_mobile",
    "contact_email",
    "contact_secure_channel",
    "contact_timezone",
    "contact_always_available",
    "contact_start_date",
]
CSV_COLUMNS = ["record", "id", "authority_id", "contact_id", *AUTHORITY_COLUMNS, "last_confirmed_at", *CONTACT_COLUMNS]
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value) -> str:
    """The cell as text, with a leading apostrophe where a spreadsheet would otherwise see a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def export_record(*, actor, fmt: str, filters: dict) -> None:
    """Audit a bulk export before the first byte is sent."""
    used = {key: value for key, value in filters.items() if value not in ("", None)}
    audit_log(
        action=AuditAction.DIRECTORY_EXPORTED,
        actor=actor,
        country=used.get("country", ""),
        details={"format": fmt, "filters": used},
    )


def export_authorities(*, user, filters: dict) -> Iterator[Authority]:
    """The authorities of the browse page's filters, with competences, hours and current contacts prefetched."""
    kwargs = {key: filters[key] for key in FILTERS if filters.get(key) not in ("", None)}
    return selectors.authority_list(user=user, **kwargs).iterator(chunk_size=CHUNK_SIZE)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _utc(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds") if value else ""


def _competences_cell(authority: Authority) -> str:
    return ";".join(f"{c.code}:{c.instrument}" if c.instrument else c.code for c in authority.competences.all())


def authority_csv_row(authority: Authority) -> list[str]:
    values = {
        "record": "authority",
        "id": authority.pk,
        "authority_id": authority.pk,
        "contact_id": "",
        "country": authority.country.iso2,
        "official_name": authority.official_name,
        "competences": _competences_cell(authority),
        "languages_accepted": ";".join(authority.languages_accepted),
        "channels": ";".join(authority.channels),
        "urgent_channels": ";".join(authority.urgent_channels),
        "untoc_mla_basis": _bool(authority.untoc_mla_basis),
        "untoc_extradition_basis": _bool(authority.untoc_extradition_basis),
        "postal_address": authority.postal_address,
        "email": authority.email,
        "phone": authority.phone,
        "website": authority.website,
        "timezone": authority.timezone,
        "holiday_subdivision": authority.holiday_subdivision,
        "always_available": _bool(authority.always_available),
        "office_hours": format_office_hours(authority.office_hours.all()),
        "is_active": _bool(authority.is_active),
        "last_confirmed_at": _utc(authority.last_confirmed_at),
    }
    for column in NAME_COLUMNS:
        values[column] = authority.names.get(column.removeprefix("names_"), "")
    return [neutralize(values.get(column, "")) for column in CSV_COLUMNS]


def contact_csv_row(contact: Contact, authority: Authority, visible: set[str]) -> list[str]:
    values = {
        "record": "contact",
        "id": "",
        "authority_id": authority.pk,
        "contact_id": contact.pk,
        "country": authority.country.iso2,
        "official_name": authority.official_name,
        "last_confirmed_at": _utc(contact.last_confirmed_at),
        "contact_languages": ";".join(contact.languages),
        "contact_timezone": contact.timezone,
        "contact_always_available": _bool(contact.always_available),
        "contact_start_date": contact.start_date.isoformat() if contact.start_date else "",
    }
    for name in CONTACT_RESTRICTABLE_FIELDS:
        if name in visible:
            values[f"contact_{name}"] = getattr(contact, name)
    return [neutralize(values.get(column, "")) for column in CSV_COLUMNS]


class _Line:
    """A file-like object whose write() hands back what csv.writer produced."""

    def write(self, value: str) -> str:
        return value


def csv_lines(*, user, authorities: Iterable[Authority]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    for authority in authorities:
        yield writer.writerow(authority_csv_row(authority))
        code = authority.country.iso2
        for contact in authority.current_contacts:
            visible = permissions.visible_contact_fields(user, contact, code)
            yield writer.writerow(contact_csv_row(contact, authority, visible))


def authority_json(authority: Authority) -> dict:
    return {
        "id": authority.pk,
        "country": authority.country.iso2,
        "official_name": authority.official_name,
        "names": dict(authority.names),
        "competences": [
            {"code": c.code, "instrument": c.instrument or None, "scope_notes": c.scope_notes}
            for c in authority.competences.all()
        ],
        "languages_accepted": list(authority.languages_accepted),
        "channels": list(authority.channels),
        "urgent_channels": list(authority.urgent_channels),
        "untoc_mla_basis": authority.untoc_mla_basis,
        "untoc_extradition_basis": authority.untoc_extradition_basis,
        "postal_address": authority.postal_address,
        "email": authority.email,
        "phone": authority.phone,
        "website": authority.website,
        "timezone": authority.timezone,
        "holiday_subdivision": authority.holiday_subdivision,
        "always_available": authority.always_available,
        "office_hours": [
            {"weekday": h.weekday, "opens": h.opens.strftime("%H:%M"), "closes": h.closes_label}
            for h in authority.office_hours.all()
        ],
        "closures": [
            {"start_date": c.start_date.isoformat(), "end_date": c.end_date.isoformat(), "reason": c.reason}
            for c in authority.closures.all()
        ],
        "is_active": authority.is_active,
        "last_confirmed_at": _utc(authority.last_confirmed_at),
    }


def contact_json(contact: Contact, visible: set[str]) -> dict:
    # The seat's title is left out: a seat created without a title is named after its first holder.
    data: dict = {"id": contact.pk}
    data.update({name: getattr(contact, name) for name in CONTACT_RESTRICTABLE_FIELDS if name in visible})
    data.update(
        {
            "languages": list(contact.languages),
            "timezone": contact.timezone or None,
            "always_available": contact.always_available,
            "start_date": contact.start_date.isoformat() if contact.start_date else None,
            "last_confirmed_at": _utc(contact.last_confirmed_at),
        }
    )
    return data


def json_chunks(*, user, authorities: Iterable[Authority], filters: dict, generated_at: dt.datetime) -> Iterator[str]:
    """One JSON document, produced an authority at a time."""
    used = {key: value for key, value in filters.items() if value not in ("", None)}
    head = json.dumps({"generated_at": _utc(generated_at), "filters": used}, ensure_ascii=False)
    yield head[:-1] + ', "authorities": ['
    separator = ""
    for authority in authorities:
        code = authority.country.iso2
        item = authority_json(authority)
        item["contacts"] = [
            contact_json(contact, permissions.visible_contact_fields(user, contact, code))
            for contact in authority.current_contacts
        ]
        yield separator + json.dumps(item, ensure_ascii=False)
        separator = ", "
    yield "]}\n"
