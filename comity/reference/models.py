"""Reference data: countries and territories, and the cooperation networks they belong to."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from comity.core import i18n
from comity.reference import l10n, regions


class Country(models.Model):
    """A country or territory (ISO 3166-1) with its UN M49 classification and UN status.

    Every ISO 3166-1 entry is kept, but only States (`is_state`) are offered as requesting or requested States:
    territories, dependencies and special administrative regions are not.
    """

    class UNStatus(models.TextChoices):
        MEMBER = "member", _("UN member state")
        OBSERVER = "observer", _("UN observer state")
        NONE = "none", _("Not a UN member")

    iso2 = models.CharField(_("ISO alpha-2"), max_length=2, unique=True)
    iso3 = models.CharField(_("ISO alpha-3"), max_length=3, unique=True)
    m49 = models.CharField(_("UN M49 code"), max_length=3, blank=True)
    name_en = models.CharField(_("English name"), max_length=120, db_index=True)
    region_m49 = models.CharField(_("M49 region"), max_length=3, blank=True, db_index=True)
    subregion_m49 = models.CharField(_("M49 sub-region"), max_length=3, blank=True, db_index=True)
    intermediate_region_m49 = models.CharField(_("M49 intermediate region"), max_length=3, blank=True)
    un_status = models.CharField(_("UN status"), max_length=10, choices=UNStatus.choices, default=UNStatus.NONE)
    is_ldc = models.BooleanField(_("least developed country"), default=False)
    is_lldc = models.BooleanField(_("landlocked developing country"), default=False)
    is_sids = models.BooleanField(_("small island developing state"), default=False)
    timezones = models.JSONField(_("IANA time zones"), default=list, blank=True)
    holidays_supported = models.BooleanField(_("public holidays available"), default=False)
    is_state = models.BooleanField(
        _("State"),
        default=False,
        db_index=True,
        help_text=_(
            "A State that can request or be requested cooperation (UN Member or observer State, or a State in "
            "free association that concludes its own treaties)."
        ),
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language: UN terminology (UNTERM), CLDR where the UN has no name (Portuguese)."""
        return i18n.territory_name(self.iso2, l10n.active_language()) if self.iso2 else self.name_en

    def name_in(self, language: str) -> str:
        return i18n.territory_name(self.iso2, language)

    @property
    def region_name(self) -> str:
        return regions.area_name(self.region_m49)

    @property
    def subregion_name(self) -> str:
        return regions.area_name(self.subregion_m49)

    @property
    def intermediate_region_name(self) -> str:
        return regions.area_name(self.intermediate_region_m49)

    @property
    def primary_timezone(self) -> str:
        return self.timezones[0] if self.timezones else "UTC"


class Network(models.Model):
    """A cooperation network (EJN, IberRed, WACAP...) with the source and date of its member list."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    name = models.CharField(_("name"), max_length=200)
    names = models.JSONField(_("names by language"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)
    descriptions = models.JSONField(_("descriptions by language"), default=dict, blank=True)
    website = models.URLField(_("website"), blank=True)
    source = models.CharField(_("source of the member list"), max_length=500)
    source_url = models.URLField(_("address of the source"), blank=True)
    as_of = models.DateField(_("member list as of"))
    members_complete = models.BooleanField(_("member list complete"), default=True)
    note = models.TextField(_("note"), blank=True)
    members = models.ManyToManyField(Country, through="NetworkMembership", related_name="networks")

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.acronym or self.name

    def localized_name(self, language: str | None = None) -> str:
        """The network's own name in that language where it has one, else its English name."""
        return self.names.get(language or l10n.active_language()) or self.name

    def localized_description(self, language: str | None = None) -> tuple[str, str]:
        """The description in that language where there is one, else the English one, with the language it is in
        (a page marks text in another language with `lang`)."""
        language = language or l10n.active_language()
        text = self.descriptions.get(language)
        return (text, language) if text else (self.description, "en")


class NetworkMembership(models.Model):
    """A country's membership of a network."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="network_memberships")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["network", "country"], name="uniq_network_country")]
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")

    def __str__(self) -> str:
        return f"{self.network} – {self.country.iso2}"
