"""The input serializers of authorities and contact points: one set of rules and messages for every way in."""

from __future__ import annotations

from typing import Any

from django.core import validators
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from comity.directory.availability import holiday_subdivisions
from comity.directory.inputs.fields import (
    Closures,
    CodeList,
    Competences,
    Day,
    Email,
    Flag,
    LanguageCodes,
    Names,
    OfficeHours,
    Text,
    TimeZone,
    UpperCode,
    VisibilityMap,
    Website,
)
from comity.directory.inputs.fields import model_max_length as _limit
from comity.directory.models import (
    CONTACT_RESTRICTABLE_FIELDS,
    Authority,
    Channel,
    Contact,
    Seat,
    UrgentChannel,
)
from comity.reference.models import Country


class AuthorityInput(serializers.Serializer):
    """An authority to create (every required field), or with partial=True the fields to change.

    Context: `country`, the ISO code of the authority being changed, for the holiday subdivision check when the
    payload does not move it.
    """

    country = UpperCode(
        required=True,
        help_text=gettext_lazy("ISO 3166-1 alpha-2 code; coordinators may only use the countries they coordinate."),
    )
    official_name = Text(
        max_length=_limit(Authority, "official_name"), required_message=gettext_lazy("The official name is required.")
    )
    names = Names(max_length=_limit(Authority, "official_name"), help_text=gettext_lazy("UI language code to name."))
    competences = Competences(help_text=gettext_lazy("At least one; each code once."))
    languages_accepted = LanguageCodes(help_text=gettext_lazy("ISO 639-1 codes."))
    channels = CodeList(choices=Channel.choices)
    urgent_channels = CodeList(choices=UrgentChannel.choices)
    untoc_mla_basis = Flag()
    untoc_extradition_basis = Flag()
    postal_address = Text()
    email = Email(max_length=_limit(Authority, "email"))
    phone = Text(max_length=_limit(Authority, "phone"))
    website = Website(max_length=_limit(Authority, "website"))
    timezone = TimeZone(
        max_length=_limit(Authority, "timezone"),
        required_message=gettext_lazy("The time zone is required (an IANA name such as Europe/Paris)."),
        help_text=gettext_lazy("IANA time zone name, e.g. America/Sao_Paulo."),
    )
    holiday_subdivision = Text(max_length=_limit(Authority, "holiday_subdivision"))
    office_hours = OfficeHours(
        help_text=gettext_lazy(
            "Intervals may not overlap on a day and must close after they open; split a shift past midnight into "
            "22:00-24:00 and 00:00-02:00 the next day."
        )
    )
    always_available = Flag()
    closures = Closures()
    is_active = Flag()

    def validate_country(self, code: str) -> Country:
        country = Country.objects.filter(iso2=code).first() if code else None
        if country is None:
            raise serializers.ValidationError(_("Unknown country code %(code)s.") % {"code": code or "''"})
        return country

    def validate_holiday_subdivision(self, code: str) -> str:
        country = self._country_code()
        if code and country and code not in holiday_subdivisions(country):
            raise serializers.ValidationError(
                _("Unknown subdivision %(code)s for public holidays; leave it empty or use one of: %(allowed)s.")
                % {"code": code, "allowed": ", ".join(holiday_subdivisions(country)) or "—"}
            )
        return code

    def _country_code(self) -> str:
        """The country the record will have: the one sent when it exists, else the record's own."""
        sent = str(self.initial_data.get("country") or "").upper() if "country" in self.initial_data else ""
        if sent and Country.objects.filter(iso2=sent).exists():
            return sent
        return self.context.get("country", "")


class ContactInput(serializers.Serializer):
    """A contact point (the person holding a seat), or with partial=True the fields to change."""

    name = Text(max_length=_limit(Contact, "name"), required_message=gettext_lazy("The name is required."))
    title = Text(max_length=_limit(Contact, "title"))
    languages = LanguageCodes(help_text=gettext_lazy("ISO 639-1 codes."))
    phone = Text(max_length=_limit(Contact, "phone"))
    mobile = Text(max_length=_limit(Contact, "mobile"))
    email = Email(max_length=_limit(Contact, "email"))
    secure_channel = Text(max_length=_limit(Contact, "secure_channel"))
    timezone = TimeZone(
        max_length=_limit(Contact, "timezone"), help_text=gettext_lazy("Own IANA time zone; empty for the authority's.")
    )
    always_available = Flag()
    start_date = Day()
    visibility = VisibilityMap(
        help_text=gettext_lazy("Field name (%(fields)s) to visibility level.")
        % {"fields": ", ".join(CONTACT_RESTRICTABLE_FIELDS)}
    )


class NewContactInput(ContactInput):
    """A contact point in a new seat, with the seat's title (by default the person's title, else the name)."""

    seat_title = Text(
        max_length=_limit(Seat, "title"),
        help_text=gettext_lazy("The position the person holds (creation only); defaults to the title or the name."),
    )


def validated(
    serializer_class: type[serializers.Serializer], data, *, partial: bool = False, **context
) -> dict[str, Any]:
    """The cleaned payload, or a Django ValidationError mapping each rejected field to its messages."""
    serializer = serializer_class(data=data, partial=partial, context=context)
    if not serializer.is_valid():
        raise DjangoValidationError(
            {field: [str(message) for message in messages] for field, messages in serializer.errors.items()}
        )
    return dict(serializer.validated_data)


def max_lengths(serializer_class: type[serializers.Serializer]) -> dict[str, int]:
    """Field name -> the most characters its text (or, for names, each name) may have."""
    limits = {}
    for name, field in serializer_class._declared_fields.items():
        for candidate in (field, getattr(field, "child", None)):
            for validator in getattr(candidate, "validators", ()):
                if isinstance(validator, validators.MaxLengthValidator):
                    limits[name] = validator.limit_value
    return limits
