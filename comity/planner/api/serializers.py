"""Shapes of the planner API (for the OpenAPI schema; the slots are built by the engine)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers


class PlannerQuerySerializer(serializers.Serializer):
    """The query parameters, documented; checked by `planner.selectors.parse_request`."""

    authorities = serializers.CharField(
        required=False, help_text=gettext_lazy("Authority ids separated by commas, e.g. 12,34.")
    )
    users = serializers.CharField(required=False, help_text=gettext_lazy("Member ids separated by commas, e.g. 5."))
    duration = serializers.IntegerField(
        required=False, min_value=15, max_value=480, help_text=gettext_lazy("Minutes, 15 to 480 (default 60).")
    )
    days = serializers.IntegerField(
        required=False, min_value=1, max_value=31, help_text=gettext_lazy("Days to search, 1 to 31 (default 7).")
    )
    start = serializers.DateField(
        required=False,
        help_text=gettext_lazy("First day (YYYY-MM-DD) from midnight in the caller's time zone; default: now."),
    )


class SlotSerializer(serializers.Serializer):
    start = serializers.CharField(help_text=gettext_lazy("Start, ISO 8601 in UTC."))
    end = serializers.CharField(help_text=gettext_lazy("End, ISO 8601 in UTC."))
    inside_hours = serializers.ListField(
        child=serializers.CharField(), help_text=gettext_lazy('Participants inside office hours, e.g. "authority:12".')
    )
    outside_hours = serializers.ListField(child=serializers.CharField())
    on_holiday = serializers.ListField(
        child=serializers.CharField(), help_text=gettext_lazy("Participants on a public holiday or a closure.")
    )
    local = serializers.DictField(
        child=serializers.CharField(), help_text=gettext_lazy("Each participant's local start, ISO with offset.")
    )


class PlanSerializer(serializers.Serializer):
    slots = SlotSerializer(many=True)


class PlannerErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class PlannerErrorSerializer(serializers.Serializer):
    """{"error": {"status", "code", "message", "fields"?}}"""

    error = PlannerErrorBodySerializer()
