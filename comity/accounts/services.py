"""Every write about accounts: invitations, sign-in, second factor, sessions, roles, tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from comity.accounts import permissions
from comity.accounts.models import ApiToken, Invitation, RecoveryCode, Role, User, UserSession
from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core import context, ratelimit
from comity.core.i18n import UI_LANGUAGES
from comity.core.timeutil import is_valid_timezone

# --- helpers ----------------------------------------------------------------------------------------


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _recovery_hash(code: str) -> str:
    normalized = code.replace("-", "").replace(" ", "").strip().lower()
    return hmac.new(settings.SECRET_KEY.encode(), normalized.encode(), hashlib.sha256).hexdigest()


def _new_recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _country_code(user) -> str:
    return user.country.iso2 if getattr(user, "country_id", None) else ""


def _absolute(path: str) -> str:
    return settings.COMITY_BASE_URL.rstrip("/") + path


def _send(*, to: str, language: str, subject_fn, body_fn, category: str, user=None) -> None:
    """Queue one e-mail in the recipient's language through the outbox (sent after commit, retried)."""
    from comity.notifications import outbox

    with translation.override(language if language in UI_LANGUAGES else settings.LANGUAGE_CODE):
        subject, body = str(subject_fn()), str(body_fn())
    outbox.outbox_enqueue(to=to, subject=subject, body_text=body, user=user, category=category)
    outbox.schedule_delivery()


# --- invitations ---------------------------------------------------------------------------------------


def invitation_create(
    *,
    actor: User,
    email: str,
    full_name: str,
    country,
    role: str = Role.MEMBER,
    coordinated_countries=(),
    liaison_networks=(),
    language: str = "en",
) -> tuple[Invitation, str]:
    """Invite someone; returns the invitation and the raw token (sent by e-mail, never stored)."""
    email = User.objects.normalize_email(email)
    if not permissions.can_invite(actor, country_code=country.iso2, role=role):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("A user with this e-mail address already exists.")]
    if role == Role.COORDINATOR and not coordinated_countries:
        coordinated_countries = [country]
    if role == Role.LIAISON and not liaison_networks:
        errors["liaison_networks"] = [_("A network liaison needs at least one network.")]
    if language not in UI_LANGUAGES:
        errors["language"] = [_("Unknown language.")]
    if errors:
        raise ValidationError(errors)
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        # A new invitation replaces any pending one for the same address.
        for old in Invitation.objects.select_for_update().filter(
            email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ):
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
            audit_log(action=AuditAction.INVITATION_REVOKED, actor=actor, target=old, country=old.country.iso2,
                      details={"email": old.email, "reason": "replaced"})
        invitation = Invitation(
            email=email, full_name=full_name.strip(), country=country, role=role, language=language,
            token_hash=sha256_hex(raw), invited_by=actor, created_at=now,
            expires_at=now + dt.timedelta(days=settings.INVITATION_VALIDITY_DAYS),
        )
        invitation.full_clean(exclude=["token_hash"])
        invitation.save()
        invitation.coordinated_countries.set(coordinated_countries)
        invitation.liaison_networks.set(liaison_networks)
        audit_log(action=AuditAction.INVITATION_SENT, actor=actor, target=invitation, country=country.iso2,
                  details={"email": email, "role": role})
        link = _absolute(reverse("accounts:invitation_accept", kwargs={"token": raw}))
        expires = invitation.expires_at
        _send(
            to=email, language=language, category="invitation",
            subject_fn=lambda: _("You are invited to join Comity"),
            body_fn=lambda: _(
                "%(inviter)s invited you to join Comity, the network of competent national authorities.\n\n"
                "Open this link to set your password and two-factor authentication:\n%(link)s\n\n"
                "The link can be used once and expires on %(expires)s (UTC)."
            ) % {"inviter": actor.full_name, "link": link, "expires": expires.strftime("%Y-%m-%d %H:%M")},
        )
    return invitation, raw


class InvitationError(Exception):
    """The invitation cannot be used; the message says why."""


