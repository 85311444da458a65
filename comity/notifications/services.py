"""Notifications and e-mail. The forum calls `on_post_created` after a post is committed (its hook).

Contract: `on_post_created(post_id: int)` runs after commit; it decides who is told (mentions, country
mentions, questions to countries, replies, thread and space subscriptions), creates in-app notifications and
queues e-mail through the outbox in one transaction, honouring the thread's handling mark.

Who is told about a new post:
- people @mentioned (a Mention row with a user);
- for @XX, that country's contact points: active users of the country whose role is member or coordinator;
- for a question's first post, the contact points of each addressed country;
- replies: the author of the quoted post, and the thread's author for later posts;
- thread watchers (ThreadSubscription watching) and space watchers (SpaceMember.notify_level watching, unless
  the thread's own level overrides it).
Never the post's author; never anyone who cannot read the space (`permissions.spaces_visible_to`, checked for
every recipient); a muted thread or space silences everything but a personal @mention, which then stays
in-app (no e-mail: a muted thread has been unsubscribed from).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comity.accounts import kept
from comity.accounts.models import Role
from comity.forum import permissions
from comity.forum.models import NotifyLevel, Post, Space, SpaceKind, SpaceMember, Thread, ThreadSubscription
from comity.mail import services as outbox
from comity.notifications import emails, links, selectors
from comity.notifications.models import (
    KIND_PRIORITY,
    EmailMode,
    Notification,
    NotificationKind,
    NotificationPreference,
    PostNotificationRetry,
)

logger = logging.getLogger(__name__)

CONTACT_POINT_ROLES = (Role.MEMBER, Role.COORDINATOR)


# --- who -----------------------------------------------------------------------------------------------------


def can_read_space(user, space_id: int) -> bool:
    """The forum's rule for this user, checked fresh (not a cache from another request)."""
    permissions.forget(user)
    return permissions.spaces_visible_to(user).filter(pk=space_id).exists()


def contact_points(country_ids):
    """Active users of these countries who act as contact points (members and national coordinators)."""
    from comity.accounts.models import User

    return User.objects.filter(country_id__in=list(country_ids), role__in=CONTACT_POINT_ROLES, is_active=True)


def effective_level(*, thread_level: str | None, space_level: str | None) -> str:
    """The thread's own level wins, then the person's level in the space, else normal."""
    return thread_level or space_level or NotifyLevel.NORMAL


def space_levels_of(*, space_id: int, user_ids) -> dict[int, str]:
    """Levels people chose for a space: on membership rows and on the forum's settings-only rows."""
    return dict(
        SpaceMember.objects.filter(space_id=space_id, user_id__in=list(user_ids))
        .exclude(state=SpaceMember.State.REMOVED)
        .values_list("user_id", "notify_level")
    )


def email_mode_for(*, user_id: int, thread: Thread, prefs: list[NotificationPreference]) -> str:
    """The most specific preference: the thread's, then the space's, then the default, else immediate."""
    by_scope = {(p.space_id, p.thread_id): p.email_mode for p in prefs if p.user_id == user_id}
    return (
        by_scope.get((None, thread.pk))
        or by_scope.get((thread.space_id, None))
        or by_scope.get((None, None))
        or EmailMode.IMMEDIATE
    )


def _first_post_id(thread: Thread) -> int | None:
    return Post.objects.filter(thread=thread).order_by("pk").values_list("pk", flat=True).first()


def space_watcher_ids(space: Space, *, exclude=()) -> set[int]:
    """Who watches a space: those who chose watching, and in a private consultation every participant who did
    not choose another level (watching is its default, see forum.services.default_space_level)."""
    from comity.forum import selectors as forum_selectors

    rows = dict(
        SpaceMember.objects.filter(space_id=space.pk)
        .exclude(state=SpaceMember.State.REMOVED)
        .values_list("user_id", "notify_level")
    )
    watching = {user_id for user_id, level in rows.items() if level == NotifyLevel.WATCHING}
    if space.kind == SpaceKind.PRIVATE:
        watching |= forum_selectors.private_participant_ids(space=space) - set(rows)
    return watching - set(exclude)


