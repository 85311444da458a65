"""The e-mail outbox: one row per message to send, kept after delivery for the operators' view."""

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxEmail(models.Model):
    """One e-mail to send, written in the same transaction as the event that causes it.

    A worker claims one due row at a time, right before sending it: in a short committed transaction the row
    becomes `sending` with the worker's `claim` token, one more attempt, and `next_attempt_at` moved to the end
    of the claim (a lease). It then sends and marks the row sent, or on an SMTP error queues it again with an
    exponential backoff; after the last attempt it is failed and kept (until `outbox_purge`). A `sending` row
    whose claim has ended belongs to a worker that died between sending and recording: it is sent again.
    """

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.CharField(max_length=20, blank=True)  # notification, digest, reminder
    status = models.CharField(_("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    # queued: when it is due; sending: when the claim ends; failed: when it failed.
    next_attempt_at = models.DateTimeField(default=dj_timezone.now)
    claim = models.CharField(max_length=32, blank=True, default="")  # the token of the worker sending it
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mail")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        db_table = "notifications_outboxemail"  # the table predates the mail app (moved without copying rows)

    def __str__(self) -> str:
        return f"e-mail {self.pk} to {self.to} ({self.status})"  # never the subject: it may carry a title
