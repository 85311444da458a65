"""JSON shapes of the directory: authorities, contact points, availability and the finder (parameters: params.py).

Output serializers only read. Request bodies are the input serializers of `comity.directory.inputs`, which the
services run on every write; the write serializers here only name them in the OpenAPI schema.

A contact field whose visibility the caller may not read is left out of the object (not sent as null).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comity.core.i18n import UI_LANGUAGES
from comity.directory import permissions, selectors
from comity.directory.inputs import AuthorityInput, ClosureShape, NewContactInput, OfficeHoursShape
from comity.directory.models import (
    CONTACT_RESTRICTABLE_FIELDS,
    Authority,
    Channel,
    Competence,
    Contact,
    Instrument,
    UrgentChannel,
    Visibility,
)

# --- shared pieces -----------------------------------------------------------------------------------------------


class ErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text=gettext_lazy("The HTTP status code."))
    code = serializers.CharField(
        help_text=gettext_lazy(
            "invalid, not_authenticated, permission_denied, not_found, method_not_allowed, throttled, ..."
        )
    )
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=gettext_lazy("For invalid input: the messages by field or query parameter name."),
    )


class DirectoryErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    error = ErrorBodySerializer()


class FreshnessSerializer(serializers.Serializer):
    days = serializers.IntegerField(help_text=gettext_lazy("Days since the record was last confirmed."))
    due = serializers.BooleanField(help_text=gettext_lazy("Confirmation is due (older than the window)."))
    overdue_days = serializers.IntegerField()


class CompetenceSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Competence.choices)
    instrument = serializers.CharField(
        help_text=gettext_lazy("Instrument code the designation was made under, or an empty string. One of: %(codes)s.")
        % {"codes": ", ".join(Instrument.values)}
    )
    scope_notes = serializers.CharField()


class AvailabilitySerializer(serializers.Serializer):
    """Whether an authority is open at a moment, in its own time zone (Availability.as_api())."""

    open = serializers.BooleanField()
    status = serializers.ChoiceField(choices=["open", "closed", "holiday", "closure", "always"])
    local_time = serializers.DateTimeField(
        help_text=gettext_lazy("The moment in the authority's zone, ISO 8601 with offset.")
    )
    timezone = serializers.CharField(help_text=gettext_lazy("IANA time zone name."))
    holiday = serializers.CharField(
        allow_null=True,
        help_text=gettext_lazy(
            "The public holiday's name in the requested language where the holidays data has it, else null."
        ),
    )
    next_open = serializers.DateTimeField(
        allow_null=True,
        help_text=gettext_lazy(
            "When it next opens, ISO 8601 with the authority's offset; null when open now, 24/7 or no hours."
        ),
    )


# --- contacts ------------------------------------------------------------------------------------------------


def _restricted(field: serializers.Field) -> serializers.Field:
    """Mark a field that is left out when the caller may not see it (optional in the schema)."""
    field.help_text = gettext_lazy("Left out when the caller may not see it (field visibility).")
    return field


class ContactSerializer(serializers.Serializer):
    """A person holding a seat. Fields the caller may not see are left out, never sent as null."""

    id = serializers.IntegerField(read_only=True)
    authority = serializers.IntegerField(source="authority_id", read_only=True)
    country = serializers.CharField(source="authority.country.iso2", read_only=True)
    seat = serializers.IntegerField(source="seat_id", read_only=True)
    # Restricted fields are declared writable-looking (not read_only) only so that the schema marks them optional.
    name = _restricted(serializers.CharField(required=False))
    title = _restricted(serializers.CharField(required=False))
    phone = _restricted(serializers.CharField(required=False))
    mobile = _restricted(serializers.CharField(required=False))
    email = _restricted(serializers.CharField(required=False))
    secure_channel = _restricted(serializers.CharField(required=False))
    languages = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=gettext_lazy("ISO 639-1 codes.")
    )
    timezone = serializers.CharField(
        read_only=True, help_text=gettext_lazy("Own IANA time zone; empty when the same as the authority's.")
    )
    always_available = serializers.BooleanField(read_only=True)
    start_date = serializers.DateField(read_only=True)
    end_date = serializers.DateField(
        read_only=True, allow_null=True, help_text=gettext_lazy("Null while the person holds the seat.")
    )
    is_current = serializers.BooleanField(read_only=True)
    last_confirmed_at = serializers.DateTimeField(read_only=True)
    freshness = serializers.SerializerMethodField()
    visibility = serializers.DictField(
        child=serializers.ChoiceField(choices=Visibility.choices),
        required=False,
        help_text=gettext_lazy("Who may see each restricted field. Sent only to those who may edit the contact."),
    )

    @extend_schema_field(FreshnessSerializer)
    def get_freshness(self, contact: Contact) -> dict:
        return selectors.freshness(contact.last_confirmed_at)

    def to_representation(self, contact: Contact) -> dict:
        data = super().to_representation(contact)
        user = self.context["request"].user
        country_code = contact.authority.country.iso2
        visible = permissions.visible_contact_fields(user, contact, country_code)
        for name in CONTACT_RESTRICTABLE_FIELDS:
            if name not in visible:
                data.pop(name, None)
        if permissions.can_edit_country(user, country_code):
            data["visibility"] = {name: contact.visibility_of(name) for name in CONTACT_RESTRICTABLE_FIELDS}
        else:
            data.pop("visibility", None)
        return data


# --- authorities ---------------------------------------------------------------------------------------------


def current_contacts(authority: Authority) -> list[Contact]:
    """Current seat holders from whichever prefetch the selector made (list or detail)."""
    if hasattr(authority, "current_contacts"):
        return list(authority.current_contacts)
    if hasattr(authority, "all_contacts"):
        return [contact for contact in authority.all_contacts if contact.end_date is None]
    return list(
        authority.contacts.filter(end_date__isnull=True).select_related("seat").order_by("seat__position", "pk")
    )


NAMES_SCHEMA = {
    "type": "object",
    "description": f"The authority's name in other languages, by UI language code (any of {', '.join(UI_LANGUAGES)}).",
    "additionalProperties": {"type": "string"},
}


class AuthoritySerializer(serializers.Serializer):
    """A competent national authority with its competences, how it takes requests, office hours and contacts."""

    id = serializers.IntegerField(read_only=True)
    country = serializers.CharField(
        source="country.iso2", read_only=True, help_text=gettext_lazy("ISO 3166-1 alpha-2 code.")
    )
    official_name = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "The name in the request's language where the authority has one, else the official name."
        )
    )
    names = serializers.SerializerMethodField()
    competences = CompetenceSerializer(many=True, read_only=True)
    languages_accepted = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=gettext_lazy("ISO 639-1 codes.")
    )
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), read_only=True)
    urgent_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=UrgentChannel.choices),
        read_only=True,
        help_text=gettext_lazy("How urgent requests are accepted in advance, original to follow."),
    )
    untoc_mla_basis = serializers.BooleanField(read_only=True)
    untoc_extradition_basis = serializers.BooleanField(read_only=True)
    postal_address = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    website = serializers.CharField(read_only=True)
    timezone = serializers.CharField(read_only=True, help_text=gettext_lazy("IANA time zone of the office hours."))
    holiday_subdivision = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy(
            "Subdivision whose public holidays apply (holidays package code), or empty for national holidays."
        ),
    )
    office_hours = serializers.SerializerMethodField()
    always_available = serializers.BooleanField(read_only=True)
    closures = ClosureShape(many=True, read_only=True)
    is_active = serializers.BooleanField(
        read_only=True,
        help_text=gettext_lazy(
            "Inactive authorities are visible only to the secretariat and the country's coordinators."
        ),
    )
    last_confirmed_at = serializers.DateTimeField(read_only=True)
    freshness = serializers.SerializerMethodField()
    contacts = serializers.SerializerMethodField(
        help_text=gettext_lazy("Current seat holders, with only the fields the caller may see.")
    )

    def get_name(self, authority: Authority) -> str:
        return authority.localized_name()

    @extend_schema_field(NAMES_SCHEMA)
    def get_names(self, authority: Authority) -> dict[str, str]:
        return dict(authority.names)

    @extend_schema_field(OfficeHoursShape(many=True))
    def get_office_hours(self, authority: Authority) -> list[dict]:
        return [
            {"weekday": h.weekday, "opens": h.opens.strftime("%H:%M"), "closes": h.closes_label}
            for h in authority.office_hours.all()
        ]

    @extend_schema_field(FreshnessSerializer)
    def get_freshness(self, authority: Authority) -> dict:
        return selectors.freshness(authority.last_confirmed_at)

    @extend_schema_field(ContactSerializer(many=True))
    def get_contacts(self, authority: Authority) -> list[dict]:
        return ContactSerializer(current_contacts(authority), many=True, context=self.context).data


# --- request bodies: the input serializers that the services validate with, named for the schema -------------


class AuthorityWriteSerializer(AuthorityInput):
    """An authority to create, or the fields to change. PUT needs every field; PATCH any subset."""


AUTHORITY_WRITABLE = tuple(AuthorityWriteSerializer().fields)
AUTHORITY_READ_ONLY = ("id", "name", "last_confirmed_at", "freshness", "contacts")


class ContactWriteSerializer(NewContactInput):
    """A contact point to create (in an authority) or the fields to change."""

    authority = serializers.IntegerField(
        help_text=gettext_lazy("The id of an authority you may edit. Cannot be changed after creation.")
    )


CONTACT_WRITABLE = tuple(name for name in ContactWriteSerializer().fields if name not in ("authority", "seat_title"))
CONTACT_READ_ONLY = ("id", "country", "seat", "end_date", "is_current", "last_confirmed_at", "freshness")


# --- the finder ----------------------------------------------------------------------------------------------


class FinderCountrySerializer(serializers.Serializer):
    iso2 = serializers.CharField()
    name = serializers.CharField(help_text=gettext_lazy("In the request's language, from CLDR."))


class FinderRequestingCountrySerializer(FinderCountrySerializer):
    official_languages = serializers.ListField(
        child=serializers.CharField(), help_text=gettext_lazy("ISO 639-1 codes of the official languages, from CLDR.")
    )


class SharedNetworkSerializer(serializers.Serializer):
    slug = serializers.CharField()
    acronym = serializers.CharField()
    name = serializers.CharField()


class FinderAuthoritySummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    official_name = serializers.CharField()
    name = serializers.CharField(source="localized_name")
    postal_address = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    website = serializers.CharField()
    timezone = serializers.CharField()


class FinderRowSerializer(serializers.Serializer):
    """One competent authority of the requested state for the cooperation asked about."""

    authority = FinderAuthoritySummarySerializer()
    designation = CompetenceSerializer(
        allow_null=True,
        help_text=gettext_lazy("The competence it holds for this type of cooperation, with the instrument."),
    )
    channels = serializers.ListField(
        source="authority.channels", child=serializers.ChoiceField(choices=Channel.choices)
    )
    urgent_channels = serializers.ListField(
        source="authority.urgent_channels", child=serializers.ChoiceField(choices=UrgentChannel.choices)
    )
    languages_accepted = serializers.ListField(source="authority.languages_accepted", child=serializers.CharField())
    common_languages = serializers.ListField(
        child=serializers.CharField(),
        help_text=gettext_lazy("Accepted languages that are official languages of the requesting state."),
    )
    untoc_basis = serializers.BooleanField(
        help_text=gettext_lazy("Accepts UNTOC as legal basis (for extradition when type=extradition, else for MLA).")
    )
    always_available = serializers.BooleanField(
        help_text=gettext_lazy("The authority or one of its current contacts is available 24/7.")
    )
    availability = serializers.SerializerMethodField()
    contacts = serializers.SerializerMethodField(
        help_text=gettext_lazy("Current contacts with the fields the caller may see; 24/7 contacts first when urgent.")
    )

    @extend_schema_field(AvailabilitySerializer)
    def get_availability(self, row: dict) -> dict:
        return row["availability"].as_api()

    @extend_schema_field(ContactSerializer(many=True))
    def get_contacts(self, row: dict) -> list[dict]:
        contacts = row["contacts"]
        if self.context.get("urgent"):
            contacts = sorted(contacts, key=lambda contact: not contact.always_available)
        return ContactSerializer(contacts, many=True, context=self.context).data


class FinderSerializer(serializers.Serializer):
    """Where to send a request: the requested state's competent authorities and the networks both states share."""

    to = serializers.SerializerMethodField()
    type = serializers.CharField(source="cooperation_type")
    competence = serializers.SerializerMethodField()
    urgent = serializers.BooleanField()
    shared_networks = serializers.SerializerMethodField(
        help_text=gettext_lazy("Networks both states belong to; a shared network is a channel too.")
    )
    authorities = FinderRowSerializer(many=True)
    fallback = serializers.BooleanField(
        help_text=gettext_lazy(
            "True when the requested state has no authority recorded for this type: the authorities listed are its "
            "central authorities for mutual legal assistance instead."
        )
    )

    def get_fields(self):
        fields = super().get_fields()
        ordered = {"from": serializers.SerializerMethodField(method_name="get_requesting")}
        ordered.update(fields)
        return ordered

    @extend_schema_field(FinderRequestingCountrySerializer)
    def get_requesting(self, result: selectors.FinderResult) -> dict:
        return {
            "iso2": result.requesting.iso2,
            "name": result.requesting.name,
            "official_languages": sorted(result.requesting_languages),
        }

    @extend_schema_field(FinderCountrySerializer)
    def get_to(self, result: selectors.FinderResult) -> dict:
        return {"iso2": result.requested.iso2, "name": result.requested.name}

    @extend_schema_field(
        {
            "type": "string",
            "enum": Competence.values,
            "description": "The competence code this type of cooperation maps to.",
        }
    )
    def get_competence(self, result: selectors.FinderResult) -> str:
        return str(selectors.COOPERATION_TYPES[result.cooperation_type])

    @extend_schema_field(SharedNetworkSerializer(many=True))
    def get_shared_networks(self, result: selectors.FinderResult) -> list[dict]:
        return [{"slug": n.slug, "acronym": n.acronym, "name": n.localized_name()} for n in result.shared_networks]