def reply_audience(*, user, thread: Thread) -> list:
    """Who would be told about a reply that `user` writes now (before any @mention in it): the thread's author,
    the thread's and the space's watchers, never the writer nor anyone who muted the thread, only active people
    who can read the space. Shown on the reply form; the exact rule runs when the post is written."""
    from comity.accounts.models import User

    thread_levels = dict(ThreadSubscription.objects.filter(thread=thread).values_list("user_id", "level"))
    ids = {thread.author_id}
    ids |= {user_id for user_id, level in thread_levels.items() if level == NotifyLevel.WATCHING}
    ids |= space_watcher_ids(thread.space, exclude=thread_levels)
    if user is not None:  # None: for anyone (the caller leaves the writer out)
        ids -= {user.pk}
    ids -= {user_id for user_id, level in thread_levels.items() if level == NotifyLevel.MUTED}
    if not ids:
        return []
    readers = permissions.readers_of(thread.space).filter(pk__in=ids).values("pk")
    return list(User.objects.filter(pk__in=readers).select_related("country").order_by("full_name", "pk"))


def post_recipients(post: Post) -> dict[int, tuple[str, str]]:
    """{user_id: (kind, country code)} before permissions and mutes, the best reason per person."""
    thread = post.thread
    reasons: dict[int, list[tuple[str, str]]] = {}

    def add(user_id, kind, country=""):
        if user_id and user_id != post.author_id:
            reasons.setdefault(user_id, []).append((kind, country))

    mentioned_countries = {}
    for mention in post.mentions.select_related("country"):
        if mention.user_id:
            add(mention.user_id, NotificationKind.MENTION)
        elif mention.country is not None:
            mentioned_countries[mention.country.pk] = mention.country.iso2
    for user_id, country_id in contact_points(mentioned_countries).values_list("pk", "country_id"):
        add(user_id, NotificationKind.COUNTRY_MENTION, mentioned_countries[country_id])
    is_first = _first_post_id(thread) == post.pk
    if thread.kind == Thread.Kind.QUESTION and is_first:
        addressed = dict(thread.addressed_countries.values_list("pk", "iso2"))
        for user_id, country_id in contact_points(addressed).values_list("pk", "country_id"):
            add(user_id, NotificationKind.QUESTION_TO_COUNTRY, addressed[country_id])
    if post.quote_of_id:
        add(
            Post.objects.filter(pk=post.quote_of_id).values_list("author_id", flat=True).first(), NotificationKind.REPLY
        )
    if not is_first:
        add(thread.author_id, NotificationKind.REPLY)
    thread_levels = dict(ThreadSubscription.objects.filter(thread=thread).values_list("user_id", "level"))
    for user_id, level in thread_levels.items():
        if level == NotifyLevel.WATCHING:
            add(user_id, NotificationKind.WATCHED_THREAD)
    for user_id in space_watcher_ids(thread.space, exclude=thread_levels):
        add(user_id, NotificationKind.WATCHED_SPACE)
    return {user_id: min(found, key=lambda r: KIND_PRIORITY.index(r[0])) for user_id, found in reasons.items()}


# --- what ----------------------------------------------------------------------------------------------------


def on_post_created_hook(*, post_id: int) -> None:
    """The forum's `post_created` hook (registered in NotificationsConfig.ready)."""
    on_post_created(post_id)


def on_post_created(post_id: int) -> None:
    """Tell everyone who should know about a new post. The work itself is a background task (django-tasks), so
    that posting in a busy space does not wait for it.

    This runs after the post's commit, inside the request that wrote it: it never raises. If the task cannot be
    queued, the work is done here; if that fails too, the failure is logged and recorded
    (`PostNotificationRetry`) for `manage.py notify_retry`. The author sees their post either way."""
    try:
        from comity.notifications import tasks  # defining a task checks the backend: inside the try

        tasks.notify_post.enqueue(post_id)
        return
    except Exception:  # a task backend problem must not lose the notifications: do the work here instead
        logger.exception("could not enqueue notifications for post %s; notifying now", post_id)
    try:
        notify_post(post_id)
    except Exception as exc:  # the post is committed: record the failure for a retry, never fail the request
        logger.exception("could not notify about post %s; recorded for notify_retry", post_id)
        notify_retry_record(post_id=post_id, error=exc)


def notify_post(post_id: int) -> int:
    """Create the notifications (and queue the immediate e-mail) for a post, in one transaction. Idempotent:
    people already notified about this post are skipped, so a retried task does not notify twice."""
    post = Post.objects.select_related("thread__space", "author").filter(pk=post_id).first()
    if post is None or post.is_hidden:
        return 0
    with transaction.atomic():
        return notify_about_post(post=post)


# --- retries after a failure ------------------------------------------------------------------------------------

RETRY_BATCH = 100
RETRY_LEASE = dt.timedelta(minutes=10)