def invitation_for_token(raw: str) -> Invitation:
    """The usable invitation behind a token, or InvitationError (an expired one is audited once)."""
    invitation = Invitation.objects.select_related("country").filter(token_hash=sha256_hex(raw or "")).first()
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid."))
    status = invitation.status
    if status == "accepted":
        raise InvitationError(_("This invitation has already been used. Sign in instead."))
    if status == "revoked":
        raise InvitationError(_("This invitation was withdrawn. Ask for a new one."))
    if status == "expired":
        _audit_expiry(invitation)
        raise InvitationError(_("This invitation has expired. Ask for a new one."))
    return invitation


def _audit_expiry(invitation: Invitation) -> None:
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.expiry_audited:
            return
        locked.expiry_audited = True
        locked.save(update_fields=["expiry_audited"])
        audit_log(action=AuditAction.INVITATION_EXPIRED, target=locked, country=locked.country.iso2,
                  details={"email": locked.email})


def invitations_expire() -> int:
    """Audit every invitation that expired since the last run. Returns how many."""
    count = 0
    for invitation in Invitation.objects.select_related("country").filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=timezone.now(), expiry_audited=False
    ):
        _audit_expiry(invitation)
        count += 1
    return count


def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    if invitation.status != "pending":
        raise ValidationError(_("Only a pending invitation can be revoked."))
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_log(action=AuditAction.INVITATION_REVOKED, actor=actor, target=invitation,
                  country=invitation.country.iso2, details={"email": invitation.email})


def invitation_accept(*, raw_token: str, full_name: str, password: str) -> User:
    """Create the account. The new user must still enrol a second factor before signing in."""
    with transaction.atomic():
        invitation = invitation_for_token(raw_token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != "pending":
            raise InvitationError(_("This invitation has already been used. Sign in instead."))
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError(_("This invitation has already been used. Sign in instead."))
        user = User(
            email=invitation.email, full_name=(full_name or invitation.full_name).strip(),
            country=invitation.country, role=invitation.role, preferred_language=invitation.language,
            timezone=(invitation.country.primary_timezone if invitation.country.timezones else "UTC"),
        )
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.save()
        user.coordinated_countries.set(invitation.coordinated_countries.all())
        user.liaison_networks.set(invitation.liaison_networks.all())
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        audit_log(action=AuditAction.INVITATION_ACCEPTED, actor=user, target=invitation,
                  country=invitation.country.iso2, details={"email": user.email, "role": user.role})
    return user


# --- sign-in -------------------------------------------------------------------------------------------


@dataclass
class SignInResult:
    user: User | None = None
    lock: ratelimit.Lock | None = None

    @property
    def locked(self) -> bool:
        return bool(self.lock and self.lock.locked)


def _lock_pairs(email: str) -> list[tuple[str, str]]:
    return [("login-acct", email), ("login-ip", context.current().ip or "")]


def sign_in_check_password(*, request, email: str, password: str) -> SignInResult:
    """First factor. Locked keys are refused before the password is checked."""
    email = User.objects.normalize_email(email)
    pairs = _lock_pairs(email)
    lock = ratelimit.check(pairs)
    if lock.locked:
        return SignInResult(lock=lock)
    user = authenticate(request, username=email, password=password)
    if user is not None:
        ratelimit.reset("login-acct", email)
        return SignInResult(user=user)
    locks = [ratelimit.register_failure(scope, value) for scope, value in pairs]
    known = User.objects.filter(email__iexact=email).select_related("country").first()
    with transaction.atomic():
        audit_log(action=AuditAction.LOGIN_FAILED, target=known, country=_country_code(known) if known else "",
                  details={"email_sha256": sha256_hex(email)})
        newly = [lock for lock in locks if lock.locked]
        if newly:
            audit_log(action=AuditAction.LOGIN_LOCKED, target=known,
                      details={"email_sha256": sha256_hex(email),
                               "until": max(newly, key=lambda x: x.retry_at).retry_at_datetime})
    return SignInResult(lock=ratelimit.check(pairs))


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


@dataclass
class SecondFactorResult:
    ok: bool
    device: TOTPDevice | None = None
    used_recovery_code: bool = False
    lock: ratelimit.Lock | None = None

    @property
    def locked(self) -> bool:
        return bool(self.lock and self.lock.locked)


def second_factor_verify(*, user: User, code: str) -> SecondFactorResult:
    """A TOTP code from the enrolled device, or one unused recovery code."""
    pairs = [("otp-acct", str(user.pk)), ("login-ip", context.current().ip or "")]
    lock = ratelimit.check(pairs)
    if lock.locked:
        return SecondFactorResult(ok=False, lock=lock)
    code = (code or "").strip()
    device = confirmed_totp_device(user)
    if device is not None and code.isdigit() and len(code) == 6 and device.verify_token(code):
        ratelimit.reset("otp-acct", str(user.pk))
        return SecondFactorResult(ok=True, device=device)
    if len(code.replace("-", "").replace(" ", "")) == 10:
        with transaction.atomic():
            match = (RecoveryCode.objects.select_for_update()
                     .filter(user=user, code_hash=_recovery_hash(code), used_at__isnull=True).first())
            if match is not None:
                match.used_at = timezone.now()
                match.save(update_fields=["used_at"])
                remaining = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
                audit_log(action=AuditAction.RECOVERY_CODE_USED, actor=user, target=user,
                          country=_country_code(user), details={"remaining": remaining})
                ratelimit.reset("otp-acct", str(user.pk))
                return SecondFactorResult(ok=True, device=device, used_recovery_code=True)
    for scope, value in pairs:
        ratelimit.register_failure(scope, value)
    audit_log(action=AuditAction.OTP_FAILED, target=user, country=_country_code(user))
    return SecondFactorResult(ok=False, lock=ratelimit.check(pairs))


def totp_device_for_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed device that the enrolment page shows (created once, reused on reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
    return device


def totp_enrolment_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the new device with a first code; returns fresh recovery codes, or None if wrong."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6 and device.verify_token(code)):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(user)
        audit_log(action=AuditAction.TOTP_ENROLLED, actor=user, target=user, country=_country_code(user))
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_recovery_code() for _ in range(settings.RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_recovery_hash(c)) for c in codes])
    return codes


