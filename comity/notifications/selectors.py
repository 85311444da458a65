"""Reads for the notification centre: only a person's own notifications, in spaces they can still read."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from comity.forum import permissions
from comity.notifications.models import Notification, NotificationPreference


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """Newest first. A notification about a space the user no longer reads is left out (and answers 404)."""
    if not permissions.is_member(user):
        return Notification.objects.none()
    qs = Notification.objects.filter(user=user, thread__space__in=permissions.spaces_visible_to(user)).select_related(
        "thread", "thread__space", "post", "post__author"
    )
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def notification_unread_badge(*, user) -> int:
    """The header's count: the counter on the user's row (no query; see services.unread_bump)."""
    if not permissions.is_member(user):
        return 0
    return user.unread_notifications


def notification_unread_count(*, user) -> int:
    if not permissions.is_member(user):
        return 0
    return Notification.objects.filter(
        user=user, read_at__isnull=True, thread__space__in=permissions.spaces_visible_to(user)
    ).count()


def notification_get_for(*, user, pk: int) -> Notification:
    notification = notification_list(user=user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification


def preference_list(*, user) -> list[NotificationPreference]:
    """The default first, then overrides for spaces, then for threads (only those the user can still read)."""
    visible = permissions.spaces_visible_to(user).values("pk")
    rows = list(
        NotificationPreference.objects.filter(user=user)
        .select_related("space", "thread", "thread__space")
        .order_by("pk")
    )
    visible_ids = set(visible.values_list("pk", flat=True))
    out = [p for p in rows if p.space_id is None and p.thread_id is None]
    out += [p for p in rows if p.space_id is not None and p.space_id in visible_ids]
    out += [p for p in rows if p.thread is not None and p.thread.space_id in visible_ids]
    return out


def preference_get_for(*, user, pk: int) -> NotificationPreference:
    preference = NotificationPreference.objects.filter(user=user, pk=pk).first()
    if preference is None:
        raise Http404
    return preference
