"""JSON shapes of countries and networks; names in the active language (UN terminology, CLDR in Portuguese)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comity.reference import regions, selectors
from comity.reference.models import Country, Network

UI_LANGUAGES = [code for code, _name in settings.LANGUAGES]

NAMES_SCHEMA = {
    "type": "object",
    "description": "The name in each UI language (en, fr, es, ru, zh-hans, ar, pt): UN terminology (UNTERM short "
    "names) in the six UN languages, CLDR in Portuguese.",
    "properties": {code: {"type": "string"} for code in UI_LANGUAGES},
    "required": UI_LANGUAGES,
}


class AreaSerializer(serializers.Serializer):
    """A UN M49 area: 3-digit code and its name in the active language (empty strings when none)."""

    code = serializers.CharField()
    name = serializers.CharField()


def _area(code: str) -> dict | None:
    return {"code": code, "name": regions.area_name(code)} if code else None


class CountrySerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(
        help_text=_("The name in the active language: UN terminology, CLDR in Portuguese.")
    )
    names = serializers.SerializerMethodField()
    region = serializers.SerializerMethodField()
    subregion = serializers.SerializerMethodField()
    intermediate_region = serializers.SerializerMethodField()
    networks = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text=_("Slugs of the networks the country belongs to.")
    )
    timezones = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("IANA time zones, the capital's first.")
    )

    class Meta:
        model = Country
        fields = [
            "iso2",
            "iso3",
            "m49",
            "name",
            "names",
            "region",
            "subregion",
            "intermediate_region",
            "un_status",
            "is_state",
            "is_ldc",
            "is_lldc",
            "is_sids",
            "timezones",
            "holidays_supported",
            "networks",
        ]
        read_only_fields = fields

    def get_name(self, country: Country) -> str:
        return country.name

    @extend_schema_field(NAMES_SCHEMA)
    def get_names(self, country: Country) -> dict[str, str]:
        return {code: country.name_in(code) for code in UI_LANGUAGES}

    @extend_schema_field(AreaSerializer(allow_null=True))
    def get_region(self, country: Country) -> dict | None:
        return _area(country.region_m49)

    @extend_schema_field(AreaSerializer(allow_null=True))
    def get_subregion(self, country: Country) -> dict | None:
        return _area(country.subregion_m49)

    @extend_schema_field(AreaSerializer(allow_null=True))
    def get_intermediate_region(self, country: Country) -> dict | None:
        return _area(country.intermediate_region_m49)


class MemberSerializer(serializers.Serializer):
    iso2 = serializers.CharField(source="country.iso2")
    name = serializers.CharField(source="country.name")
    note = serializers.CharField()


class NetworkSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(
        help_text=_("The network's name in the active language where it has one, else in English.")
    )
    member_count = serializers.IntegerField(read_only=True)
    members = MemberSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Network
        fields = [
            "slug",
            "acronym",
            "name",
            "names",
            "description",
            "descriptions",
            "website",
            "source",
            "source_url",
            "as_of",
            "members_complete",
            "note",
            "member_count",
            "members",
        ]
        read_only_fields = fields

    def get_name(self, network: Network) -> str:
        return network.localized_name()


class CountryFilterSerializer(serializers.Serializer):
    """Query parameters of the country list; unknown values are rejected, not silently ignored."""

    region = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("UN M49 region, sub-region or intermediate region code, e.g. 019."),
    )
    network = serializers.CharField(required=False, allow_blank=True, help_text=_("Network slug, e.g. iberred."))

    def validate_region(self, value: str) -> str:
        if value and value not in regions.known_codes():
            raise serializers.ValidationError(
                _("“%(value)s” is not a UN M49 region or sub-region code.") % {"value": value}
            )
        return value

    def validate_network(self, value: str) -> str:
        if value and value not in selectors.network_slugs():
            raise serializers.ValidationError(_("“%(value)s” is not a network in Comity.") % {"value": value})
        return value
