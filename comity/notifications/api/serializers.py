from __future__ import annotations

from rest_framework import serializers

from comity.notifications import links
from comity.notifications.models import Notification, NotificationKind


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    thread = serializers.SerializerMethodField()
    post = serializers.IntegerField(source="post_id", allow_null=True)
    country = serializers.CharField(source="country_code")
    unread = serializers.BooleanField(source="is_unread")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "thread", "post", "country", "created_at", "read_at", "unread", "url"]

    def get_kind_label(self, obj) -> str:
        return str(NotificationKind(obj.kind).label)

    def get_thread(self, obj) -> dict:
        thread = obj.thread
        return {"id": thread.pk, "title": thread.title, "tlp": thread.tlp, "space": thread.space.slug}

    def get_url(self, obj) -> str:
        return links.absolute(links.thread_path(obj.thread_id))


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
