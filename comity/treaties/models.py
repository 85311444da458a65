"""Instruments of cooperation in criminal matters, the states party to them and their declarations."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comity.core.search import fold
from comity.legalprofiles.choices import CooperationType
from comity.reference import l10n


class Kind(models.TextChoices):
    BILATERAL = "bilateral", _("Bilateral treaty")
    REGIONAL = "regional", _("Regional instrument")
    MULTILATERAL = "multilateral", _("Multilateral convention")
    SCHEME = "scheme", _("Scheme (not binding)")


# The order in which the legal-basis finder lists its groups: the most specific instrument first.
KIND_ORDER = (Kind.BILATERAL, Kind.REGIONAL, Kind.MULTILATERAL, Kind.SCHEME)


class ConsentKind(models.TextChoices):
    RATIFICATION = "ratification", _("Ratification")
    ACCESSION = "accession", _("Accession")
    ACCEPTANCE = "acceptance", _("Acceptance")
    APPROVAL = "approval", _("Approval")
    SUCCESSION = "succession", _("Succession")


class Instrument(models.Model):
    """A treaty, convention, protocol or non-binding scheme under which states cooperate in criminal matters."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=400)
    titles = models.JSONField(
        _("titles in other languages"),
        default=dict,
        blank=True,
        help_text=_('Language code to title, e.g. {"fr": "..."}.'),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    states = models.ManyToManyField(
        "reference.Country",
        blank=True,
        related_name="bilateral_instruments",
        verbose_name=_("the two states of a bilateral treaty"),
    )
    adopted_on = models.DateField(_("adopted or opened for signature on"), null=True, blank=True)
    in_force_on = models.DateField(_("entered into force on"), null=True, blank=True)
    text_url = models.URLField(_("address of the full text"), max_length=500, blank=True)
    text = models.TextField(_("text or summary"), blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    search_text = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")

    def __str__(self) -> str:
        return self.title

    def localized_title(self, language: str | None = None) -> str:
        return self.titles.get(language or l10n.active_language()) or self.title

    def build_search_text(self, articles: list[str] | None = None) -> str:
        parts = [self.slug, self.title, *(self.titles[code] for code in sorted(self.titles)), *(articles or [])]
        parts.append(self.text)
        return " ".join(fold(part) for part in parts if part)


class Coverage(models.Model):
    """One type of cooperation an instrument provides for, and the articles to cite for it."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="coverages")
    coop_type = models.CharField(_("type of cooperation"), max_length=30, choices=CooperationType.choices)
    articles = models.CharField(_("articles to cite"), max_length=200, blank=True)

    class Meta:
        ordering = ["coop_type"]
        constraints = [models.UniqueConstraint(fields=["instrument", "coop_type"], name="uniq_instrument_coverage")]
        indexes = [models.Index(fields=["coop_type", "instrument"], name="coverage_type")]
        verbose_name = _("type covered")

    def __str__(self) -> str:
        return f"{self.instrument_id}:{self.coop_type}"


class Party(models.Model):
    """A state's participation in an instrument (for a scheme: its membership), with the dates that matter."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="parties")
    country = models.ForeignKey(
        "reference.Country", on_delete=models.PROTECT, related_name="treaty_parties", verbose_name=_("state")
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    consent_on = models.DateField(_("consent to be bound on"), null=True, blank=True)
    consent_kind = models.CharField(_("consent by"), max_length=20, choices=ConsentKind.choices, blank=True)
    in_force_on = models.DateField(_("in force for this state on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawal effective on"), null=True, blank=True)
    verified = models.BooleanField(_("verified against the depositary"), default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["instrument__title", "country__iso2"]
        constraints = [models.UniqueConstraint(fields=["instrument", "country"], name="uniq_instrument_party")]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return f"{self.instrument_id}:{self.country_id}"

    @property
    def is_party(self) -> bool:
        """Bound or to be bound (for a scheme: a member). A row with a signature and nothing else is a signatory;
        a row with no date at all records a party whose dates are not known yet."""
        if self.instrument.kind == Kind.SCHEME:
            return True
        return bool(self.consent_kind or self.consent_on or self.in_force_on or not self.signed_on)

    def in_force_at(self, on: dt.date) -> bool:
        """Bound on `on`: in force for it by then and not withdrawn. A party whose date of entry into force is not
        recorded counts from its consent (or, for a scheme member, always); the finder flags its date as unknown."""
        if self.withdrawn_on and self.withdrawn_on <= on:
            return False
        if self.in_force_on:
            return self.in_force_on <= on
        if not self.is_party:
            return False
        return self.consent_on is None or self.consent_on <= on


class Declaration(models.Model):
    """A declaration or reservation of a party; `excludes` rules the instrument out as a legal basis for `types`."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="declarations")
    text = models.TextField(_("text"))
    types = models.JSONField(_("types of cooperation it bears on"), default=list, blank=True)
    excludes = models.BooleanField(_("rules the instrument out as legal basis for these types"), default=False)
    articles = models.CharField(_("articles"), max_length=100, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("declaration or reservation")
        verbose_name_plural = _("declarations and reservations")

    def __str__(self) -> str:
        return f"{self.party_id}:{self.articles}"
