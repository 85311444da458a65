"""Serializers of the requests API: the shared record (no letter content), the finalise and status bodies."""

from __future__ import annotations

from rest_framework import serializers

from comity.requests.models import Request, Status, StatusChange

STATUS_HELP = "One of: " + ", ".join(Status.values) + "."


class StatusChangeSerializer(serializers.ModelSerializer):
    from_status = serializers.CharField(read_only=True, help_text=STATUS_HELP + " Empty for the first step.")
    to_status = serializers.CharField(read_only=True, help_text=STATUS_HELP)

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "side", "note", "created_at"]


class RequestSerializer(serializers.ModelSerializer):
    requesting_country = serializers.CharField(source="requesting_country.iso2", read_only=True)
    requested_country = serializers.CharField(source="requested_country.iso2", read_only=True)
    requesting_authority = serializers.IntegerField(source="requesting_authority_id", read_only=True)
    requested_authority = serializers.IntegerField(source="requested_authority_id", read_only=True)
    measures = serializers.ListField(child=serializers.CharField(), read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)

    class Meta:
        model = Request
        fields = [
            "id",
            "requesting_country",
            "requested_country",
            "requesting_authority",
            "requested_authority",
            "coop_type",
            "measures",
            "urgent",
            "deadline",
            "channel",
            "language",
            "requesting_reference",
            "requested_reference",
            "status",
            "sent_at",
            "received_at",
            "acknowledged_at",
            "closed_at",
            "refusal_grounds",
            "tlp",
        ]
        read_only_fields = fields


class RequestDetailSerializer(RequestSerializer):
    history = StatusChangeSerializer(many=True, read_only=True)

    class Meta(RequestSerializer.Meta):
        fields = [*RequestSerializer.Meta.fields, "history"]
        read_only_fields = fields


class FinaliseSerializer(serializers.Serializer):
    draft = serializers.IntegerField(min_value=1, help_text="The id of a complete draft you may edit.")


class StatusSerializer(serializers.Serializer):
    status = serializers.CharField(max_length=40, help_text=STATUS_HELP)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)
