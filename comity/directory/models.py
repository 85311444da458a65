"""The directory: competent authorities, their office hours and closures, seats and contact points."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from comity.core.search import fold
from comity.core.timeutil import get_zone


class Competence(models.TextChoices):
    MLA_CENTRAL = "mla_central", _("Central authority for mutual legal assistance")
    EXTRADITION = "extradition", _("Extradition")
    SENTENCED_TRANSFER = "sentenced_transfer", _("Transfer of sentenced persons")
    PROCEEDINGS_TRANSFER = "proceedings_transfer", _("Transfer of criminal proceedings")
    ASSET_RECOVERY = "asset_recovery", _("Asset recovery")
    CYBERCRIME_24_7 = "cybercrime_24_7", _("Cybercrime 24/7 point of contact")
    MIGRANT_SMUGGLING_SEA = "migrant_smuggling_sea", _("Migrant smuggling by sea")
    FIREARMS = "firearms", _("Firearms")
    CULTURAL_PROPERTY = "cultural_property", _("Cultural property")
    JIT = "jit", _("Joint investigation teams")


class Instrument(models.TextChoices):
    UNTOC_18_13 = "untoc_18_13", _("UNTOC art. 18(13)")
    UNTOC_16 = "untoc_16", _("UNTOC art. 16")
    UNCAC_46_13 = "uncac_46_13", _("UNCAC art. 46(13)")
    UNCAC_44 = "uncac_44", _("UNCAC art. 44")
    BUDAPEST_35 = "budapest_35", _("Budapest Convention art. 35")
    BUDAPEST_24 = "budapest_24", _("Budapest Convention art. 24(7)")
    FIREARMS_PROTOCOL_13 = "firearms_13", _("Firearms Protocol art. 13(2)")
    SMUGGLING_PROTOCOL_8 = "smuggling_8", _("Migrant Smuggling Protocol art. 8(6)")
    VIENNA_1988_7_8 = "vienna1988_7_8", _("1988 Convention art. 7(8)")
    SENTENCED_1983 = "coe_sentenced_1983", _("Convention on the Transfer of Sentenced Persons (1983)")
    OTHER = "other", _("Other instrument")


class Channel(models.TextChoices):
    DIRECT = "direct", _("Directly between central authorities")
    DIPLOMATIC = "diplomatic", _("Diplomatic channels")
    INTERPOL = "interpol", _("INTERPOL")
    ELECTRONIC = "electronic", _("Electronic transmission / e-mail")
    NETWORK = "network", _("A regional network's secure system")


class UrgentChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Telephone")
    INTERPOL = "interpol", _("INTERPOL")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members")
    NETWORK = "network", _("Members of the same network")
    SECRETARIAT = "secretariat", _("Secretariat only")


class Authority(models.Model):
    """A competent national authority: the institution is the member; people hold seats in it."""

    country = models.ForeignKey(
        "reference.Country", on_delete=models.PROTECT, related_name="authorities", verbose_name=_("country")
    )
    official_name = models.CharField(_("official name"), max_length=300)
    names = models.JSONField(
        _("names in other languages"),
        default=dict,
        blank=True,
        help_text=_('Language code to name, e.g. {"fr": "..."}.'),
    )
    search_text = models.TextField(editable=False, blank=True, default="")
    languages_accepted = models.JSONField(_("languages accepted"), default=list, blank=True)
    channels = models.JSONField(_("channels accepted"), default=list, blank=True)
    urgent_channels = models.JSONField(_("urgent requests accepted in advance by"), default=list, blank=True)
    untoc_mla_basis = models.BooleanField(_("accepts UNTOC as legal basis for MLA"), default=False)
    untoc_extradition_basis = models.BooleanField(_("accepts UNTOC as legal basis for extradition"), default=False)
    postal_address = models.TextField(_("postal address"), blank=True)
    email = models.EmailField(_("official e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    holiday_subdivision = models.CharField(_("holiday subdivision"), max_length=10, blank=True)
    always_available = models.BooleanField(_("available 24/7"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    last_confirmed_at = models.DateTimeField(_("last confirmed"), default=dj_timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder_level = models.PositiveSmallIntegerField(default=0, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country__name_en", "official_name"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        indexes = [models.Index(fields=["last_confirmed_at"], name="authority_confirmed")]

    def __str__(self) -> str:
        return self.official_name

    def localized_name(self, language: str | None = None) -> str:
        from django.utils import translation

        code = language or translation.get_language() or "en"
        return self.names.get(code) or self.official_name

    @property
    def zone(self):
        return get_zone(self.timezone)

    def build_search_text(self) -> str:
        parts = [self.official_name, *(self.names[code] for code in sorted(self.names))]
        return " ".join(fold(part) for part in parts if part)


class AuthorityCompetence(models.Model):
    """One designation of an authority: what it is competent for, and under which instrument."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="competences")
    code = models.CharField(_("competence"), max_length=30, choices=Competence.choices, db_index=True)
    instrument = models.CharField(_("designated under"), max_length=30, choices=Instrument.choices, blank=True)
    scope_notes = models.TextField(_("scope notes"), blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["authority", "code"], name="uniq_authority_competence")]
        verbose_name = _("competence")

    def __str__(self) -> str:
        return f"{self.authority_id}:{self.code}"


