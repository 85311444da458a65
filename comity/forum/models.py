"""The secure forum: spaces with access rules, threads with a handling mark, posts, reading state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from comity.core.search import fold


class SpaceKind(models.TextChoices):
    PLENARY = "plenary", _("Plenary")
    REGIONAL = "regional", _("Regional")
    NETWORK = "network", _("Network")
    THEMATIC = "thematic", _("Thematic")
    PRIVATE = "private", _("Private consultation")


class TLP(models.TextChoices):
    """FIRST Traffic Light Protocol 2.0."""

    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber_strict", "TLP:AMBER+STRICT"
    RED = "red", "TLP:RED"


RESTRICTED_TLP = {TLP.AMBER, TLP.AMBER_STRICT, TLP.RED}


class NotifyLevel(models.TextChoices):
    WATCHING = "watching", _("Watching: every new post")
    NORMAL = "normal", _("Normal: mentions, questions to my country and replies to me")
    MUTED = "muted", _("Muted: nothing")


class Space(models.Model):
    """A place for discussion. Who may read follows the kind's rule plus explicit invitations/removals."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=SpaceKind.choices)
    name = models.CharField(_("name"), max_length=200)
    names = models.JSONField(_("names by language"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)
    descriptions = models.JSONField(_("descriptions by language"), default=dict, blank=True)
    region_m49 = models.CharField(_("M49 region"), max_length=3, blank=True)
    network = models.ForeignKey(
        "reference.Network",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="spaces",
        verbose_name=_("network"),
    )
    retention_months = models.PositiveIntegerField(
        _("delete posts older than (months)"), null=True, blank=True, help_text=_("Empty keeps posts forever.")
    )
    default_tlp = models.CharField(_("default handling mark"), max_length=12, choices=TLP.choices, default=TLP.GREEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("space")
        verbose_name_plural = _("spaces")

    def __str__(self) -> str:
        return self.name

    def localized_name(self, language: str | None = None) -> str:
        from django.utils import translation

        return self.names.get(language or translation.get_language() or "en") or self.name

    def localized_description(self, language: str | None = None) -> str:
        """The description in the viewer's language when it was translated, else the original."""
        from django.utils import translation

        return (self.descriptions or {}).get(language or translation.get_language() or "en") or self.description


class SpaceMember(models.Model):
    """An explicit membership: invitation (or opt-in), removal, moderator role and notification level."""

    class State(models.TextChoices):
        MEMBER = "member", _("Member")
        REMOVED = "removed", _("Removed")
        # Notification settings of someone who reads the space by its rule: grants no access by itself.
        SETTINGS = "settings", _("Notification settings only")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_memberships")
    state = models.CharField(max_length=10, choices=State.choices, default=State.MEMBER)
    is_moderator = models.BooleanField(_("moderator"), default=False)
    notify_level = models.CharField(max_length=10, choices=NotifyLevel.choices, default=NotifyLevel.NORMAL)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "user"], name="uniq_space_member")]
        verbose_name = _("space membership")

    def __str__(self) -> str:
        return f"{self.user_id}@{self.space_id}:{self.state}"


