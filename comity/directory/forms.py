"""Forms for the directory pages. They parse what a browser sends; the services validate and write.

Office hours and closures are edited without JavaScript as text, one entry per line:

    Mon 09:00-13:00          one interval (English day abbreviations; the UI language's names work too)
    Mon-Fri 14:00-18:00      a range of days
    Sat 09:00-12:00, 13:00-15:00   several intervals on one line
    Fri 22:00-24:00 / Sat 00:00-02:00   a shift past midnight is two intervals

    2026-12-24 2026-12-31 Year-end closure   a closure (from, until inclusive, reason)
    2026-07-14 Staff training                a one-day closure

The forms only check the shape of each line (naming the line); times, overlaps, dates and codes are checked by
`services.clean_authority_data` / `clean_contact_data`, whose errors the views attach to the same fields.
"""

from __future__ import annotations

import re

from babel.dates import get_day_names
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comity.core.i18n import UI_LANGUAGES, babel_locale, iso639_1_choices, language_name
from comity.directory.models import (
    CONTACT_RESTRICTABLE_FIELDS,
    DEFAULT_CONTACT_VISIBILITY,
    Channel,
    Competence,
    Instrument,
    UrgentChannel,
    Visibility,
)
from comity.directory.selectors import COOPERATION_TYPES
from comity.reference import regions

ENGLISH_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_TIME_RANGE = re.compile(r"(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})")
_DATE_LIKE = re.compile(r"^\d{1,4}-\d{1,2}-\d{1,2}$")
_CODE_SPLIT = re.compile(r"[\s,;]+")

COOPERATION_LABELS = {
    "mla": _("Mutual legal assistance"),
    "extradition": _("Extradition"),
    "sentenced_transfer": _("Transfer of sentenced persons"),
    "proceedings_transfer": _("Transfer of criminal proceedings"),
    "asset_recovery": _("Asset recovery"),
    "cybercrime": _("Cybercrime (24/7 point of contact)"),
}


def country_choices(countries) -> list[tuple[str, str]]:
    """(ISO code, localized name) for already sorted countries."""
    return [(country.iso2, country.name) for country in countries]


def language_choices() -> list[tuple[str, str]]:
    """Every ISO 639-1 language, named and sorted in the viewer's language (cached per language)."""
    return iso639_1_choices()


def split_codes(text: str) -> list[str]:
    """'pt, en es' -> ['pt', 'en', 'es'] (lower-cased, order kept, duplicates dropped)."""
    seen: list[str] = []
    for code in _CODE_SPLIT.split(text or ""):
        code = code.strip().lower()
        if code and code not in seen:
            seen.append(code)
    return seen


# --- office hours and closures as text --------------------------------------------------------------------


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
                last = item[index + 1:].strip().casefold().rstrip(".")
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
            errors.append(gettext("Line %(number)s: write a day (or a range such as Mon-Fri) and times such as "
                                  "09:00-13:00.") % {"number": number})
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
            errors.append(gettext("Line %(number)s: start with the first day closed, written YYYY-MM-DD, then "
                                  "the last day and the reason.") % {"number": number})
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


# --- browse ---------------------------------------------------------------------------------------------


class AuthorityFilterForm(forms.Form):
    """The browse and search filters: a GET form that works without JavaScript."""

    q = forms.CharField(label=_("Search names"), required=False, max_length=200,
                        help_text=_("Any part of a name, in any language."))
    country = forms.ChoiceField(label=_("Country"), required=False, error_messages={
        "invalid_choice": _("“%(value)s” is not a country in Comity.")})
    region = forms.ChoiceField(label=_("Region"), required=False, error_messages={
        "invalid_choice": _("“%(value)s” is not a UN M49 region or sub-region code.")})
    network = forms.ChoiceField(label=_("Network"), required=False, error_messages={
        "invalid_choice": _("“%(value)s” is not a network in Comity.")})
    competence = forms.ChoiceField(label=_("Competence"), required=False, error_messages={
        "invalid_choice": _("“%(value)s” is not a competence.")})
    language = forms.ChoiceField(label=_("Language accepted"), required=False, error_messages={
        "invalid_choice": _("“%(value)s” is not an ISO 639-1 language code.")})
    always_available = forms.BooleanField(label=_("24/7 only"), required=False)

    def __init__(self, *args, countries, networks, **kwargs):
        super().__init__(*args, **kwargs)
        from comity.reference.forms import network_label

        self.fields["country"].choices = [("", _("All countries")), *country_choices(countries)]
        self.fields["region"].choices = [("", _("All regions")), *regions.grouped_choices()]
        named = sorted(((n.slug, network_label(n)) for n in networks), key=lambda c: regions.collation_key(c[1]))
        self.fields["network"].choices = [("", _("All networks")), *named]
        self.fields["competence"].choices = [("", _("All competences")), *Competence.choices]
        self.fields["language"].choices = [("", _("All languages")), *language_choices()]

    def filters(self) -> dict:
        data = self.cleaned_data
        return {"q": data["q"].strip(), "country": data["country"], "region": data["region"],
                "network": data["network"], "competence": data["competence"], "language": data["language"],
                "always_available": True if data["always_available"] else None}


