"""/api/v1/notifications/: the caller's own notifications (same rules as the notification centre)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from comity.core.api.permissions import IsMember, TokenScopePermission
from comity.notifications import selectors, services
from comity.notifications.api.serializers import MarkedSerializer, NotificationSerializer, UnreadCountSerializer


class NotificationListView(ListAPIView):
    """Newest first; `?unread=1` for unread ones only."""

    permission_classes = [IsMember, TokenScopePermission]
    serializer_class = NotificationSerializer

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only unread notifications.")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.notification_list(
            user=self.request.user, unread_only=self.request.query_params.get("unread") in ("1", "true")
        )


class NotificationReadView(APIView):
    """Mark one notification as read."""

    permission_classes = [IsMember, TokenScopePermission]

    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request, pk):
        notification = selectors.notification_get_for(user=request.user, pk=pk)
        services.notification_mark_read(user=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    """Mark every notification of the caller as read."""

    permission_classes = [IsMember, TokenScopePermission]

    @extend_schema(request=None, responses=MarkedSerializer)
    def post(self, request):
        return Response({"marked": services.notification_mark_all_read(user=request.user)})


class UnreadCountView(APIView):
    permission_classes = [IsMember, TokenScopePermission]

    @extend_schema(responses=UnreadCountSerializer)
    def get(self, request):
        return Response({"unread": selectors.notification_unread_count(user=request.user)})