def recovery_codes_regenerate(*, user: User) -> list[str]:
    with transaction.atomic():
        codes = _recovery_codes_replace(user)
        audit_log(action=AuditAction.RECOVERY_CODES_REGENERATED, actor=user, target=user,
                  country=_country_code(user))
    return codes


def second_factor_reset(*, actor: User, user: User) -> None:
    """Secretariat resets someone's second factor: they must enrol again at their next sign-in."""
    if not permissions.can_reset_second_factor(actor, user):
        raise PermissionDenied
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        ended = _sessions_end(user=user)
        audit_log(action=AuditAction.TOTP_RESET, actor=actor, target=user, country=_country_code(user),
                  details={"sessions_ended": ended})


def sign_in_complete(*, request, user: User) -> None:
    """Record a completed sign-in (both factors). The view has already called login()."""
    session_register(user=user, session_key=request.session.session_key)
    ratelimit.reset("login-acct", user.email)
    audit_log(action=AuditAction.LOGIN_SUCCEEDED, actor=user, target=user, country=_country_code(user))


def reauth_check(*, user: User, password: str, code: str) -> SecondFactorResult:
    """Ask again for the password and a code before a sensitive action."""
    pairs = [("otp-acct", str(user.pk))]
    lock = ratelimit.check(pairs)
    if lock.locked:
        return SecondFactorResult(ok=False, lock=lock)
    if not user.check_password(password):
        ratelimit.register_failure("otp-acct", str(user.pk))
        audit_log(action=AuditAction.LOGIN_FAILED, target=user, country=_country_code(user),
                  details={"stage": "reauthentication"})
        return SecondFactorResult(ok=False, lock=ratelimit.check(pairs))
    result = second_factor_verify(user=user, code=code)
    if result.ok:
        audit_log(action=AuditAction.REAUTHENTICATED, actor=user, target=user, country=_country_code(user))
    return result


# --- sessions ----------------------------------------------------------------------------------------------


def session_register(*, user: User, session_key: str | None) -> None:
    if not session_key:
        return
    ctx = context.current()
    UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "ip": ctx.ip, "user_agent": ctx.user_agent, "last_seen_at": timezone.now()},
    )


