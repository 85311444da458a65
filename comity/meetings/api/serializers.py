"""Shapes of the meetings API."""

from __future__ import annotations

from rest_framework import serializers

from comity.core.i18n import UI_LANGUAGES
from comity.meetings.models import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    Audience,
    Event,
    EventKind,
    EventStatus,
    FundingRequest,
    FundingStatus,
    Registration,
    RegistrationStatus,
)


class SessionSerializer(serializers.Serializer):
    title = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    room = serializers.CharField()
    speakers = serializers.CharField()
    documents = serializers.ListField(child=serializers.URLField(), source="document_links")


def _values(choices) -> str:
    return _values_of(choices.values)


def _values_of(values) -> str:
    return "One of: " + ", ".join(values) + "."


TRANSLATIONS_HELP = (
    "Translations by language code (" + ", ".join(UI_LANGUAGES) + "); a replace: languages left out are removed."
)


class EventSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text=_values(EventKind))
    status = serializers.CharField(help_text=_values(EventStatus))
    audience = serializers.CharField(help_text=_values(Audience))
    title = serializers.CharField(help_text="In the caller's language (Accept-Language) where translated.")
    title_language = serializers.CharField(help_text="The language code of `title` as given.")
    description = serializers.CharField(
        help_text="In the caller's language (Accept-Language) where translated, else the original."
    )
    description_language = serializers.CharField(help_text="The language code of `description` as given.")
    start = serializers.DateTimeField(help_text="UTC.")
    end = serializers.DateTimeField(help_text="UTC.")
    timezone = serializers.CharField(help_text="The event's IANA time zone.")
    network = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    languages = serializers.ListField(child=serializers.CharField(), source="language_list")
    uid = serializers.SerializerMethodField(help_text="The stable iCalendar UID.")
    url = serializers.SerializerMethodField()
    ics = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "uid",
            "kind",
            "status",
            "title",
            "title_language",
            "description",
            "description_language",
            "language",
            "languages",
            "venue",
            "start",
            "end",
            "timezone",
            "region_m49",
            "audience",
            "network",
            "capacity",
            "requires_approval",
            "registration_fields",
            "sequence",
            "url",
            "ics",
        ]
        read_only_fields = fields

    def get_uid(self, obj) -> str:
        from comity.meetings.ics import uid_of

        return uid_of(obj)

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()

    def get_ics(self, obj) -> str:
        from django.urls import reverse

        return reverse("api-event-ics", kwargs={"pk": obj.pk})


class EventDetailSerializer(EventSerializer):
    sessions = SessionSerializer(many=True, read_only=True)
    title_original = serializers.CharField(help_text="The title as written, in `language`.")
    titles = serializers.DictField(child=serializers.CharField(), help_text="Translations of the title by language.")
    description_original = serializers.CharField(help_text="The description as written, in `language`.")
    descriptions = serializers.DictField(
        child=serializers.CharField(), help_text="Translations of the description by language."
    )
    online_url = serializers.SerializerMethodField()
    budget = serializers.SerializerMethodField()

    class Meta(EventSerializer.Meta):
        fields = [
            *EventSerializer.Meta.fields,
            "title_original",
            "titles",
            "description_original",
            "descriptions",
            "online_url",
            "sessions",
            "budget",
        ]
        read_only_fields = fields

    def get_online_url(self, obj) -> str:
        return obj.online_url if self.context.get("member") else ""

    def get_budget(self, obj) -> dict[str, str] | None:
        if not obj.budget_amount:
            return None
        return {
            "currency": obj.budget_currency,
            "amount": str(obj.budget_amount),
            "remaining": str(obj.budget_remaining),
            "daily_allowance": str(obj.daily_allowance),
        }


class RegistrationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text=_values(RegistrationStatus))
    user = serializers.CharField(source="user.display_name", read_only=True)
    country = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = ["id", "user", "country", "status", "created_at"]
        read_only_fields = fields

    def get_country(self, obj) -> str:
        return obj.user.country.iso2 if obj.user.country_id else ""


