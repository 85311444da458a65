"""In-app notifications, e-mail preferences, digest state and question reminders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("You were mentioned")
    COUNTRY_MENTION = "country_mention", _("Your country was mentioned")
    QUESTION_TO_COUNTRY = "question_to_country", _("A question to your country")
    REPLY = "reply", _("A reply to you")
    WATCHED_THREAD = "watched_thread", _("New post in a thread you watch")
    WATCHED_SPACE = "watched_space", _("New post in a space you watch")
    QUESTION_REMINDER = "question_reminder", _("An unanswered question to your country")


# When one post gives a person several reasons to be told, the first reason in this order wins.
KIND_PRIORITY: list[str] = [
    NotificationKind.MENTION,
    NotificationKind.QUESTION_TO_COUNTRY,
    NotificationKind.COUNTRY_MENTION,
    NotificationKind.REPLY,
    NotificationKind.WATCHED_THREAD,
    NotificationKind.WATCHED_SPACE,
]


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately, one e-mail per notification")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest (Mondays)")
    NONE = "none", _("No e-mail")


class Notification(models.Model):
    """Something a person should know about: a mention, a question to their country, a watched thread...

    `email_mode` is the preference that applied when the notification was made: immediate ones were queued in
    the outbox at once, daily and weekly ones wait for the digest (`digested_at` marks them as sent).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    thread = models.ForeignKey("forum.Thread", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("forum.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    country_code = models.CharField(max_length=2, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_mode = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.NONE)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "post"], condition=Q(post__isnull=False), name="uniq_notification_user_post"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            models.Index(fields=["email_mode", "digested_at"], name="notification_digest_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id} in {self.thread_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """How a person wants e-mail: a default (no space, no thread), per space, or per thread (most specific wins).

    Whether a person is told at all (watching, normal, muted) is the forum's ThreadSubscription and
    SpaceMember.notify_level; this is only about e-mail.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    space = models.ForeignKey("forum.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey("forum.Thread", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    email_mode = models.CharField(_("e-mail"), max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(space__isnull=True) | Q(thread__isnull=True), name="notification_pref_space_or_thread"
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(space__isnull=True, thread__isnull=True),
                name="uniq_notification_pref_default",
            ),
            models.UniqueConstraint(
                fields=["user", "space"], condition=Q(space__isnull=False), name="uniq_notification_pref_space"
            ),
            models.UniqueConstraint(
                fields=["user", "thread"], condition=Q(thread__isnull=False), name="uniq_notification_pref_thread"
            ),
        ]

    def __str__(self) -> str:
        scope = (
            f"thread {self.thread_id}" if self.thread_id else f"space {self.space_id}" if self.space_id else "default"
        )
        return f"{self.user_id} {scope}: {self.email_mode}"


class DigestState(models.Model):
    """When a person last received each digest, so that a digest goes out once per local morning."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_state")
    last_daily_digest_at = models.DateTimeField(null=True, blank=True)
    last_weekly_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("digest state")

    def __str__(self) -> str:
        return f"digests of {self.user_id}"


class QuestionReminder(models.Model):
    """A reminder sent about an unanswered question, per thread, addressed country and level.

    Level 1 goes to the country's contact points, level 2 to its national coordinators; the unique constraint
    makes sure neither is sent twice.
    """

    thread = models.ForeignKey("forum.Thread", on_delete=models.CASCADE, related_name="+")
    country = models.ForeignKey("reference.Country", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=dj_timezone.now)
    recipients = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["thread", "country", "level"]
        verbose_name = _("question reminder")
        constraints = [models.UniqueConstraint(fields=["thread", "country", "level"], name="uniq_question_reminder")]

    def __str__(self) -> str:
        return f"reminder {self.level} for {self.country_id} in {self.thread_id}"


class PostNotificationRetry(models.Model):
    """A committed post whose notifications could not be made: the task could not be queued and the work
    failed when done at once too (or the task itself failed). The author has their post all the same;
    `manage.py notify_retry` makes the notifications later, with a backoff, and drops the row once it worked."""

    post = models.OneToOneField("forum.Post", on_delete=models.CASCADE, related_name="+")
    attempts = models.PositiveIntegerField(default=0)  # retries so far (the first failure is not one)
    next_attempt_at = models.DateTimeField(default=dj_timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        verbose_name = _("notifications to retry")
        verbose_name_plural = _("notifications to retry")
        indexes = [models.Index(fields=["next_attempt_at"], name="notification_retry_due")]

    def __str__(self) -> str:
        return f"notifications for post {self.post_id} (attempts {self.attempts})"