def _session_store(key: str) -> SessionBase:
    from importlib import import_module

    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key=key)


def _sessions_end(*, user: User, keep: str | None = None) -> int:
    sessions = UserSession.objects.filter(user=user)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    keys = list(sessions.values_list("session_key", flat=True))
    for key in keys:
        _session_store(key).delete()
    sessions.delete()
    return len(keys)


def session_end(*, user: User, session_key: str) -> None:
    with transaction.atomic():
        _session_store(session_key).delete()
        UserSession.objects.filter(user=user, session_key=session_key).delete()
        audit_log(action=AuditAction.LOGOUT, actor=user, target=user, country=_country_code(user))


def session_revoke(*, user: User, session_id: int) -> bool:
    session = UserSession.objects.filter(user=user, pk=session_id).first()
    if session is None:
        return False
    with transaction.atomic():
        _session_store(session.session_key).delete()
        session.delete()
        audit_log(action=AuditAction.SESSION_REVOKED, actor=user, target=user, country=_country_code(user),
                  details={"count": 1})
    return True


def sessions_end_others(*, user: User, current_key: str) -> int:
    with transaction.atomic():
        ended = _sessions_end(user=user, keep=current_key)
        audit_log(action=AuditAction.SESSION_REVOKED, actor=user, target=user, country=_country_code(user),
                  details={"count": ended})
    return ended


# --- users and roles -----------------------------------------------------------------------------------


def user_deactivate(*, actor: User, user: User) -> None:
    """Deactivate and end every session and API token at once."""
    if not permissions.can_deactivate(actor, user):
        raise PermissionDenied
    if not user.is_active:
        raise ValidationError(_("This user is already deactivated."))
    with transaction.atomic():
        user.is_active = False
        user.deactivated_at = timezone.now()
        user.save(update_fields=["is_active", "deactivated_at"])
        ended = _sessions_end(user=user)
        tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_log(action=AuditAction.USER_DEACTIVATED, actor=actor, target=user, country=_country_code(user),
                  details={"sessions_ended": ended, "tokens_revoked": tokens})


def user_reactivate(*, actor: User, user: User) -> None:
    if not permissions.can_deactivate(actor, user):
        raise PermissionDenied
    if user.is_active:
        raise ValidationError(_("This user is already active."))
    with transaction.atomic():
        user.is_active = True
        user.deactivated_at = None
        user.save(update_fields=["is_active", "deactivated_at"])
        audit_log(action=AuditAction.USER_REACTIVATED, actor=actor, target=user, country=_country_code(user))


def user_change_role(*, actor: User, user: User, role: str, coordinated_countries=(), liaison_networks=()) -> None:
    if not permissions.can_change_role(actor, user):
        raise PermissionDenied
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    coordinated_countries = list(coordinated_countries)
    liaison_networks = list(liaison_networks)
    if role == Role.COORDINATOR and not coordinated_countries:
        raise ValidationError({"coordinated_countries": [_("A national coordinator needs at least one country.")]})
    if role == Role.LIAISON and not liaison_networks:
        raise ValidationError({"liaison_networks": [_("A network liaison needs at least one network.")]})
    with transaction.atomic():
        before = {"role": user.role,
                  "countries": sorted(user.coordinated_countries.values_list("iso2", flat=True)),
                  "networks": sorted(user.liaison_networks.values_list("slug", flat=True))}
        user.role = role
        user.is_staff = role == Role.SECRETARIAT
        user.save(update_fields=["role", "is_staff"])
        user.coordinated_countries.set(coordinated_countries if role == Role.COORDINATOR else [])
        user.liaison_networks.set(liaison_networks if role == Role.LIAISON else [])
        user.__dict__.pop("_coordinated_codes", None)
        after = {"role": role,
                 "countries": sorted(c.iso2 for c in coordinated_countries) if role == Role.COORDINATOR else [],
                 "networks": sorted(n.slug for n in liaison_networks) if role == Role.LIAISON else []}
        audit_log(action=AuditAction.USER_ROLE_CHANGED, actor=actor, target=user, country=_country_code(user),
                  details={"before": before, "after": after})


