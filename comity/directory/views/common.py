"""Helpers shared by the directory pages: the clock, country choices, and what a viewer may see of a record."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache

from babel.dates import get_day_names
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comity.core.i18n import babel_locale, language_name
from comity.directory import permissions, selectors
from comity.directory.availability import Availability
from comity.directory.forms import format_office_hours
from comity.directory.models import Authority, Channel, Competence, Contact, Instrument, UrgentChannel, Visibility
from comity.reference import l10n
from comity.reference import selectors as reference_selectors
from comity.reference.models import Country


def now() -> dt.datetime:
    """The moment a page describes; one call per request so every row agrees (tests replace it)."""
    return timezone.now()


def all_countries() -> list:
    """Every country, sorted by name, without their networks: no directory page shows them. The rows are the
    process's shared ones (`countries_shared`): read them, never change them."""
    countries = reference_selectors.countries_shared()
    order = _name_order(l10n.active_language(), tuple((country.iso2, country.name_en) for country in countries))
    return [countries[position] for position in order]


@lru_cache(maxsize=16)
def _name_order(language: str, codes: tuple[tuple[str, str], ...]) -> tuple[int, ...]:
    """The order `reference_selectors.sorted_by_name` gives these countries, worked out once per language: a
    country's name depends only on its code (CLDR names) and the language."""
    countries = [Country(iso2=iso2, name_en=name_en) for iso2, name_en in codes]
    return tuple(sorted(range(len(countries)), key=lambda position: reference_selectors.name_key(countries[position])))


def editable_countries(user, countries: list | None = None) -> list:
    """The countries whose authorities the user may create or edit, sorted by name."""
    if not permissions.is_member(user) or not (user.is_secretariat or user.is_coordinator):
        return []
    countries = countries if countries is not None else all_countries()
    return [country for country in countries if permissions.can_edit_country(user, country.iso2)]


def apply_service_errors(form, exc, mapping: dict | None = None) -> None:
    """Attach a service ValidationError to the form field it names (or to the form as a whole)."""
    mapping = mapping or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, messages in exc.message_dict.items():
        target = mapping.get(key, key)
        form.add_error(target if target in form.fields else None, list(dict.fromkeys(messages)))


def weekday_names(width: str = "wide") -> dict[int, str]:
    return dict(get_day_names(width, locale=babel_locale()))


def competence_label(code: str) -> str:
    return str(Competence(code).label) if code in Competence.values else code


def instrument_label(code: str) -> str:
    return str(Instrument(code).label) if code in Instrument.values else code


def channel_labels(codes) -> list[str]:
    return [str(Channel(code).label) if code in Channel.values else code for code in codes]


def urgent_channel_labels(codes) -> list[str]:
    return [str(UrgentChannel(code).label) if code in UrgentChannel.values else code for code in codes]


def language_labels(codes) -> list[str]:
    return [language_name(code) for code in codes]


def hours_table(authority: Authority) -> list[dict]:
    """Monday to Sunday, each with its intervals ('09:00–13:00') from the prefetched office hours."""
    names = weekday_names()
    by_day: dict[int, list[str]] = {day: [] for day in range(7)}
    for row in authority.office_hours.all():
        by_day[row.weekday].append(f"{row.opens.strftime('%H:%M')}–{row.closes_label}")
    return [{"weekday": day, "name": names[day], "intervals": by_day[day]} for day in range(7)]


@dataclass
class ContactCard:
    """A contact as one viewer may see it: `fields` holds only the restrictable fields they may read."""

    contact: Contact
    fields: dict[str, str]
    position: str
    availability: Availability | None

    @property
    def display_name(self) -> str:
        return self.fields.get("name") or ""


def contact_card(user, contact: Contact, country_code: str, at: dt.datetime | None) -> ContactCard:
    visible = permissions.visible_contact_fields(user, contact, country_code)
    fields = {name: getattr(contact, name) for name in sorted(visible) if getattr(contact, name)}
    position = contact.seat.title
    hidden = {str(getattr(contact, name)).strip().casefold() for name in ("name", "title") if name not in visible}
    if position.strip().casefold() in hidden:
        position = ""  # a seat created without a title is named after its holder: never reveal a hidden field so
    status = selectors.contact_availability(contact, at) if at is not None else None
    return ContactCard(contact, fields, position, status)


def ordered_contacts(contacts, *, always_first: bool = True) -> list[Contact]:
    """Current holders in seat order, 24/7 contacts first (a stable sort keeps the seat order otherwise)."""
    current = [c for c in contacts if c.end_date is None]
    if always_first:
        current.sort(key=lambda c: not c.always_available)
    return current


def freshness(record, at: dt.datetime) -> dict:
    return selectors.freshness(record.last_confirmed_at, at)


# --- version history ---------------------------------------------------------------------------------------------


def _field_label(record_type: str, name: str) -> str:
    special = {
        "competences": _("Competences"),
        "office_hours": _("Office hours"),
        "closures": _("Closures"),
        "names": _("Names in other languages"),
        "successor": _("Successor"),
        "visibility": _("Field visibility"),
        "end_date": _("Held the seat until"),
    }
    if name in special:
        return special[name]
    model = Authority if record_type == "authority" else Contact
    try:
        return capfirst(str(model._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:  # a key the model no longer has is shown as it was stored
        return name


def _value_text(name: str, value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "office_hours" and isinstance(value, list):
        return "; ".join(format_office_hours(value).splitlines())
    if name == "competences" and isinstance(value, list):
        return "; ".join(
            competence_label(row.get("code", ""))
            + (f" ({instrument_label(row['instrument'])})" if row.get("instrument") else "")
            for row in value
        )
    if name == "closures" and isinstance(value, list):
        return "; ".join(
            f"{row.get('start_date')}–{row.get('end_date')} {row.get('reason') or ''}".strip() for row in value
        )
    if name == "visibility" and isinstance(value, dict):
        return "; ".join(
            f"{key}: {Visibility(level).label if level in Visibility.values else level}"
            for key, level in sorted(value.items())
        )
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join(value)
    if isinstance(value, dict) and all(isinstance(item, str) for item in value.values()):
        return "; ".join(f"{key}: {item}" for key, item in sorted(value.items()))
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


ACTION_LABELS = {
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Updated"),
    "confirmed": gettext_lazy("Confirmed as still correct"),
    "handover": gettext_lazy("Seat handed over"),
    "imported": gettext_lazy("Imported"),
}


def version_rows(versions, record_type: str) -> list[dict]:
    rows = []
    for version in versions:
        changes = [
            {
                "field": _field_label(record_type, name),
                "old": _value_text(name, pair[0]),
                "new": _value_text(name, pair[1]),
            }
            for name, pair in sorted(version.changes.items())
            if isinstance(pair, list) and len(pair) == 2
        ]
        rows.append(
            {
                "version": version,
                "action": ACTION_LABELS.get(version.action, version.action),
                "actor": version.actor.display_name if version.actor else _("System"),
                "changes": changes,
            }
        )
    return rows


def viewer_language() -> str:
    return translation.get_language() or "en"