# --- authorities ------------------------------------------------------------------------------------------


def _checkboxes(choices, label, help_text=""):
    return forms.MultipleChoiceField(label=label, required=False, choices=choices, help_text=help_text,
                                     widget=forms.CheckboxSelectMultiple)


class AuthorityForm(forms.Form):
    """Every field of an authority. Competences are checkboxes, each with its instrument and scope notes."""

    country = forms.ChoiceField(label=_("Country"))
    official_name = forms.CharField(label=_("Official name"), max_length=300)
    competences = _checkboxes(Competence.choices, _("Competences"),
                              _("Tick each competence the authority is designated for."))
    languages_accepted = forms.CharField(
        label=_("Languages accepted"), required=False,
        help_text=_("ISO 639-1 codes separated by commas or spaces, e.g. pt, en, es."))
    channels = _checkboxes(Channel.choices, _("Channels accepted"))
    urgent_channels = _checkboxes(UrgentChannel.choices, _("Urgent requests accepted in advance by"),
                                  _("With the original request to follow."))
    untoc_mla_basis = forms.BooleanField(label=_("Accepts UNTOC as legal basis for mutual legal assistance"),
                                         required=False)
    untoc_extradition_basis = forms.BooleanField(label=_("Accepts UNTOC as legal basis for extradition"),
                                                 required=False)
    postal_address = forms.CharField(label=_("Postal address"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    email = forms.CharField(label=_("Official e-mail"), required=False, max_length=254,
                            widget=forms.EmailInput)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    website = forms.CharField(label=_("Website"), required=False, max_length=200, widget=forms.URLInput)
    timezone = forms.CharField(label=_("Time zone"), max_length=64,
                               help_text=_("An IANA time zone name, e.g. America/Sao_Paulo or Asia/Jakarta."))
    holiday_subdivision = forms.CharField(
        label=_("Holiday subdivision"), required=False, max_length=10,
        help_text=_("Where regional public holidays apply, the subdivision code (e.g. DF); else leave empty."))
    always_available = forms.BooleanField(label=_("Available 24/7"), required=False)
    office_hours = forms.CharField(
        label=_("Office hours"), required=False, widget=forms.Textarea(attrs={"rows": 8, "dir": "ltr"}),
        help_text=_("One interval per line in local time, e.g. “Mon 09:00-13:00”. A range of days and several "
                    "intervals work too: “Mon-Fri 09:00-13:00, 14:00-18:00”. A shift past midnight is two lines: "
                    "“Fri 22:00-24:00” and “Sat 00:00-02:00”."))
    closures = forms.CharField(
        label=_("Closures"), required=False, widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr"}),
        help_text=_("One per line: first day, last day (YYYY-MM-DD) and the reason, e.g. “2026-12-24 2026-12-31 "
                    "Office move”. A single date is a one-day closure."))
    is_active = forms.BooleanField(label=_("Active (listed in the directory)"), required=False, initial=True)

    def __init__(self, *args, countries, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Choose a country")), *country_choices(countries)]
        self.fields["country"].error_messages["invalid_choice"] = _("You cannot add or move an authority to this "
                                                                    "country.")
        if not editing:
            del self.fields["is_active"]
        order = list(self.fields)
        for code in UI_LANGUAGES:
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name in %(language)s") % {"language": language_name(code)}, required=False,
                max_length=300)
        for code, _label in Competence.choices:
            self.fields[f"instrument_{code}"] = forms.ChoiceField(
                label=_("Designated under"), required=False, choices=[("", _("No instrument")), *Instrument.choices])
            self.fields[f"notes_{code}"] = forms.CharField(label=_("Scope notes"), required=False,
                                                           widget=forms.Textarea(attrs={"rows": 2}))
        self.order_fields(order[:2] + [f"name_{code}" for code in UI_LANGUAGES] + order[2:])

    @property
    def name_fields(self):
        return [self[f"name_{code}"] for code in UI_LANGUAGES]

    def competence_rows(self):
        """For the template: each competence's checkbox with its instrument and notes fields."""
        boxes = {box.data["value"]: box for box in self["competences"]}
        return [{"code": code, "label": label, "box": boxes[code], "instrument": self[f"instrument_{code}"],
                 "notes": self[f"notes_{code}"]} for code, label in Competence.choices]

    def clean_office_hours(self):
        return parse_office_hours(self.cleaned_data["office_hours"])

    def clean_closures(self):
        return parse_closures(self.cleaned_data["closures"])

    def service_data(self) -> dict:
        """The payload for services.authority_create / authority_update (every field: a full edit)."""
        data = self.cleaned_data
        payload = {
            "country": data["country"],
            "official_name": data["official_name"],
            "names": {code: data[f"name_{code}"] for code in UI_LANGUAGES if data[f"name_{code}"].strip()},
            "competences": [{"code": code, "instrument": data[f"instrument_{code}"],
                             "scope_notes": data[f"notes_{code}"]} for code in data["competences"]],
            "languages_accepted": split_codes(data["languages_accepted"]),
            "channels": list(data["channels"]),
            "urgent_channels": list(data["urgent_channels"]),
            "untoc_mla_basis": data["untoc_mla_basis"],
            "untoc_extradition_basis": data["untoc_extradition_basis"],
            "postal_address": data["postal_address"],
            "email": data["email"].strip(),
            "phone": data["phone"],
            "website": data["website"].strip(),
            "timezone": data["timezone"].strip(),
            "holiday_subdivision": data["holiday_subdivision"].strip().upper(),
            "always_available": data["always_available"],
            "office_hours": data["office_hours"],
            "closures": data["closures"],
        }
        if "is_active" in data:
            payload["is_active"] = data["is_active"]
        return payload

    @staticmethod
    def initial_for(authority) -> dict:
        initial = {
            "country": authority.country.iso2, "official_name": authority.official_name,
            "competences": [c.code for c in authority.competences.all()],
            "languages_accepted": ", ".join(authority.languages_accepted),
            "channels": list(authority.channels), "urgent_channels": list(authority.urgent_channels),
            "untoc_mla_basis": authority.untoc_mla_basis, "untoc_extradition_basis": authority.untoc_extradition_basis,
            "postal_address": authority.postal_address, "email": authority.email, "phone": authority.phone,
            "website": authority.website, "timezone": authority.timezone,
            "holiday_subdivision": authority.holiday_subdivision, "always_available": authority.always_available,
            "office_hours": format_office_hours(authority.office_hours.all()),
            "closures": format_closures(authority.closures.all()), "is_active": authority.is_active,
        }
        for code in UI_LANGUAGES:
            initial[f"name_{code}"] = authority.names.get(code, "")
        for competence in authority.competences.all():
            initial[f"instrument_{competence.code}"] = competence.instrument
            initial[f"notes_{competence.code}"] = competence.scope_notes
        return initial


# Where a service error key has no field of the same name on the form.
AUTHORITY_ERROR_FIELDS = {"names": None, "is_active": None}


# --- contacts --------------------------------------------------------------------------------------------------


class ContactForm(forms.Form):
    """A contact point. Each restrictable field has its own visibility select next to it."""

    seat_title = forms.CharField(label=_("Position"), max_length=200,
                                 help_text=_("The seat the person holds, e.g. “Head of the MLA unit”. It stays "
                                             "when the seat is handed over."))
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    languages = forms.CharField(label=_("Languages spoken"), required=False,
                                help_text=_("ISO 639-1 codes separated by commas or spaces, e.g. pt, en."))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    mobile = forms.CharField(label=_("Mobile"), required=False, max_length=40)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254, widget=forms.EmailInput)
    secure_channel = forms.CharField(label=_("Secure channel address"), required=False, max_length=200)
    timezone = forms.CharField(label=_("Own time zone"), required=False, max_length=64,
                               help_text=_("Only if different from the authority's, e.g. Europe/Paris."))
    always_available = forms.BooleanField(label=_("Available 24/7"), required=False)
    start_date = forms.CharField(label=_("Holds the seat since"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("YYYY-MM-DD; today if empty."))

    def __init__(self, *args, with_seat: bool = True, with_start: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_seat:
            del self.fields["seat_title"]
        if not with_start:
            del self.fields["start_date"]
        for name in CONTACT_RESTRICTABLE_FIELDS:
            label = self.fields[name].label
            self.fields[f"vis_{name}"] = forms.ChoiceField(
                label=_("Who may see “%(field)s”") % {"field": label}, choices=Visibility.choices,
                initial=DEFAULT_CONTACT_VISIBILITY[name])

    def field_rows(self):
        """Fields in display order, each restrictable one paired with its visibility select."""
        rows = []
        for name in self.fields:
            if name.startswith("vis_"):
                continue
            rows.append({"field": self[name], "visibility": self[f"vis_{name}"]
                         if name in CONTACT_RESTRICTABLE_FIELDS else None})
        return rows

    def service_data(self) -> dict:
        data = self.cleaned_data
        payload = {name: data[name] for name in ("name", "title", "phone", "mobile", "secure_channel")}
        payload.update({
            "email": data["email"].strip(),
            "languages": split_codes(data["languages"]),
            "timezone": data["timezone"].strip(),
            "always_available": data["always_available"],
            "visibility": {name: data[f"vis_{name}"] for name in CONTACT_RESTRICTABLE_FIELDS},
        })
        if data.get("start_date"):
            payload["start_date"] = data["start_date"].strip()
        return payload

    @staticmethod
    def initial_for(contact) -> dict:
        initial = {name: getattr(contact, name) for name in ("name", "title", "phone", "mobile", "email",
                                                             "secure_channel", "timezone", "always_available")}
        initial["languages"] = ", ".join(contact.languages)
        initial["start_date"] = contact.start_date.isoformat() if contact.start_date else ""
        for name in CONTACT_RESTRICTABLE_FIELDS:
            initial[f"vis_{name}"] = contact.visibility_of(name)
        return initial


class HandoverForm(ContactForm):
    """The successor's details and the day the seat changes hands."""

    on = forms.DateField(label=_("Handover date"), widget=forms.DateInput(attrs={"type": "date"}),
                         help_text=_("The current holder's tenure ends and the successor's begins on this day "
                                     "(YYYY-MM-DD)."),
                         error_messages={"invalid": _("Enter the date as YYYY-MM-DD.")})

    def __init__(self, *args, holder_since=None, **kwargs):
        super().__init__(*args, with_seat=False, with_start=False, **kwargs)
        self.holder_since = holder_since
        self.order_fields(["on"])

    def clean_on(self):
        day = self.cleaned_data["on"]
        if self.holder_since and day < self.holder_since:
            raise forms.ValidationError(_("The seat cannot change hands before the current holder took it "
                                          "(%(day)s).") % {"day": self.holder_since.isoformat()})
        return day


# --- the finder ------------------------------------------------------------------------------------------------


class FinderForm(forms.Form):
    requesting = forms.ChoiceField(label=_("Requesting state"), help_text=_("The state sending the request."))
    requested = forms.ChoiceField(label=_("Requested state"), help_text=_("The state asked for cooperation."))
    type = forms.ChoiceField(label=_("Type of cooperation"), error_messages={
        "invalid_choice": _("“%(value)s” is not a type of cooperation.")})
    urgent = forms.BooleanField(label=_("Urgent request"), required=False,
                                help_text=_("Lists 24/7 options first."))

    def __init__(self, *args, countries, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose a state")), *country_choices(countries)]
        for name in ("requesting", "requested"):
            self.fields[name].choices = choices
            self.fields[name].error_messages["invalid_choice"] = _("“%(value)s” is not a country in Comity.")
        self.fields["type"].choices = [(key, COOPERATION_LABELS[key]) for key in COOPERATION_TYPES]

    def clean(self):
        data = super().clean()
        if data.get("requesting") and data.get("requesting") == data.get("requested"):
            self.add_error("requested", _("Choose a state other than the requesting state."))
        return data