def retry_backoff(attempts: int) -> dt.timedelta:
    """Wait before retry number `attempts + 1`: one minute, doubling, at most six hours."""
    return dt.timedelta(seconds=min(6 * 60 * 60, 60 * 2 ** max(0, attempts - 1)))


def notify_retry_record(*, post_id: int, error: BaseException, now: dt.datetime | None = None) -> None:
    """Remember that a post's notifications failed (its own transaction; never raises: if even this fails, e.g.
    the database is gone, the log line is all that is left)."""
    moment = now or timezone.now()
    message = f"{type(error).__name__}: {error}"[:2000]
    try:
        with transaction.atomic():
            PostNotificationRetry.objects.update_or_create(
                post_id=post_id,
                defaults={"last_error": message},
                create_defaults={"last_error": message, "created_at": moment, "next_attempt_at": moment},
            )
    except Exception:
        logger.exception("could not record the failed notifications of post %s for a retry", post_id)


@dataclass
class RetryReport:
    done: int = 0
    failed: int = 0


def notify_retry_due(*, now: dt.datetime | None = None, limit: int = RETRY_BATCH) -> RetryReport:
    """Make the notifications that failed earlier, each post in its own transaction; a post that fails again
    waits its backoff. Two runs at once do not take the same row (compare-and-set on `next_attempt_at`)."""
    now = now or timezone.now()
    report = RetryReport()
    due = list(PostNotificationRetry.objects.filter(next_attempt_at__lte=now).order_by("next_attempt_at", "pk")[:limit])
    for row in due:
        mine = PostNotificationRetry.objects.filter(pk=row.pk, next_attempt_at=row.next_attempt_at)
        if not mine.update(next_attempt_at=now + RETRY_LEASE):
            continue
        try:
            notify_post(row.post_id)
        except Exception as exc:
            attempts = row.attempts + 1
            PostNotificationRetry.objects.filter(pk=row.pk).update(
                attempts=attempts,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
                next_attempt_at=now + retry_backoff(attempts),
            )
            logger.exception("notifications for post %s failed again (retry %s)", row.post_id, attempts)
            report.failed += 1
        else:
            PostNotificationRetry.objects.filter(pk=row.pk).delete()
            report.done += 1
    return report


def notify_about_post(*, post: Post) -> int:
    from comity.accounts.models import User

    thread, space = post.thread, post.thread.space
    candidates = post_recipients(post)
    if not candidates:
        return 0
    users = {u.pk: u for u in User.objects.filter(pk__in=candidates, is_active=True).select_related("country")}
    thread_levels = dict(
        ThreadSubscription.objects.filter(thread=thread, user_id__in=users).values_list("user_id", "level")
    )
    space_levels = space_levels_of(space_id=space.pk, user_ids=users)
    prefs = list(
        NotificationPreference.objects.filter(user_id__in=users).filter(
            Q(space__isnull=True, thread__isnull=True) | Q(space=space) | Q(thread=thread)
        )
    )
    already = set(Notification.objects.filter(post=post).values_list("user_id", flat=True))
    queued = created = 0
    notified: list[int] = []
    for user_id, (kind, country) in sorted(candidates.items()):
        user = users.get(user_id)
        if user is None or user_id in already:
            continue
        level = effective_level(thread_level=thread_levels.get(user_id), space_level=space_levels.get(user_id))
        if level == NotifyLevel.MUTED and kind != NotificationKind.MENTION:
            continue
        if not can_read_space(user, space.pk):
            continue
        mode = email_mode_for(user_id=user_id, thread=thread, prefs=prefs)
        if level == NotifyLevel.MUTED:
            mode = EmailMode.NONE
        note = Notification.objects.create(
            user=user,
            kind=kind,
            thread=thread,
            post=post,
            country_code=country,
            email_mode=mode,
            created_at=post.created_at,
        )
        created += 1
        notified.append(user.pk)
        if mode == EmailMode.IMMEDIATE and user.email:
            scope = "space" if kind == NotificationKind.WATCHED_SPACE else "thread"
            queue_notification_email(
                user=user, notification=note, thread=thread, space=space, post=post, unsubscribe_scope=scope
            )
            queued += 1
    unread_bump(user_ids=notified)
    if queued:
        outbox.schedule_delivery()
    return created


