"""JSON shapes of instruments, parties and the legal-basis finder. Output only: writes go through the services,
which check every field (the write serializers here only describe the bodies in the OpenAPI schema)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comity.legalprofiles.choices import CooperationType
from comity.treaties.models import ConsentKind, Instrument, Kind, Party


class TreatiesErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class TreatiesErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    error = TreatiesErrorBodySerializer()


class CoverSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=CooperationType.choices)
    articles = serializers.CharField(allow_blank=True)


class DeclarationSerializer(serializers.Serializer):
    text = serializers.CharField()
    types = serializers.ListField(child=serializers.ChoiceField(choices=CooperationType.choices))
    excludes = serializers.BooleanField(
        help_text=gettext_lazy("Rules the instrument out as legal basis for these types.")
    )
    articles = serializers.CharField(allow_blank=True)


class InstrumentSerializer(serializers.ModelSerializer):
    title_localized = serializers.SerializerMethodField(help_text=gettext_lazy("The title in the active language."))
    covers = serializers.SerializerMethodField()
    states = serializers.SerializerMethodField(help_text=gettext_lazy("The two states of a bilateral treaty."))
    url = serializers.SerializerMethodField()
    # Not a `URLField` in the schema: an instrument without a link has "" here, which is not a URI.
    text_url = serializers.CharField(
        read_only=True, help_text=gettext_lazy("A link to the full text; empty when there is none.")
    )

    class Meta:
        model = Instrument
        fields = [
            "slug",
            "title",
            "title_localized",
            "titles",
            "kind",
            "covers",
            "states",
            "adopted_on",
            "in_force_on",
            "text_url",
            "text",
            "source",
            "as_of",
            "is_demo",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    def get_title_localized(self, instrument: Instrument) -> str:
        return instrument.localized_title()

    @extend_schema_field(CoverSerializer(many=True))
    def get_covers(self, instrument: Instrument) -> list[dict]:
        return [{"type": c.coop_type, "articles": c.articles} for c in instrument.coverages.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_states(self, instrument: Instrument) -> list[str]:
        return sorted(c.iso2 for c in instrument.states.all())

    def get_url(self, instrument: Instrument) -> str:
        from django.urls import reverse

        return reverse("treaties:instrument_detail", kwargs={"slug": instrument.slug})


class InstrumentWriteSerializer(serializers.Serializer):
    """Body of POST (every required field) and PATCH (the fields to change) on instruments."""

    slug = serializers.SlugField(max_length=80)
    title = serializers.CharField(max_length=400)
    titles = serializers.DictField(child=serializers.CharField(), required=False)
    kind = serializers.ChoiceField(choices=Kind.choices)
    covers = CoverSerializer(many=True, required=False)
    states = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=gettext_lazy("Bilateral treaties only: the ISO codes of the two states."),
    )
    adopted_on = serializers.DateField(required=False, allow_null=True)
    in_force_on = serializers.DateField(required=False, allow_null=True)
    text_url = serializers.URLField(required=False, allow_blank=True)
    text = serializers.CharField(required=False, allow_blank=True)
    source = serializers.CharField(required=False, allow_blank=True)
    as_of = serializers.DateField(required=False, allow_null=True)


class PartySerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.iso2")
    country_name = serializers.CharField(source="country.name")
    instrument = serializers.CharField(source="instrument.slug")
    declarations = DeclarationSerializer(many=True, read_only=True)

    class Meta:
        model = Party
        fields = [
            "instrument",
            "country",
            "country_name",
            "signed_on",
            "consent_on",
            "consent_kind",
            "in_force_on",
            "withdrawn_on",
            "verified",
            "verified_at",
            "source",
            "as_of",
            "declarations",
            "updated_at",
        ]
        read_only_fields = fields


class PartyWriteSerializer(serializers.Serializer):
    """Body of POST on an instrument's parties: records the state's row, or replaces the fields sent if it exists."""

    country = serializers.CharField(help_text=gettext_lazy("ISO 3166-1 alpha-2 code."))
    signed_on = serializers.DateField(required=False, allow_null=True)
    consent_on = serializers.DateField(required=False, allow_null=True)
    consent_kind = serializers.ChoiceField(choices=ConsentKind.choices, required=False, allow_blank=True)
    in_force_on = serializers.DateField(required=False, allow_null=True)
    withdrawn_on = serializers.DateField(required=False, allow_null=True)
    source = serializers.CharField(required=False, allow_blank=True)
    as_of = serializers.DateField(required=False, allow_null=True)
    verified = serializers.BooleanField(required=False, help_text=gettext_lazy("Secretariat only."))
    declarations = DeclarationSerializer(many=True, required=False)


class BasisDeclarationSerializer(DeclarationSerializer):
    state = serializers.CharField(help_text=gettext_lazy("ISO code of the state that made it."))


class BasisSerializer(serializers.Serializer):
    instrument = serializers.CharField(help_text=gettext_lazy("The instrument's slug."))
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField()
    articles = serializers.CharField()
    in_force_for_both_since = serializers.DateField(
        allow_null=True, help_text=gettext_lazy("Null when a party's date of entry into force is not recorded.")
    )
    declarations = BasisDeclarationSerializer(many=True)
    verified = serializers.BooleanField(help_text=gettext_lazy("Both party rows checked against the depositary."))


class ExcludedSerializer(serializers.Serializer):
    instrument = serializers.CharField()
    reason = serializers.CharField()


class LegalBasisSerializer(serializers.Serializer):
    """The answer of the legal-basis finder (documentation only: the view returns `LegalBasis.as_api()`)."""

    # "from" is a Python keyword: the field is declared under another name and renamed in the schema's shape.
    to = serializers.CharField()
    type = serializers.ChoiceField(choices=CooperationType.choices)
    on = serializers.DateField()
    bases = BasisSerializer(many=True)
    excluded = ExcludedSerializer(many=True)
    fallback = serializers.CharField(allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        return {"from": serializers.CharField(), **fields}