class OfficeHours(models.Model):
    """One opening interval in local wall-clock time. `closes` 24:00 is stored as closes_at_midnight."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="office_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"))  # 0 = Monday
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"), null=True, blank=True, help_text=_("Empty means midnight (24:00)."))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("office hours")
        verbose_name_plural = _("office hours")

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens}-{self.closes or '24:00'}"

    @property
    def closes_label(self) -> str:
        return self.closes.strftime("%H:%M") if self.closes else "24:00"


class Closure(models.Model):
    """A period when the authority is closed (e.g. office move), in its local dates, inclusive."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="closures")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("closure")

    def __str__(self) -> str:
        return f"{self.start_date}..{self.end_date}"

    def covers(self, day: dt.date) -> bool:
        return self.start_date <= day <= self.end_date


class Seat(models.Model):
    """A position in an authority (e.g. 'Head of the MLA unit'), held by one contact at a time."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="seats")
    title = models.CharField(_("position"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("seat")

    def __str__(self) -> str:
        return self.title


CONTACT_RESTRICTABLE_FIELDS = ("name", "title", "phone", "mobile", "email", "secure_channel")
DEFAULT_CONTACT_VISIBILITY = {
    "name": "public",
    "title": "public",
    "phone": "members",
    "mobile": "members",
    "email": "members",
    "secure_channel": "members",
}


class Contact(models.Model):
    """A person holding a seat, from start_date until end_date (empty while they hold it)."""

    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="holders")
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    secure_channel = models.CharField(_("secure channel address"), max_length=200, blank=True)
    timezone = models.CharField(_("own time zone"), max_length=64, blank=True)
    always_available = models.BooleanField(_("available 24/7"), default=False)
    start_date = models.DateField(_("holds the seat since"), default=dj_timezone.localdate)
    end_date = models.DateField(_("held the seat until"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="contact_seats"
    )
    visibility = models.JSONField(_("field visibility"), default=dict, blank=True)
    last_confirmed_at = models.DateTimeField(_("last confirmed"), default=dj_timezone.now)
    reminder_level = models.PositiveSmallIntegerField(default=0, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["seat__position", "name"]
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        indexes = [models.Index(fields=["last_confirmed_at"], name="contact_confirmed")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.end_date is None

    def visibility_of(self, field: str) -> str:
        return self.visibility.get(field) or DEFAULT_CONTACT_VISIBILITY.get(field, "members")

    @property
    def effective_timezone(self) -> str:
        return self.timezone or self.authority.timezone


class RecordVersion(models.Model):
    """A kept version of a directory record: who changed what, field by field."""

    record_type = models.CharField(max_length=30)  # "authority" or "contact"
    record_id = models.PositiveBigIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    action = models.CharField(max_length=20)  # created, updated, confirmed, handover, imported
    changes = models.JSONField(default=dict)  # field -> [old, new]

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["record_type", "record_id"], name="version_record")]
        verbose_name = _("version")

    def __str__(self) -> str:
        return f"{self.record_type}:{self.record_id} {self.action}"


class ImportJob(models.Model):
    """A CSV file uploaded on the import page and the latest run made of it (the dry run, then the apply).

    The file is kept here, not on a local disk, so that any web process or worker on any host can read it; it is
    erased once applied, when a run fails, and an hour after the upload. The row report of the latest run stays
    with the job after the run ends, so the page that shows it can be reloaded or visited again later.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Stopped by an error")

    token = models.CharField(max_length=32, unique=True)  # random: the handle in the page's address and form
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField(null=True)  # the uploaded file; None once applied, failed or expired
    mode = models.CharField(max_length=20, default="dry_run")  # csv_import.Mode of the latest run
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    phase = models.CharField(max_length=10, blank=True)  # "checking" or "applying" while running
    applied = models.BooleanField(default=False)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)  # the row report of the latest run
    error = models.TextField(blank=True)
    request_context = models.JSONField(default=dict, blank=True)  # ip, user agent, request id of the request
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)  # moves with the progress: a stalled run shows
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "created_at"], name="importjob_user_time")]
        verbose_name = _("directory import")

    def __str__(self) -> str:
        return f"import {self.pk} {self.mode} {self.state}"