class RegistrationWriteSerializer(serializers.Serializer):
    role = serializers.CharField(required=False, allow_blank=True, max_length=120)
    authority = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    languages = serializers.ListField(child=serializers.CharField(max_length=10), required=False, max_length=20)
    dietary = serializers.CharField(required=False, allow_blank=True, max_length=300)
    accessibility = serializers.CharField(required=False, allow_blank=True, max_length=300)
    visa_letter = serializers.BooleanField(required=False)


class FundingRequestSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text=_values(FundingStatus))
    user = serializers.CharField(source="user.display_name", read_only=True)
    country = serializers.CharField(source="country.iso2", read_only=True)

    class Meta:
        model = FundingRequest
        fields = [
            "id",
            "user",
            "country",
            "travel_amount",
            "allowance_days",
            "requested_amount",
            "justification",
            "status",
            "approved_amount",
            "decision_reason",
            "decided_at",
        ]
        read_only_fields = fields


class FundingRequestWriteSerializer(serializers.Serializer):
    travel_amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    allowance_days = serializers.IntegerField(min_value=0, max_value=60)
    justification = serializers.CharField(max_length=5000)


class FundingDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("approved", "approved"), ("partly", "partly"), ("declined", "declined")],
        help_text="approved (in full), partly (give `amount`) or declined.",
    )
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


KIND_CHOICES = EventKind.values


def _known_languages(value: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(value) - set(UI_LANGUAGES))
    if unknown:
        raise serializers.ValidationError(
            "Unknown language code(s): " + ", ".join(unknown) + ". " + _values_of(UI_LANGUAGES)
        )
    return value


class EventWriteSerializer(serializers.Serializer):
    """Create or replace an event. Times are ISO 8601 with an offset (stored in UTC); `timezone` is the event's zone."""

    kind = serializers.CharField(help_text=_values(EventKind))
    title = serializers.CharField(max_length=200)
    titles = serializers.DictField(
        child=serializers.CharField(max_length=TITLE_MAX, allow_blank=True),
        required=False,
        help_text=TRANSLATIONS_HELP,
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=DESCRIPTION_MAX)
    descriptions = serializers.DictField(
        child=serializers.CharField(max_length=DESCRIPTION_MAX, allow_blank=True),
        required=False,
        help_text=TRANSLATIONS_HELP,
    )
    language = serializers.CharField(required=False, default="en", max_length=10)
    languages = serializers.ListField(child=serializers.CharField(max_length=10), required=False, max_length=7)
    venue = serializers.CharField(required=False, allow_blank=True, max_length=300)
    online_url = serializers.URLField(required=False, allow_blank=True)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    timezone = serializers.CharField(max_length=64)
    region_m49 = serializers.CharField(required=False, allow_blank=True, max_length=3)
    audience = serializers.CharField(help_text=_values(Audience))
    audience_spaces = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=50)
    audience_networks = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=50
    )
    audience_countries = serializers.ListField(
        child=serializers.CharField(min_length=2, max_length=2),
        required=False,
        max_length=250,
        help_text="ISO 3166-1 alpha-2 codes.",
    )
    network = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    space = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    capacity = serializers.IntegerField(required=False, allow_null=True)
    requires_approval = serializers.BooleanField(required=False, default=False)
    registration_fields = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    invite_users = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=200, help_text="On creation only."
    )
    invite_authorities = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=200,
        help_text="On creation only: their current contact points are invited.",
    )

    def validate_titles(self, value: dict[str, str]) -> dict[str, str]:
        return _known_languages(value)

    def validate_descriptions(self, value: dict[str, str]) -> dict[str, str]:
        return _known_languages(value)


class RegistrationDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("decline", "decline")])


class BudgetSerializer(serializers.Serializer):
    currency = serializers.CharField(max_length=3)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    daily_allowance = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
