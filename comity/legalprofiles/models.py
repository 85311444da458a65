"""Country legal profiles: the legal tradition and national laws of a country, its rules per type of cooperation,
and one fiche per measure of the fixed catalogue (`choices.Measure`).

A profile (with its rules) and each fiche are confirmed and reminded separately, like the directory's records:
`last_confirmed_at` starts the freshness clock, `reminder_level` climbs while it is overdue
(`reminders.send_reminders`). Every change keeps a `ProfileVersion` with a snapshot of the record after the change,
who made it and the date from which the new text is in effect (`effective_from`).

`search_text` holds the case-folded text of a record for the index created in migration 0001
(`selectors.PROFILE_TEXT`, `selectors.FICHE_TEXT`); the services set it on every write.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from comity.legalprofiles.choices import CooperationType, LegalTradition, Measure


class Rule(models.TextChoices):
    """The answer to a yes/no rule of cooperation, with room for nuance and for not knowing."""

    REQUIRED = "required", _("Required")
    NOT_REQUIRED = "not_required", _("Not required")
    DEPENDS = "depends", _("Depends on the case")
    UNKNOWN = "unknown", _("Not known")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    CONDITIONAL = "conditional", _("Under conditions")
    UNKNOWN = "unknown", _("Not known")


class TreatylessBasis(models.TextChoices):
    """What the country cooperates on when no treaty binds it to the requesting State."""

    RECIPROCITY = "reciprocity", _("Reciprocity")
    DOMESTIC_LAW = "domestic_law", _("Domestic law")
    BOTH = "both", _("Reciprocity under domestic law")
    NONE = "none", _("Only under a treaty")
    UNKNOWN = "unknown", _("Not known")


class Availability(models.TextChoices):
    AVAILABLE = "available", _("Available")
    PARTLY = "partly", _("Partly available")
    NOT_AVAILABLE = "not_available", _("Not available")
    UNKNOWN = "unknown", _("Not known")


class Freshness(models.Model):
    """What a profile and a fiche share: provenance, the demo and verified flags, freshness and search text."""

    source = models.CharField(_("source"), max_length=500, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    is_demo = models.BooleanField(_("demo content"), default=False)
    text_language = models.CharField(_("language of the text"), max_length=10, default="en")
    effective_from = models.DateField(_("in effect from"), default=dj_timezone.localdate)
    last_confirmed_at = models.DateTimeField(_("last confirmed"), default=dj_timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder_level = models.PositiveSmallIntegerField(default=0, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    search_text = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=dj_timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class CountryProfile(Freshness):
    """A country's legal profile: its legal tradition, its national laws on cooperation, a general summary.

    `laws` is a list of {"title", "date" (ISO date or ""), "url", "text", "types" (cooperation type codes)}."""

    country = models.OneToOneField(
        "reference.Country", on_delete=models.CASCADE, related_name="legal_profile", verbose_name=_("country")
    )
    legal_tradition = models.CharField(_("legal tradition"), max_length=20, choices=LegalTradition.choices, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    laws = models.JSONField(_("national laws"), default=list, blank=True)

    class Meta:
        ordering = ["country__name_en"]
        verbose_name = _("country legal profile")
        verbose_name_plural = _("country legal profiles")
        indexes = [models.Index(fields=["last_confirmed_at"], name="legalprofile_confirmed")]

    def __str__(self) -> str:
        return f"{self.country_id}: legal profile"


class CooperationRules(models.Model):
    """How a country handles one type of cooperation: the classic conditions, formalities, channels and timing.

    `treatyless_notes_i18n` holds translations of `treatyless_notes` by language code."""

    profile = models.ForeignKey(CountryProfile, on_delete=models.CASCADE, related_name="rules")
    coop_type = models.CharField(_("type of cooperation"), max_length=30, choices=CooperationType.choices)
    treatyless_basis = models.CharField(
        _("basis without a treaty"), max_length=20, choices=TreatylessBasis.choices, default=TreatylessBasis.UNKNOWN
    )
    treatyless_notes = models.TextField(_("cooperation without a treaty: details"), blank=True)
    treatyless_notes_i18n = models.JSONField(_("translations of those details"), default=dict, blank=True)
    dual_criminality = models.CharField(_("dual criminality"), max_length=20, choices=Rule.choices, default="unknown")
    dual_criminality_notes = models.TextField(_("dual criminality: details"), blank=True)
    extradites_nationals = models.CharField(
        _("extradition of nationals"), max_length=20, choices=Answer.choices, default="unknown"
    )
    political_offence_exception = models.CharField(
        _("political offence exception"), max_length=20, choices=Answer.choices, default="unknown"
    )
    fiscal_offence_exception = models.CharField(
        _("fiscal offence exception"), max_length=20, choices=Answer.choices, default="unknown"
    )
    death_penalty_assurance = models.CharField(
        _("assurance against the death penalty"), max_length=20, choices=Rule.choices, default="unknown"
    )
    life_sentence_assurance = models.CharField(
        _("assurance on life sentences"), max_length=20, choices=Rule.choices, default="unknown"
    )
    evidentiary_standard = models.TextField(_("evidentiary standard"), blank=True)
    certification = models.CharField(_("certification"), max_length=20, choices=Rule.choices, default="unknown")
    apostille = models.CharField(_("apostille or legalisation"), max_length=20, choices=Rule.choices, default="unknown")
    originals = models.CharField(_("original documents"), max_length=20, choices=Rule.choices, default="unknown")
    formalities_notes = models.TextField(_("formalities: details"), blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    urgent_procedure = models.TextField(_("urgent procedure"), blank=True)
    typical_time = models.CharField(_("typical time to execute"), max_length=200, blank=True)
    practical_tips = models.TextField(_("practical tips"), blank=True)

    class Meta:
        ordering = ["profile", "coop_type"]
        constraints = [models.UniqueConstraint(fields=["profile", "coop_type"], name="uniq_profile_coop_type")]
        verbose_name = _("rules for a type of cooperation")
        verbose_name_plural = _("rules for types of cooperation")

    def __str__(self) -> str:
        return f"{self.profile_id}:{self.coop_type}"


class MeasureFiche(Freshness):
    """One measure of the catalogue in one country: whether it is available, on which conditions, who executes it,
    what the request must contain (`contents`, a list of short items), time limits and remarks."""

    country = models.ForeignKey(
        "reference.Country", on_delete=models.CASCADE, related_name="measure_fiches", verbose_name=_("country")
    )
    measure = models.CharField(_("measure"), max_length=40, choices=Measure.choices)
    availability = models.CharField(
        _("availability"), max_length=20, choices=Availability.choices, default=Availability.UNKNOWN
    )
    legal_conditions = models.TextField(_("legal conditions"), blank=True)
    competent_authority = models.ForeignKey(
        "directory.Authority",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="measure_fiches",
        verbose_name=_("competent authority"),
    )
    contents = models.JSONField(_("what the request must contain"), default=list, blank=True)
    time_limits = models.TextField(_("time limits"), blank=True)
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        ordering = ["country__name_en", "measure"]
        constraints = [models.UniqueConstraint(fields=["country", "measure"], name="uniq_country_measure")]
        indexes = [models.Index(fields=["last_confirmed_at"], name="measurefiche_confirmed")]
        verbose_name = _("measure fiche")
        verbose_name_plural = _("measure fiches")

    def __str__(self) -> str:
        return f"{self.country_id}:{self.measure}"


class ProfileVersion(models.Model):
    """A kept version of a profile (with its rules) or a fiche: the record as it was after the change, the fields
    that changed, who changed it, when, and from which date the new text is in effect."""

    class Kind(models.TextChoices):
        PROFILE = "profile", _("Legal profile")
        FICHE = "fiche", _("Measure fiche")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    country = models.ForeignKey("reference.Country", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40, blank=True)  # "" for a profile, the measure code for a fiche
    record_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=20)  # created, updated, confirmed
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    effective_from = models.DateField(null=True, blank=True)
    snapshot = models.JSONField(default=dict)
    changes = models.JSONField(default=dict)  # field -> [old, new]

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "record_id"], name="legalversion_record")]
        verbose_name = _("version")

    def __str__(self) -> str:
        return f"{self.kind}:{self.record_id} {self.action}"
