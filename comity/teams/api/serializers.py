"""Shapes of the joint-teams API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from comity.teams.models import ActionItem


class TeamMemberSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.display_name")
    country = serializers.CharField(source="country.iso2")
    is_leader = serializers.BooleanField()


class TeamActionItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    assignee = serializers.IntegerField(source="assignee_id")
    due_on = serializers.DateField()
    due_at = serializers.SerializerMethodField(
        help_text=gettext_lazy("The end of the due day in the assignee's time zone, ISO with offset.")
    )
    assignee_timezone = serializers.CharField(source="assignee.timezone")
    status = serializers.CharField(help_text=gettext_lazy("open, in_progress or done."))

    def get_due_at(self, item) -> str:
        from comity.teams.selectors import due_moment

        return due_moment(item).isoformat(timespec="seconds")


class TeamDocumentVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    attachment = serializers.IntegerField(source="attachment_id")
    filename = serializers.CharField(source="attachment.filename")
    sha256 = serializers.CharField(source="attachment.sha256")
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class TeamDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    versions = TeamDocumentVersionSerializer(many=True, source="versions.all")


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    purpose = serializers.CharField()
    agreement_reference = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    original_end = serializers.DateField()
    status = serializers.CharField(help_text=gettext_lazy("active or closed (read-only)."))
    countries = serializers.SerializerMethodField()
    space = serializers.CharField(source="space.slug", help_text=gettext_lazy("The slug of the team's private space."))

    def get_countries(self, team) -> list[str]:
        return sorted(c.iso2 for c in team.countries.all())


class TeamDetailSerializer(TeamSerializer):
    members = TeamMemberSerializer(many=True)
    action_items = TeamActionItemSerializer(many=True)
    documents = TeamDocumentSerializer(many=True)


class TeamMemberAddSerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text=gettext_lazy("The id of an active member of the leader's country."))


class TeamActionItemCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    assignee = serializers.IntegerField()
    due_on = serializers.DateField()


class TeamActionItemStatusSerializer(serializers.Serializer):
    status = serializers.CharField(help_text=gettext_lazy("open, in_progress or done."))

    def validate_status(self, value: str) -> str:
        if value not in ActionItem.Status.values:
            raise serializers.ValidationError(gettext_lazy("Choose open, in_progress or done."))
        return value


class TeamsErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class TeamsErrorSerializer(serializers.Serializer):
    """{"error": {"status", "code", "message", "fields"?}}"""

    error = TeamsErrorBodySerializer()
