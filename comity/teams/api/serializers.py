"""Shapes of the joint-teams API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from comity.teams.models import ActionItem, Team


class MemberSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.display_name")
    country = serializers.CharField(source="country.iso2")
    is_leader = serializers.BooleanField()


class ActionItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    assignee = serializers.IntegerField(source="assignee_id")
    due_on = serializers.DateField()
    due_at = serializers.SerializerMethodField(
        help_text=gettext_lazy("The end of the due day in the assignee's time zone, ISO with offset.")
    )
    assignee_timezone = serializers.CharField(source="assignee.timezone")
    status = serializers.ChoiceField(choices=ActionItem.Status.choices)

    def get_due_at(self, item) -> str:
        from comity.teams.selectors import due_moment

        return due_moment(item).isoformat(timespec="seconds")


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    attachment = serializers.IntegerField(source="attachment_id")
    filename = serializers.CharField(source="attachment.filename")
    sha256 = serializers.CharField(source="attachment.sha256")
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    versions = VersionSerializer(many=True, source="versions.all")


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    purpose = serializers.CharField()
    agreement_reference = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    original_end = serializers.DateField()
    status = serializers.ChoiceField(choices=Team.Status.choices)
    countries = serializers.SerializerMethodField()
    space = serializers.CharField(source="space.slug", help_text=gettext_lazy("The slug of the team's private space."))

    def get_countries(self, team) -> list[str]:
        return sorted(c.iso2 for c in team.countries.all())


class TeamDetailSerializer(TeamSerializer):
    members = MemberSerializer(many=True)
    action_items = ActionItemSerializer(many=True)
    documents = DocumentSerializer(many=True)


class MemberAddSerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text=gettext_lazy("The id of an active member of the leader's country."))


class ActionItemCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    assignee = serializers.IntegerField()
    due_on = serializers.DateField()


class ActionItemStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionItem.Status.choices)


class TeamsErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class TeamsErrorSerializer(serializers.Serializer):
    """{"error": {"status", "code", "message", "fields"?}}"""

    error = TeamsErrorBodySerializer()
