"""Secure file exchange: encrypted attachments, resumable uploads in progress, and each space's file log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _


class Attachment(models.Model):
    """A file shared in a space, on a post or (in a private consultation) directly.

    The bytes live encrypted under the file root (`storage_name`, random) with a random AES-256 key per
    file; the key is stored here only wrapped by the master key, which never touches the database.
    Deleting destroys the stored bytes and keeps this row (with its hash) for the file log.
    """

    space = models.ForeignKey(
        "forum.Space", on_delete=models.PROTECT, related_name="attachments", verbose_name=_("space")
    )
    # PROTECT: a post is not deleted while it holds evidence; retention purges call
    # services.attachments_purge_for_posts first.
    post = models.ForeignKey(
        "forum.Post",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("post"),
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    storage_name = models.CharField(max_length=64, unique=True, editable=False)
    wrapped_key = models.CharField(max_length=200, editable=False)
    key_fingerprint = models.CharField(
        max_length=16,
        editable=False,
        db_index=True,
        help_text="Fingerprint of the master key that wrapped the data key.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    # Codes from sniff.ACTIVE_CONTENT_LABELS ("javascript", "launch", "html"), shown to everyone who downloads.
    active_content = models.JSONField(
        _("active content"),
        default=list,
        blank=True,
        help_text="What the file carries that could run when it is opened (JavaScript or a launch action in "
        "a PDF, web page markup); empty for most files.",
    )
    created_at = models.DateTimeField(_("uploaded"), default=dj_timezone.now)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("deleted by"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["space", "-created_at"], name="attachment_space_recent")]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def size_label(self) -> str:
        """The size in the reader's language, e.g. "3.5 MiB"."""
        from comity.files.formatting import file_size

        return file_size(self.size)

    @property
    def active_content_label(self) -> str:
        """What the file carries that could run, in the reader's language ("" for most files)."""
        from comity.files.sniff import active_content_label

        return active_content_label(self.active_content or [])


class Upload(models.Model):
    """A resumable (tus 1.0) upload in progress. Its data key is wrapped like an attachment's; the received
    bytes are kept encrypted in a temporary file until the last byte arrives and the attachment is made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("forum.Space", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("forum.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    length = models.PositiveBigIntegerField()
    offset = models.PositiveBigIntegerField(default=0)
    filename = models.CharField(max_length=255)
    metadata = models.JSONField(default=dict, blank=True)
    temp_name = models.CharField(max_length=64, unique=True, editable=False)
    wrapped_key = models.CharField(max_length=200, editable=False)
    key_fingerprint = models.CharField(max_length=16, editable=False, db_index=True)
    head_checked = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    attachment = models.ForeignKey(Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("upload in progress")
        verbose_name_plural = _("uploads in progress")

    def __str__(self) -> str:
        return f"upload {self.pk} ({self.offset}/{self.length})"

    @property
    def is_complete(self) -> bool:
        return self.attachment_id is not None


class FileEvent(models.Model):
    """One line of a space's file log (chain of custody): who did what to which file, when, from where.
    Rows are never changed or deleted, and outlive the file itself."""

    class Action(models.TextChoices):
        UPLOAD = "upload", _("Uploaded")
        DOWNLOAD = "download", _("Downloaded")
        DELETE = "delete", _("Deleted")
        LOG_EXPORT = "log_export", _("File log exported")
        INTEGRITY_FAILED = "integrity_failed", _("Integrity check failed")

    space = models.ForeignKey("forum.Space", on_delete=models.PROTECT, related_name="file_events")
    attachment = models.ForeignKey(Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=dj_timezone.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("file event")
        verbose_name_plural = _("file events")
        indexes = [models.Index(fields=["space", "-created_at"], name="file_event_space_recent")]

    def __str__(self) -> str:
        return f"{self.action} {self.filename}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("File events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("File events are append-only.")

    @property
    def size_label(self) -> str:
        from comity.files.formatting import file_size

        return file_size(self.size)


class Lease(models.Model):
    """A named lock held until `expires_at` by one holder, where the database has no advisory locks (SQLite).
    On PostgreSQL the upload locks are advisory locks instead and this table stays empty (`files/locks.py`)."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