def queue_notification_email(
    *,
    user,
    notification: Notification,
    thread: Thread,
    space: Space,
    post: Post | None = None,
    business_days: int | None = None,
    unsubscribe_scope: str = "thread",
    now: dt.datetime | None = None,
) -> None:
    with translation.override(user.preferred_language or "en"):
        message = emails.notification_email(
            user=user,
            notification=notification,
            thread=thread,
            space=space,
            post=post,
            business_days=business_days,
            unsubscribe_scope=unsubscribe_scope,
        )
    outbox.outbox_enqueue(
        to=user.email,
        subject=message.subject,
        body_text=message.body_text,
        headers=message.headers,
        user=user,
        category="reminder" if notification.kind == NotificationKind.QUESTION_REMINDER else "notification",
        now=now,
    )


# --- the notification centre ------------------------------------------------------------------------------------


def unread_bump(*, user_ids: list[int]) -> None:
    """One more unread notification each for the header's count (an atomic increment: concurrent writers add up)."""
    if user_ids:
        get_user_model().objects.filter(pk__in=user_ids).update(unread_notifications=F("unread_notifications") + 1)
        kept.changed()  # the header shows the counter from the signed-in user's kept row


def unread_recount(*, user) -> int:
    """Set the header's count to the exact number of unread notifications the user may see."""
    count = selectors.notification_unread_count(user=user)
    get_user_model().objects.filter(pk=user.pk).update(unread_notifications=count)
    kept.changed()
    user.unread_notifications = count
    return count


def notification_mark_read(*, user, notification: Notification) -> None:
    if notification.user_id != user.pk:
        raise ValidationError(_("This notification is not yours."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        unread_recount(user=user)


def notification_mark_all_read(*, user) -> int:
    """Mark every unread notification the user can see as read; returns how many."""
    count = Notification.objects.filter(
        user=user, read_at__isnull=True, thread__space__in=permissions.spaces_visible_to(user)
    ).update(read_at=timezone.now())
    unread_recount(user=user)
    return count


# --- preferences --------------------------------------------------------------------------------------------


def preference_set(
    *, user, email_mode: str, space: Space | None = None, thread: Thread | None = None
) -> NotificationPreference:
    """Set the default e-mail mode, or an override for a space or a thread the user can read."""
    if email_mode not in EmailMode.values:
        raise ValidationError({"email_mode": [_("Choose one of the e-mail options.")]})
    if space is not None and thread is not None:
        raise ValidationError(_("A preference is for a space or a thread, not both."))
    scope_space = space or (thread.space if thread is not None else None)
    if scope_space is not None and not can_read_space(user, scope_space.pk):
        raise ValidationError(_("You cannot read that space."))
    pref, _created = NotificationPreference.objects.update_or_create(
        user=user, space=space, thread=thread, defaults={"email_mode": email_mode, "updated_at": timezone.now()}
    )
    return pref


def preference_remove(*, user, preference: NotificationPreference) -> None:
    """Drop an override (the default row stays; set it instead)."""
    if preference.user_id != user.pk or (preference.space_id is None and preference.thread_id is None):
        raise ValidationError(_("This preference cannot be removed."))
    preference.delete()


# --- one-click unsubscribe ------------------------------------------------------------------------------------


def unsubscribe_apply(*, request: links.UnsubscribeRequest) -> str:
    """Carry out a verified unsubscribe token; returns the scope. Idempotent.

    thread: mute the thread; space: mute the space (both through the forum's own subscription services, so
    that the forum's pages show the same level); daily/weekly: every preference of that digest mode becomes
    "no e-mail". Someone who can no longer read the thread or space gets no mail about it anyway: nothing to do.
    """
    from comity.accounts.models import User
    from comity.forum import services as forum_services

    user = User.objects.filter(pk=request.user_id, is_active=True).first()
    if user is None:
        raise LookupError("user")
    with transaction.atomic():
        if request.scope == "thread":
            thread = Thread.objects.filter(pk=request.object_id).first()
            if thread is None:
                raise LookupError("thread")
            with contextlib.suppress(PermissionDenied):
                forum_services.thread_subscription_set(actor=user, thread=thread, level=NotifyLevel.MUTED)
        elif request.scope == "space":
            space = Space.objects.filter(pk=request.object_id).first()
            if space is None:
                raise LookupError("space")
            with contextlib.suppress(PermissionDenied):
                forum_services.space_notify_level_set(actor=user, space=space, level=NotifyLevel.MUTED)
        else:
            mode = EmailMode.DAILY if request.scope == "daily" else EmailMode.WEEKLY
            NotificationPreference.objects.filter(user=user, email_mode=mode).update(
                email_mode=EmailMode.NONE, updated_at=timezone.now()
            )
    return request.scope