def profile_update(*, user: User, full_name: str, preferred_language: str, timezone_name: str,
                   languages_spoken: list[str]) -> None:
    errors: dict[str, list[str]] = {}
    if not full_name.strip():
        errors["full_name"] = [_("Enter your name.")]
    if preferred_language not in UI_LANGUAGES:
        errors["preferred_language"] = [_("Unknown language.")]
    if not is_valid_timezone(timezone_name):
        errors["timezone"] = [_("Unknown time zone.")]
    if errors:
        raise ValidationError(errors)
    fields = {"full_name": full_name.strip(), "preferred_language": preferred_language,
              "timezone": timezone_name, "languages_spoken": sorted(set(languages_spoken))}
    changed = {k: v for k, v in fields.items() if getattr(user, k) != v}
    if not changed:
        return
    with transaction.atomic():
        for key, value in changed.items():
            setattr(user, key, value)
        user.save(update_fields=list(changed))
        audit_log(action=AuditAction.USER_PROFILE_UPDATED, actor=user, target=user, country=_country_code(user),
                  details={"fields": sorted(changed)})


def user_set_language(*, user: User, language: str) -> None:
    if language in UI_LANGUAGES and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


# --- passwords -------------------------------------------------------------------------------------------


def password_reset_request(*, email: str, language: str) -> None:
    """Send a reset link if an active account exists. The caller answers the same way either way."""
    email = User.objects.normalize_email(email)
    user = User.objects.filter(email__iexact=email, is_active=True).select_related("country").first()
    if user is None:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = _absolute(reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}))
    with transaction.atomic():
        audit_log(action=AuditAction.PASSWORD_RESET_REQUESTED, target=user, country=_country_code(user))
        minutes = settings.PASSWORD_RESET_TIMEOUT // 60
        _send(to=user.email, language=user.preferred_language or language, category="password_reset", user=user,
              subject_fn=lambda: _("Reset your Comity password"),
              body_fn=lambda: _(
                  "Someone asked to reset the password of your Comity account.\n\n"
                  "If it was you, open this link within %(minutes)s minutes; it works once:\n%(link)s\n\n"
                  "If it was not you, ignore this message: your password stays the same."
              ) % {"minutes": minutes, "link": link})


def password_reset_complete(*, user: User, password: str) -> None:
    password_validation.validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        ended = _sessions_end(user=user)
        audit_log(action=AuditAction.PASSWORD_RESET_COMPLETED, actor=user, target=user,
                  country=_country_code(user), details={"sessions_ended": ended})


def password_change(*, user: User, current_key: str | None, new_password: str) -> None:
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        ended = _sessions_end(user=user, keep=current_key)
        audit_log(action=AuditAction.PASSWORD_CHANGED, actor=user, target=user, country=_country_code(user),
                  details={"other_sessions_ended": ended})


# --- API tokens ---------------------------------------------------------------------------------------------


def api_token_create(*, user: User, name: str, scope: str = ApiToken.Scope.READ,
                     days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and only its hash is kept."""
    errors: dict[str, list[str]] = {}
    if not user.is_active:
        raise PermissionDenied
    if not (name or "").strip():
        errors["name"] = [_("Give the token a name.")]
    if scope not in ApiToken.Scope.values:
        errors["scope"] = [_("The scope must be read or write.")]
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= 366:
        errors["days"] = [_("A token lives between 1 and 366 days.")]
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(4)
    raw = f"cmt_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip()[:80], prefix=prefix, token_hash=sha256_hex(raw), scope=scope,
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        audit_log(action=AuditAction.API_TOKEN_CREATED, actor=user, target=token, country=_country_code(user),
                  details={"name": token.name, "scope": scope, "expires_at": token.expires_at})
    return token, raw


def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk and not actor.is_secretariat:
        raise PermissionDenied
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(action=AuditAction.API_TOKEN_REVOKED, actor=actor, target=token,
                  country=_country_code(token.user), details={"name": token.name})


def api_token_authenticate(raw: str) -> ApiToken | None:
    token = (ApiToken.objects.select_related("user").filter(token_hash=sha256_hex(raw or "")).first())
    if token is None or not token.is_usable:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
