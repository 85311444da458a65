"""The editing forms of authorities, contact points and handovers: they parse what the browser sends."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comity.core.formrender import NormalizedChoices
from comity.core.i18n import UI_LANGUAGES, language_name
from comity.directory.forms.search import country_choices
from comity.directory.forms.text import (
    format_closures,
    format_office_hours,
    parse_closures,
    parse_office_hours,
    split_codes,
)
from comity.directory.forms.widgets import CachedSelect
from comity.directory.inputs import AuthorityInput, NewContactInput, max_lengths
from comity.directory.inputs.fields import MaxLength
from comity.directory.models import (
    CONTACT_RESTRICTABLE_FIELDS,
    DEFAULT_CONTACT_VISIBILITY,
    Channel,
    Competence,
    Instrument,
    UrgentChannel,
    Visibility,
)

# The input serializers' limits: a page refuses what the CSV import and the API refuse, with the same message.
AUTHORITY_LIMITS = max_lengths(AuthorityInput)
CONTACT_LIMITS = max_lengths(NewContactInput)


class LimitedCharField(forms.CharField):
    """Text refused beyond `limit` characters with the input serializers' message; the browser sees maxlength."""

    def __init__(self, *, limit: int, **kwargs):
        self.limit = limit
        super().__init__(validators=[MaxLength(limit)], **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if not widget.is_hidden:
            attrs["maxlength"] = str(self.limit)
        return attrs


# --- authorities ------------------------------------------------------------------------------------------


def _checkboxes(choices, label, help_text=""):
    return forms.MultipleChoiceField(
        label=label, required=False, choices=choices, help_text=help_text, widget=forms.CheckboxSelectMultiple
    )


class AuthorityForm(forms.Form):
    """Every field of an authority. Competences are checkboxes, each with its instrument and scope notes."""

    country = forms.ChoiceField(label=_("Country"), widget=CachedSelect)
    official_name = LimitedCharField(label=_("Official name"), limit=AUTHORITY_LIMITS["official_name"])
    competences = _checkboxes(
        Competence.choices, _("Competences"), _("Tick each competence the authority is designated for.")
    )
    languages_accepted = forms.CharField(
        label=_("Languages accepted"),
        required=False,
        help_text=_("ISO 639-1 codes separated by commas or spaces, e.g. pt, en, es."),
    )
    channels = _checkboxes(Channel.choices, _("Channels accepted"))
    urgent_channels = _checkboxes(
        UrgentChannel.choices, _("Urgent requests accepted in advance by"), _("With the original request to follow.")
    )
    untoc_mla_basis = forms.BooleanField(
        label=_("Accepts UNTOC as legal basis for mutual legal assistance"), required=False
    )
    untoc_extradition_basis = forms.BooleanField(
        label=_("Accepts UNTOC as legal basis for extradition"), required=False
    )
    postal_address = forms.CharField(
        label=_("Postal address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    email = LimitedCharField(
        label=_("Official e-mail"), required=False, limit=AUTHORITY_LIMITS["email"], widget=forms.EmailInput
    )
    phone = LimitedCharField(label=_("Phone"), required=False, limit=AUTHORITY_LIMITS["phone"])
    website = LimitedCharField(
        label=_("Website"), required=False, limit=AUTHORITY_LIMITS["website"], widget=forms.URLInput
    )
    timezone = LimitedCharField(
        label=_("Time zone"),
        limit=AUTHORITY_LIMITS["timezone"],
        help_text=_("An IANA time zone name, e.g. America/Sao_Paulo or Asia/Jakarta."),
    )
    holiday_subdivision = LimitedCharField(
        label=_("Holiday subdivision"),
        required=False,
        limit=AUTHORITY_LIMITS["holiday_subdivision"],
        help_text=_("Where regional public holidays apply, the subdivision code (e.g. DF); else leave empty."),
    )
    always_available = forms.BooleanField(label=_("Available 24/7"), required=False)
    office_hours = forms.CharField(
        label=_("Office hours"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "dir": "ltr"}),
        help_text=_(
            "One interval per line in local time, e.g. “Mon 09:00-13:00”. A range of days and several "
            "intervals work too: “Mon-Fri 09:00-13:00, 14:00-18:00”. A shift past midnight is two lines: "
            "“Fri 22:00-24:00” and “Sat 00:00-02:00”."
        ),
    )
    closures = forms.CharField(
        label=_("Closures"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr"}),
        help_text=_(
            "One per line: first day, last day (YYYY-MM-DD) and the reason, e.g. “2026-12-24 2026-12-31 "
            "Office move”. A single date is a one-day closure."
        ),
    )
    is_active = forms.BooleanField(label=_("Active (listed in the directory)"), required=False, initial=True)

    def __init__(self, *args, countries, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = NormalizedChoices([("", _("Choose a country")), *country_choices(countries)])
        self.fields["country"].error_messages["invalid_choice"] = _(
            "You cannot add or move an authority to this country."
        )
        if not editing:
            del self.fields["is_active"]
        order = list(self.fields)
        for code in UI_LANGUAGES:
            self.fields[f"name_{code}"] = LimitedCharField(
                label=_("Name in %(language)s") % {"language": language_name(code)},
                required=False,
                limit=AUTHORITY_LIMITS["names"],
            )
        for code, _label in Competence.choices:
            self.fields[f"instrument_{code}"] = forms.ChoiceField(
                label=_("Designated under"), required=False, choices=[("", _("No instrument")), *Instrument.choices]
            )
            self.fields[f"notes_{code}"] = forms.CharField(
                label=_("Scope notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.order_fields(order[:2] + [f"name_{code}" for code in UI_LANGUAGES] + order[2:])

    @property
    def name_fields(self):
        return [self[f"name_{code}"] for code in UI_LANGUAGES]

    def competence_rows(self):
        """For the template: each competence's checkbox with its instrument and notes fields."""
        boxes = {box.data["value"]: box for box in self["competences"]}
        return [
            {
                "code": code,
                "label": label,
                "box": boxes[code],
                "instrument": self[f"instrument_{code}"],
                "notes": self[f"notes_{code}"],
            }
            for code, label in Competence.choices
        ]

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
            "competences": [
                {"code": code, "instrument": data[f"instrument_{code}"], "scope_notes": data[f"notes_{code}"]}
                for code in data["competences"]
            ],
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
            "country": authority.country.iso2,
            "official_name": authority.official_name,
            "competences": [c.code for c in authority.competences.all()],
            "languages_accepted": ", ".join(authority.languages_accepted),
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
            "office_hours": format_office_hours(authority.office_hours.all()),
            "closures": format_closures(authority.closures.all()),
            "is_active": authority.is_active,
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

    seat_title = LimitedCharField(
        label=_("Position"),
        limit=CONTACT_LIMITS["seat_title"],
        help_text=_("The seat the person holds, e.g. “Head of the MLA unit”. It stays when the seat is handed over."),
    )
    name = LimitedCharField(label=_("Name"), limit=CONTACT_LIMITS["name"])
    title = LimitedCharField(label=_("Title"), required=False, limit=CONTACT_LIMITS["title"])
    languages = forms.CharField(
        label=_("Languages spoken"),
        required=False,
        help_text=_("ISO 639-1 codes separated by commas or spaces, e.g. pt, en."),
    )
    phone = LimitedCharField(label=_("Phone"), required=False, limit=CONTACT_LIMITS["phone"])
    mobile = LimitedCharField(label=_("Mobile"), required=False, limit=CONTACT_LIMITS["mobile"])
    email = LimitedCharField(label=_("E-mail"), required=False, limit=CONTACT_LIMITS["email"], widget=forms.EmailInput)
    secure_channel = LimitedCharField(
        label=_("Secure channel address"), required=False, limit=CONTACT_LIMITS["secure_channel"]
    )
    timezone = LimitedCharField(
        label=_("Own time zone"),
        required=False,
        limit=CONTACT_LIMITS["timezone"],
        help_text=_("Only if different from the authority's, e.g. Europe/Paris."),
    )
    always_available = forms.BooleanField(label=_("Available 24/7"), required=False)
    start_date = forms.CharField(
        label=_("Holds the seat since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("YYYY-MM-DD; today if empty."),
    )

    def __init__(self, *args, with_seat: bool = True, with_start: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_seat:
            del self.fields["seat_title"]
        if not with_start:
            del self.fields["start_date"]
        for name in CONTACT_RESTRICTABLE_FIELDS:
            label = self.fields[name].label
            self.fields[f"vis_{name}"] = forms.ChoiceField(
                label=_("Who may see “%(field)s”") % {"field": label},
                choices=Visibility.choices,
                initial=DEFAULT_CONTACT_VISIBILITY[name],
            )

    def field_rows(self):
        """Fields in display order, each restrictable one paired with its visibility select."""
        rows = []
        for name in self.fields:
            if name.startswith("vis_"):
                continue
            rows.append(
                {
                    "field": self[name],
                    "visibility": self[f"vis_{name}"] if name in CONTACT_RESTRICTABLE_FIELDS else None,
                }
            )
        return rows

    def service_data(self) -> dict:
        data = self.cleaned_data
        payload = {name: data[name] for name in ("name", "title", "phone", "mobile", "secure_channel")}
        payload.update(
            {
                "email": data["email"].strip(),
                "languages": split_codes(data["languages"]),
                "timezone": data["timezone"].strip(),
                "always_available": data["always_available"],
                "visibility": {name: data[f"vis_{name}"] for name in CONTACT_RESTRICTABLE_FIELDS},
            }
        )
        if data.get("start_date"):
            payload["start_date"] = data["start_date"].strip()
        return payload

    @staticmethod
    def initial_for(contact) -> dict:
        initial = {
            name: getattr(contact, name)
            for name in ("name", "title", "phone", "mobile", "email", "secure_channel", "timezone", "always_available")
        }
        initial["languages"] = ", ".join(contact.languages)
        initial["start_date"] = contact.start_date.isoformat() if contact.start_date else ""
        for name in CONTACT_RESTRICTABLE_FIELDS:
            initial[f"vis_{name}"] = contact.visibility_of(name)
        return initial


class HandoverForm(ContactForm):
    """The successor's details and the day the seat changes hands."""

    on = forms.DateField(
        label=_("Handover date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The current holder's tenure ends and the successor's begins on this day (YYYY-MM-DD)."),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD.")},
    )

    def __init__(self, *args, holder_since=None, **kwargs):
        super().__init__(*args, with_seat=False, with_start=False, **kwargs)
        self.holder_since = holder_since
        self.order_fields(["on"])

    def clean_on(self):
        day = self.cleaned_data["on"]
        if self.holder_since and day < self.holder_since:
            raise forms.ValidationError(
                _("The seat cannot change hands before the current holder took it (%(day)s).")
                % {"day": self.holder_since.isoformat()}
            )
        return day
