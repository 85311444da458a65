"""Users and roles, invitations, recovery codes, API tokens and tracked sessions."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat administrator")
    MODERATOR = "moderator", _("Moderator")
    COORDINATOR = "coordinator", _("National coordinator")
    MEMBER = "member", _("Member (contact point)")
    LIAISON = "liaison", _("Network liaison")
    OBSERVER = "observer", _("Observer")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def normalize_email(self, email):  # type: ignore[override]
        return (email or "").strip().lower()

    def create_user(self, email, password=None, **extra):
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(role=Role.SECRETARIAT, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Signs in by e-mail, password and a second factor."""

    email = models.EmailField(_("e-mail address"), unique=True)
    # Unread in-app notifications, kept by the notifications app (one more per notification, recounted when some
    # are marked read), so that the header shows the count on every page without a query.
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)
    full_name = models.CharField(_("full name"), max_length=150)
    country = models.ForeignKey(
        "reference.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("country"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    coordinated_countries = models.ManyToManyField(
        "reference.Country", blank=True, related_name="coordinators", verbose_name=_("coordinated countries")
    )
    liaison_networks = models.ManyToManyField(
        "reference.Network", blank=True, related_name="liaisons", verbose_name=_("networks (liaison)")
    )
    preferred_language = models.CharField(_("preferred language"), max_length=10, default="en")
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    languages_spoken = models.JSONField(_("languages spoken"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("admin site access"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=dj_timezone.now)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    @property
    def is_secretariat(self) -> bool:
        return self.is_active and self.role == Role.SECRETARIAT

    @property
    def is_coordinator(self) -> bool:
        return self.is_active and self.role == Role.COORDINATOR

    @property
    def is_observer(self) -> bool:
        # Not tied to is_active: the observer role only ever takes rights away.
        return self.role == Role.OBSERVER

    def coordinated_country_codes(self) -> set[str]:
        """ISO codes this user coordinates (cached per instance)."""
        if not self.is_coordinator:
            return set()
        cache = self.__dict__.get("_coordinated_codes")
        if cache is None:
            cache = set(self.coordinated_countries.values_list("iso2", flat=True))
            self.__dict__["_coordinated_codes"] = cache
        return cache

    @property
    def can_manage_members(self) -> bool:
        return self.is_secretariat or self.is_coordinator

    @property
    def can_view_audit(self) -> bool:
        return self.is_secretariat or self.is_coordinator


class Invitation(models.Model):
    """A single-use invitation to join, valid for 7 days. Only the token's SHA-256 is stored."""

    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=150)
    country = models.ForeignKey(
        "reference.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("country")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    coordinated_countries = models.ManyToManyField("reference.Country", blank=True, related_name="+")
    liaison_networks = models.ManyToManyField("reference.Network", blank=True, related_name="+")
    language = models.CharField(_("language"), max_length=10, default="en")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="invitations_sent")
    created_at = models.DateTimeField(default=dj_timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    expiry_audited = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} ({self.status})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= dj_timezone.now():
            return "expired"
        return "pending"

    @property
    def status_label(self):
        labels = {"accepted": _("Accepted"), "revoked": _("Revoked"), "expired": _("Expired"), "pending": _("Pending")}
        return labels[self.status]


class RecoveryCode(models.Model):
    """A single-use recovery code; only its keyed hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=dj_timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="uniq_recovery_code")]
        verbose_name = _("recovery code")

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"


class ApiToken(models.Model):
    """A personal API token: `cmt_<prefix>_<secret>`; only the SHA-256 of the whole token is stored."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=5, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=dj_timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > dj_timezone.now() and self.user.is_active


class UserSession(models.Model):
    """A signed-in browser session, so that users can see and end their sessions."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tracked_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    last_seen_at = models.DateTimeField(default=dj_timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("session")

    def __str__(self) -> str:
        return f"session of {self.user_id}"
