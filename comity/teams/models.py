"""Joint teams: a team between authorities of several countries, its members (a leader per country), extensions,
action items, the document shelf (versions of files kept by the files app), the activity timeline, the end
evaluation and the model agreement's template."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """A joint team (e.g. a joint investigation team). Its discussion and files live in a private forum space."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"))
    agreement_reference = models.CharField(_("agreement reference"), max_length=120, blank=True)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"), help_text=_("The current end date, after any extension."))
    original_end = models.DateField(_("end date first agreed"))
    countries = models.ManyToManyField("reference.Country", related_name="+", verbose_name=_("countries"))
    authorities = models.ManyToManyField(
        "directory.Authority", blank=True, related_name="+", verbose_name=_("authorities")
    )
    space = models.OneToOneField("forum.Space", on_delete=models.PROTECT, related_name="team")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    agreement_text = models.TextField(_("agreement"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("joint team")
        verbose_name_plural = _("joint teams")

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.ACTIVE


class TeamMember(models.Model):
    """A person in a team for their country; a removed member keeps the row (who, when, by whom) for the record."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Member")
        REMOVED = "removed", _("Removed")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_memberships")
    country = models.ForeignKey("reference.Country", on_delete=models.PROTECT, related_name="+")
    is_leader = models.BooleanField(_("leader"), default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=dj_timezone.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["country__name_en", "-is_leader", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="uniq_team_member"),
            models.UniqueConstraint(
                fields=["team", "country"],
                condition=Q(is_leader=True, state="active"),
                name="uniq_team_leader_per_country",
            ),
        ]
        verbose_name = _("team member")

    def __str__(self) -> str:
        return f"{self.team_id}:{self.user_id}"


class TeamExtension(models.Model):
    """An extension of the team's duration, as agreed by the parties."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="extensions")
    previous_end = models.DateField(_("previous end date"))
    new_end = models.DateField(_("new end date"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("extension")

    def __str__(self) -> str:
        return f"{self.previous_end}->{self.new_end}"


class ActionItem(models.Model):
    """Something a member must do by a day; the day ends at midnight in the assignee's own zone."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(_("action"), max_length=300)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action item")

    def __str__(self) -> str:
        return self.title


class TeamDocument(models.Model):
    """A document on the team's shelf; each version is an encrypted attachment of the team's space."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("document")

    def __str__(self) -> str:
        return self.title


class DocumentVersion(models.Model):
    """One version of a shelf document: number, note and the attachment (with its file log) that holds it."""

    document = models.ForeignKey(TeamDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    attachment = models.OneToOneField("files.Attachment", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="uniq_document_version")]
        verbose_name = _("document version")

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class Activity(models.Model):
    """One line of the team's timeline, written by the service that did the thing."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(max_length=40)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("activity")

    def __str__(self) -> str:
        return f"{self.team_id} {self.verb}"


class Evaluation(models.Model):
    """The end-of-team evaluation, one per country, by its leader: a short structured form."""

    class Rating(models.IntegerChoices):
        POOR = 1, _("Poor")
        FAIR = 2, _("Fair")
        GOOD = 3, _("Good")
        VERY_GOOD = 4, _("Very good")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="evaluations")
    country = models.ForeignKey("reference.Country", on_delete=models.PROTECT, related_name="+")
    objectives_met = models.PositiveSmallIntegerField(_("objectives met"), choices=Rating.choices)
    cooperation = models.PositiveSmallIntegerField(_("cooperation between the parties"), choices=Rating.choices)
    platform = models.PositiveSmallIntegerField(_("usefulness of the workspace"), choices=Rating.choices)
    lessons = models.TextField(_("lessons learned"), blank=True)
    would_repeat = models.BooleanField(_("would set up a joint team again"), default=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "country"], name="uniq_evaluation_per_country")]
        verbose_name = _("evaluation")

    def __str__(self) -> str:
        return f"{self.team_id}:{self.country_id}"


class AgreementTemplate(models.Model):
    """The model agreement's body, data the secretariat edits. Placeholders in braces are filled from the team:
    {name}, {purpose}, {parties}, {authorities}, {reference}, {start}, {end}, {leaders}."""

    language = models.CharField(_("language"), max_length=10, unique=True)
    body = models.TextField(_("text"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["language"]
        verbose_name = _("agreement template")

    def __str__(self) -> str:
        return self.language