class SpaceAuthority(models.Model):
    """An authority invited to a private consultation: its current contact points with accounts may read."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="invited_authorities")
    authority = models.ForeignKey("directory.Authority", on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "authority"], name="uniq_space_authority")]
        verbose_name = _("invited authority")

    def __str__(self) -> str:
        return f"{self.authority_id}@{self.space_id}"


class Thread(models.Model):
    """A discussion or a question addressed to countries, with a TLP handling mark."""

    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion")
        QUESTION = "question", _("Question to countries")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        RESOLVED = "resolved", _("Resolved")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(_("title"), max_length=200)
    # `fold(title)`: what search compares (case, accents and Arabic letter variants ignored; ADR 0011), indexed.
    # Kept by `save()`; a bulk write of titles (`bulk_create`, `update`) sets it itself.
    title_search = models.TextField(editable=False, default="")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="threads")
    tlp = models.CharField(_("handling mark"), max_length=12, choices=TLP.choices, default=TLP.GREEN)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DISCUSSION)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    addressed_countries = models.ManyToManyField(
        "reference.Country", blank=True, related_name="questions", verbose_name=_("addressed to")
    )
    accepted_post = models.ForeignKey("Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now, db_index=True)
    last_post_at = models.DateTimeField(default=dj_timezone.now, db_index=True)
    post_count = models.PositiveIntegerField(default=0)
    last_post_id_cache = models.PositiveBigIntegerField(default=0)
    # The highest post number handed out (see Post.number). It never goes down: a purge leaves the numbers of the
    # posts it deleted unused, so `last_post_number - post_count` numbers are missing (nearly always the first ones).
    last_post_number = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    reminder_level = models.PositiveSmallIntegerField(default=0)
    # The language of the first post: replies default to it (empty for threads started before it was kept).
    language = models.CharField(_("language"), max_length=10, blank=True, default="")

    class Meta:
        ordering = ["-is_pinned", "-last_post_at"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [models.Index(fields=["space", "-last_post_at"], name="thread_space_recent")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.title_search = fold(self.title or "")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields and "title_search" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "title_search"]
        super().save(*args, **kwargs)

    @property
    def missing_numbers(self) -> int:
        """How many post numbers below `last_post_number` no longer have a post (purged ones); pages start after
        them, so that the first page is full whatever was purged."""
        return max(0, self.last_post_number - self.post_count)


class Post(models.Model):
    """A post: Markdown source and its sanitized HTML, rendered once when written.

    `number` is the post's place in its thread (1, 2, 3, ...), given under the thread's row lock when the post is
    written and never changed, so pages, permanent links and unread counts need no counting. A purge leaves gaps.
    It is empty only for a post written by a release before numbers existed, during a rolling deploy, until
    `manage.py forum_number_posts` numbers it.
    """

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts")
    body = models.TextField(_("text"))
    body_html = models.TextField(editable=False, default="")
    language = models.CharField(_("language"), max_length=10, default="en")
    quote_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    search_text = models.TextField(editable=False, default="")
    number = models.PositiveIntegerField(null=True, blank=True, default=None, db_default=None, editable=False)
    # Kept by the edit service, so that a page of posts needs no join to the revisions.
    revision_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["thread", "created_at"], name="post_thread_time")]
        # Also the index that pages of a thread, the first unread post and new posts are read from.
        constraints = [models.UniqueConstraint(fields=["thread", "number"], name="uniq_post_number")]

    def __str__(self) -> str:
        return f"post {self.pk} in {self.thread_id}"


class PostRevision(models.Model):
    """The text of a post before an edit, visible to readers as edit history."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("post revision")

    def __str__(self) -> str:
        return f"revision of {self.post_id}"


class Mention(models.Model):
    """A person mentioned in a post (@name), or every contact point of a country (@BR) in the space."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    country = models.ForeignKey("reference.Country", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("mention")

    def __str__(self) -> str:
        return f"mention in {self.post_id}"


class ReadMarker(models.Model):
    """How far a user has read a thread: the number of the last post seen (and its id).

    Unread posts are then the thread's `last_post_number` minus `last_read_number`, without counting rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_markers")
    last_read_post_id = models.PositiveBigIntegerField(default=0)
    last_read_number = models.PositiveIntegerField(default=0, db_default=0)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="uniq_read_marker")]
        verbose_name = _("read marker")

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id} to {self.last_read_post_id}"


class ThreadSubscription(models.Model):
    """A user's notification level for one thread (overrides the space's level)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="subscriptions")
    level = models.CharField(max_length=10, choices=NotifyLevel.choices, default=NotifyLevel.WATCHING)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="uniq_thread_subscription")]
        verbose_name = _("thread subscription")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.thread_id}:{self.level}"


class Flag(models.Model):
    """A post reported to the moderators, with a reason."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HIDDEN = "hidden", _("Post hidden")
        DISMISSED = "dismissed", _("Dismissed")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=dj_timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("flag")

    def __str__(self) -> str:
        return f"flag on {self.post_id}"


class Draft(models.Model):
    """A reply or a new thread being written, kept on the server so that it survives a closed tab or another
    machine: one per person and place (`key` is "reply:<thread id>" or "thread:<space id>")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    language = models.CharField(max_length=10, blank=True)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uniq_forum_draft")]
        verbose_name = _("draft")

    def __str__(self) -> str:
        return f"draft {self.key} of {self.user_id}"
