"""Meetings: events with their agenda, registrations, funded participation and personal calendar feeds."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    IN_PERSON = "in_person", _("Face-to-face")
    VIRTUAL = "virtual", _("Virtual")
    HYBRID = "hybrid", _("Hybrid")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public listing")
    MEMBERS = "members", _("All members")
    RESTRICTED = "restricted", _("Members of the given spaces, networks or countries")


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


# What an organiser may ask on the registration form.
class RegistrationField(models.TextChoices):
    ROLE = "role", _("Role")
    AUTHORITY = "authority", _("Authority")
    LANGUAGES = "languages", _("Languages")
    DIETARY = "dietary", _("Dietary needs")
    ACCESSIBILITY = "accessibility", _("Accessibility needs")
    VISA_LETTER = "visa_letter", _("Visa letter needed")


TITLE_MAX = 200
DESCRIPTION_MAX = 20000


def _language() -> str:
    return (get_language() or "en").lower()


class Event(models.Model):
    """A face-to-face, virtual or hybrid meeting. Times are stored in UTC; `timezone` is the event's own zone.

    `title` and `description` are in the viewer's language where a translation exists (`titles`/`descriptions`
    by language code), else in the original. `sequence` is RFC 5545's SEQUENCE: raised on every update.
    The funding budget's remaining amount never goes below zero (a check constraint and conditional updates).
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices, default=EventKind.IN_PERSON)
    status = models.CharField(_("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    title_original = models.CharField(_("title"), max_length=200)
    titles = models.JSONField(_("titles by language"), default=dict, blank=True)
    description_original = models.TextField(_("description"), blank=True)
    descriptions = models.JSONField(_("descriptions by language"), default=dict, blank=True)
    language = models.CharField(_("language of the original"), max_length=10, default="en")
    # ",en,fr," - the working languages, searchable with a LIKE on every database.
    languages = models.CharField(_("working languages"), max_length=80, blank=True, default="")
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    region_m49 = models.CharField(_("M49 region"), max_length=3, blank=True)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices, default=Audience.MEMBERS)
    audience_spaces = models.ManyToManyField("forum.Space", blank=True, related_name="+")
    audience_networks = models.ManyToManyField("reference.Network", blank=True, related_name="+")
    audience_countries = models.ManyToManyField("reference.Country", blank=True, related_name="+")
    network = models.ForeignKey(
        "reference.Network",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("organising network"),
    )
    space = models.ForeignKey(
        "forum.Space",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("organising space"),
    )
    thread = models.ForeignKey("forum.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organisers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="organised_events")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    requires_approval = models.BooleanField(_("registrations need the organiser's approval"), default=False)
    registration_fields = models.JSONField(_("registration form"), default=list, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    recordings = models.TextField(_("recordings or their links"), blank=True)
    budget_currency = models.CharField(_("currency"), max_length=3, blank=True)
    budget_amount = models.DecimalField(_("budget"), max_digits=12, decimal_places=2, default=Decimal("0"))
    budget_remaining = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    daily_allowance = models.DecimalField(_("daily allowance"), max_digits=10, decimal_places=2, default=Decimal("0"))
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(condition=Q(budget_remaining__gte=0), name="event_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(budget_remaining__lte=models.F("budget_amount")), name="event_budget_le"
            ),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="event_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title_original

    def get_absolute_url(self) -> str:
        return reverse("meetings:event_detail", kwargs={"pk": self.pk})

    @property
    def title(self) -> str:
        return self.titles.get(_language()) or self.title_original

    @property
    def title_language(self) -> str:
        """The language code of `title` as shown now: the viewer's when translated, else the original's."""
        language = _language()
        return language if self.titles.get(language) else self.language

    @property
    def description(self) -> str:
        return self.descriptions.get(_language()) or self.description_original

    @property
    def description_language(self) -> str:
        """The language code of `description` as shown now: the viewer's when translated, else the original's."""
        language = _language()
        return language if self.descriptions.get(language) else self.language

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_past(self) -> bool:
        return self.end <= dj_timezone.now()

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def budget_spent(self) -> Decimal:
        return self.budget_amount - self.budget_remaining


class Session(models.Model):
    """One item of the agenda."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    room = models.CharField(_("room"), max_length=120, blank=True)
    speakers = models.CharField(_("speakers"), max_length=400, blank=True)
    documents = models.TextField(_("documents (one link per line)"), blank=True)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="session_ends_after_start")]

    def __str__(self) -> str:
        return self.title

    @property
    def document_links(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]


class ActionItem(models.Model):
    """Something decided at the meeting, for one person by a date (shown in the assignee's zone)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(_("action"), max_length=300)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assignee")
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.title


class RegistrationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    PENDING = "pending", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


# Registrations that hold (or wait for) a seat and show in the user's calendar.
ACTIVE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED)


class Registration(models.Model):
    """A person's registration to an event (or an invitation not yet answered). One per person and event.

    The waiting list is ordered by `waitlisted_at`; a cancellation moves the first one up in the same transaction.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations")
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices)
    role = models.CharField(_("role"), max_length=120, blank=True)
    authority = models.ForeignKey(
        "directory.Authority", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    dietary = models.CharField(_("dietary needs"), max_length=300, blank=True)
    accessibility = models.CharField(_("accessibility needs"), max_length=300, blank=True)
    visa_letter = models.BooleanField(_("visa letter needed"), default=False)
    created_at = models.DateTimeField(default=dj_timezone.now)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="uniq_event_registration")]
        indexes = [models.Index(fields=["event", "status", "waitlisted_at"], name="registration_queue")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.event_id} ({self.status})"


class FundingEligibility(models.Model):
    """A country the secretariat adds to an event's funding eligibility (beyond the least developed countries)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="extra_eligible")
    country = models.ForeignKey("reference.Country", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        verbose_name = _("funding eligibility")
        constraints = [models.UniqueConstraint(fields=["event", "country"], name="uniq_event_eligible_country")]

    def __str__(self) -> str:
        return f"{self.country_id} @ {self.event_id}"


class FundingStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    PARTLY = "partly", _("Partly approved")
    DECLINED = "declined", _("Declined")


class FundingRequest(models.Model):
    """A participant's request for funding: travel, days of daily allowance and why. Decided once."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="funding_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    country = models.ForeignKey("reference.Country", on_delete=models.PROTECT, related_name="+")
    travel_amount = models.DecimalField(_("travel"), max_digits=10, decimal_places=2)
    allowance_days = models.PositiveSmallIntegerField(_("days of daily allowance"))
    requested_amount = models.DecimalField(max_digits=12, decimal_places=2)
    justification = models.TextField(_("justification"))
    status = models.CharField(max_length=10, choices=FundingStatus.choices, default=FundingStatus.PENDING)
    approved_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("funding request")
        verbose_name_plural = _("funding requests")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="uniq_event_funding_request"),
            models.CheckConstraint(condition=Q(approved_amount__gte=0), name="funding_approved_not_negative"),
            models.CheckConstraint(
                condition=Q(approved_amount__lte=models.F("requested_amount")), name="funding_approved_le_requested"
            ),
        ]

    def __str__(self) -> str:
        return f"funding {self.user_id} @ {self.event_id}"


class CalendarFeed(models.Model):
    """A person's secret calendar feed address. Only the SHA-256 of the token is stored; revoking deletes it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")

    def __str__(self) -> str:
        return f"feed of {self.user_id}"
