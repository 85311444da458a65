"""Requests: the guided writer's drafts, the fixed text of letters (data the secretariat edits), and the record that
the requesting and the requested central authority share once a draft is finalised, with its status history and the
notices each side receives.

Everything here is TLP:RED by default: the content of a draft or a request is shown only to the people entitled to
it (`permissions.py`), never e-mailed, and never sent to a translation service.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from comity.legalprofiles.choices import CooperationType

LETTER_LANGUAGES = ("ar", "zh-hans", "en", "es", "fr", "ru", "pt")


class RequestType(models.TextChoices):
    """The types of request the writer drafts (the legal portal's cooperation types, without cybercrime)."""

    MLA = CooperationType.MLA.value, CooperationType.MLA.label
    EXTRADITION = CooperationType.EXTRADITION.value, CooperationType.EXTRADITION.label
    SENTENCED_TRANSFER = CooperationType.SENTENCED_TRANSFER.value, CooperationType.SENTENCED_TRANSFER.label
    PROCEEDINGS_TRANSFER = CooperationType.PROCEEDINGS_TRANSFER.value, CooperationType.PROCEEDINGS_TRANSFER.label
    ASSET_RECOVERY = CooperationType.ASSET_RECOVERY.value, CooperationType.ASSET_RECOVERY.label


class Status(models.TextChoices):
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ADDITIONAL_INFORMATION_REQUESTED = "additional_information_requested", _("Additional information requested")
    IN_EXECUTION = "in_execution", _("In execution")
    PARTIALLY_EXECUTED = "partially_executed", _("Partially executed")
    EXECUTED = "executed", _("Executed")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


CLOSED_STATUSES = (Status.EXECUTED, Status.REFUSED, Status.WITHDRAWN)
UNACKNOWLEDGED_STATUSES = (Status.SENT, Status.RECEIVED)


class Side(models.TextChoices):
    REQUESTING = "requesting", _("Requesting authority")
    REQUESTED = "requested", _("Requested authority")


class LetterModel(models.Model):
    """The fixed text of a letter in one language: generic headings (`coop_type` and `measure` empty), the title,
    opening and closing of one type of request (`coop_type` set), or the wording of one measure (`measure` set).

    Data, not code: seeded from `requests/data/letter_models.json` (`manage.py requests_load_letters`) and edited by
    the secretariat in the admin. `texts` maps a key (`title`, `intro`, `facts`...) to its text in `language`."""

    coop_type = models.CharField(_("type of request"), max_length=30, choices=RequestType.choices, blank=True)
    measure = models.CharField(_("measure"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=10)
    texts = models.JSONField(_("texts"), default=dict)
    source = models.CharField(_("source"), max_length=300, blank=True)
    edited = models.BooleanField(_("edited by the secretariat"), default=False)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["coop_type", "measure", "language"]
        constraints = [
            models.UniqueConstraint(fields=["coop_type", "measure", "language"], name="uniq_letter_model"),
        ]
        verbose_name = _("letter model")
        verbose_name_plural = _("letter models")

    def __str__(self) -> str:
        return f"{self.coop_type or '*'}:{self.measure or '*'}:{self.language}"


class Draft(models.Model):
    """A request being written: saved at every step, resumable, visible to its author and the people of the
    requesting authority the author shares it with. `content` holds the UNTOC art. 18(15) items and, for
    extradition, the person, offences, penalty, warrant and assurances; `measure_items` holds, per measure, the
    answer to each item the requested State's fiche asks for ({measure: {item: text}})."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="request_drafts")
    requesting_authority = models.ForeignKey(
        "directory.Authority", on_delete=models.PROTECT, related_name="+", verbose_name=_("requesting authority")
    )
    requested_country = models.ForeignKey(
        "reference.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("requested State")
    )
    requested_authority = models.ForeignKey(
        "directory.Authority",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("addressee"),
    )
    coop_type = models.CharField(_("type of request"), max_length=30, choices=RequestType.choices)
    measures = models.JSONField(_("measures sought"), default=list, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    deadline = models.DateField(_("execution wanted by"), null=True, blank=True)
    content = models.JSONField(default=dict, blank=True)
    measure_items = models.JSONField(default=dict, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=80, blank=True)  # an instrument's slug or "reciprocity"
    language = models.CharField(_("language of the letter"), max_length=10, blank=True)
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    our_reference = models.CharField(_("our reference"), max_length=100, blank=True)
    tlp = models.CharField(_("handling mark"), max_length=12, default="red")
    shared_with = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="shared_request_drafts")
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["author", "-updated_at"], name="request_draft_author")]
        verbose_name = _("draft request")
        verbose_name_plural = _("draft requests")

    def __str__(self) -> str:
        return f"draft {self.pk}"


class Request(models.Model):
    """The record the requesting and the requested central authority share: references on both sides, type,
    measures, dates, channel, urgency and status. Its content is the finalised draft. Countries are copied from
    the authorities so that registers and statistics filter on indexed columns."""

    draft = models.OneToOneField(Draft, on_delete=models.PROTECT, related_name="request")
    requesting_authority = models.ForeignKey("directory.Authority", on_delete=models.PROTECT, related_name="+")
    requested_authority = models.ForeignKey("directory.Authority", on_delete=models.PROTECT, related_name="+")
    requesting_country = models.ForeignKey("reference.Country", on_delete=models.PROTECT, related_name="+")
    requested_country = models.ForeignKey("reference.Country", on_delete=models.PROTECT, related_name="+")
    coop_type = models.CharField(_("type of request"), max_length=30, choices=RequestType.choices)
    measures = models.JSONField(_("measures sought"), default=list, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    deadline = models.DateField(_("execution wanted by"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    language = models.CharField(_("language of the letter"), max_length=10)
    requesting_reference = models.CharField(_("reference of the requesting authority"), max_length=100, blank=True)
    requested_reference = models.CharField(_("reference of the requested authority"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=40, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField(_("sent"), default=dj_timezone.now)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    refusal_grounds = models.TextField(_("grounds for refusal"), blank=True)
    space = models.ForeignKey(
        "forum.Space", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # the private consultation about this request, opened on demand
    tlp = models.CharField(_("handling mark"), max_length=12, default="red")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=dj_timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminders_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["requesting_authority", "-sent_at"], name="request_out"),
            models.Index(fields=["requested_authority", "-sent_at"], name="request_in"),
            models.Index(fields=["requested_country", "coop_type"], name="request_stats"),
            models.Index(fields=["status", "sent_at"], name="request_status"),
        ]
        verbose_name = _("request")
        verbose_name_plural = _("requests")

    def __str__(self) -> str:
        return f"request {self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class StatusChange(models.Model):
    """One step of a request's status history: who set what, from what, when, with which note."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=40, blank=True)
    to_status = models.CharField(max_length=40, choices=Status.choices)
    side = models.CharField(max_length=12, choices=Side.choices)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status change")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status}->{self.to_status}"


class Notice(models.Model):
    """Something changed on a request a person follows. It names the kind of change and links to the record;
    its e-mail (when sent) carries no content of the request."""

    class Kind(models.TextChoices):
        CREATED = "created", _("A new request")
        STATUS = "status", _("Status changed")
        UPDATED = "updated", _("Request updated")
        REMINDER = "reminder", _("Reminder")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="request_notices")
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(default=dj_timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="request_notice_user")]
        verbose_name = _("request notice")

    def __str__(self) -> str:
        return f"{self.kind} {self.request_id} for {self.user_id}"
