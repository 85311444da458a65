"""What the library API shows of documents, search hits and glossary terms, and the query parameters it takes."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from comity.core.search import MAX_QUERY
from comity.legalprofiles.choices import CooperationType
from comity.library import search, services, sources
from comity.library.models import GLOSSARY_LANGUAGES, Document, DocumentKind, GlossaryTerm, TagKind
from comity.reference.models import Country


class _StrictQuery(serializers.Serializer):
    """Query parameters; an unknown one answers 400 naming it (a typo never silently widens a search)."""

    PASSTHROUGH = frozenset({"page", "page_size", "format"})

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields) - self.PASSTHROUGH)
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown parameter.")] for name in unknown})
        return super().to_internal_value(data)


class _Filters(_StrictQuery):
    country = serializers.CharField(required=False, allow_blank=True, max_length=2, help_text="ISO alpha-2, e.g. BR.")
    instrument = serializers.CharField(required=False, allow_blank=True, max_length=80, help_text="Instrument slug.")
    type = serializers.ChoiceField(
        required=False, allow_blank=True, choices=CooperationType.choices, help_text="Type of cooperation."
    )
    language = serializers.CharField(required=False, allow_blank=True, max_length=10, help_text="Language code.")
    to = serializers.DateField(required=False, help_text="Date on or before (YYYY-MM-DD).")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, help_text="Date on or after (YYYY-MM-DD).")
        return fields

    def validate_country(self, value):
        value = value.upper()
        if value and not Country.objects.filter(iso2=value).exists():
            raise serializers.ValidationError(_("Unknown country."))
        return value

    def validate_instrument(self, value):
        if value and value not in sources.instrument_titles():
            raise serializers.ValidationError(_("Unknown instrument."))
        return value

    def validate_language(self, value):
        value = value.lower()
        if value and not services.is_document_language(value):
            raise serializers.ValidationError(_("Unknown language."))
        return value

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": [_("The end date is before the start date.")]})
        return attrs


class DocumentQuerySerializer(_Filters):
    q = serializers.CharField(required=False, allow_blank=True, max_length=MAX_QUERY, help_text="Words to find.")
    kind = serializers.ChoiceField(required=False, allow_blank=True, choices=DocumentKind.choices)
    topic = serializers.CharField(required=False, allow_blank=True, max_length=80)


class LegalSearchQuerySerializer(_Filters):
    q = serializers.CharField(required=False, allow_blank=True, max_length=MAX_QUERY, help_text="Words to find.")
    kind = serializers.ChoiceField(
        required=False, allow_blank=True, choices=list(search.KINDS), help_text="Only this kind of result."
    )
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class GlossaryQuerySerializer(_StrictQuery):
    q = serializers.CharField(required=False, allow_blank=True, max_length=MAX_QUERY)
    letter = serializers.CharField(required=False, allow_blank=True, max_length=1)
    language = serializers.ChoiceField(required=False, allow_blank=True, choices=list(GLOSSARY_LANGUAGES))


class VersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    language = serializers.CharField()
    title = serializers.CharField()


class DocumentSerializer(serializers.ModelSerializer):
    countries = serializers.SerializerMethodField()
    instruments = serializers.SerializerMethodField()
    cooperation_types = serializers.SerializerMethodField()
    topics = serializers.SerializerMethodField()
    visibility = serializers.ChoiceField(choices=["public", "members"], read_only=True)
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "title",
            "summary",
            "language",
            "group_key",
            "date",
            "visibility",
            "countries",
            "instruments",
            "cooperation_types",
            "topics",
            "source",
            "filename",
            "content_type",
            "size",
            "sha256",
            "text_note",
            "is_demo",
            "updated_at",
            "url",
            "download_url",
        ]

    def get_countries(self, obj) -> list[str]:
        return [country.iso2 for country in obj.countries.all()]

    def get_instruments(self, obj) -> list[str]:
        return obj.tag_values(TagKind.INSTRUMENT)

    def get_cooperation_types(self, obj) -> list[str]:
        return obj.tag_values(TagKind.COOPERATION)

    def get_topics(self, obj) -> list[str]:
        return obj.tag_values(TagKind.TOPIC)

    def get_url(self, obj) -> str:
        return reverse("library:document_detail", args=[obj.pk])

    def get_download_url(self, obj) -> str:
        return reverse("library:document_download", args=[obj.pk])


class DocumentDetailSerializer(DocumentSerializer):
    language_versions = serializers.SerializerMethodField()

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "language_versions"]

    def get_language_versions(self, obj) -> list[dict]:
        versions = self.context.get("versions", [])
        return VersionSerializer(
            [{"id": v.pk, "language": v.language, "title": v.title} for v in versions], many=True
        ).data


class LegalHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=search.HIT_KINDS)
    key = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    snippet = serializers.CharField(help_text="HTML: escaped text around the first match, matches in <mark>.")
    language = serializers.CharField()
    country = serializers.CharField()
    visibility = serializers.ChoiceField(choices=["public", "members"])
    score = serializers.FloatField()
    updated_at = serializers.DateTimeField(allow_null=True)


class LegalSearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Matches, counted up to 1,000.")
    count_capped = serializers.BooleanField(help_text="More than `count` results match.")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = LegalHitSerializer(many=True)


class GlossaryTermSerializer(serializers.ModelSerializer):
    terms = serializers.SerializerMethodField()
    definitions = serializers.SerializerMethodField()

    class Meta:
        model = GlossaryTerm
        fields = ["key", "terms", "definitions", "source", "as_of", "verified", "updated_at"]

    def get_terms(self, obj) -> dict[str, str]:
        return {code: obj.term(code) for code in GLOSSARY_LANGUAGES}

    def get_definitions(self, obj) -> dict[str, str]:
        return {code: obj.definition(code) for code in GLOSSARY_LANGUAGES if obj.definition(code)}
