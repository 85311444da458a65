"""The second factor: TOTP enrolment and verification, recovery codes, and a reset by the secretariat."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from comity.accounts import permissions
from comity.accounts.models import RecoveryCode, User
from comity.accounts.services._common import _country_code
from comity.accounts.services.sessions import _sessions_end
from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core import context, ratelimit


def _recovery_hash(code: str) -> str:
    normalized = code.replace("-", "").replace(" ", "").strip().lower()
    return hmac.new(settings.SECRET_KEY.encode(), normalized.encode(), hashlib.sha256).hexdigest()


def _new_recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


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


def _code_matches(*, user: User, code: str) -> SecondFactorResult:
    """A TOTP code from the enrolled device, or one unused recovery code (spent here). No counting."""
    code = (code or "").strip()
    device = confirmed_totp_device(user)
    if device is not None and code.isdigit() and len(code) == 6 and device.verify_token(code):
        return SecondFactorResult(ok=True, device=device)
    if len(code.replace("-", "").replace(" ", "")) == 10:
        with transaction.atomic():
            match = (
                RecoveryCode.objects.select_for_update()
                .filter(user=user, code_hash=_recovery_hash(code), used_at__isnull=True)
                .first()
            )
            if match is not None:
                match.used_at = timezone.now()
                match.save(update_fields=["used_at"])
                remaining = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
                audit_log(
                    action=AuditAction.RECOVERY_CODE_USED,
                    actor=user,
                    target=user,
                    country=_country_code(user),
                    details={"remaining": remaining},
                )
                return SecondFactorResult(ok=True, device=device, used_recovery_code=True)
    return SecondFactorResult(ok=False)


def second_factor_verify(*, user: User, code: str) -> SecondFactorResult:
    """The sign-in's second step. The attempt is counted before the code is checked (see core/ratelimit.py)."""
    pairs = [("otp-acct", str(user.pk)), ("otp-ip", context.current().ip or "")]
    attempt = ratelimit.attempt(pairs)
    if not attempt.allowed:
        return SecondFactorResult(ok=False, lock=attempt.lock)
    result = _code_matches(user=user, code=code)
    if result.ok:
        ratelimit.succeeded(attempt, reset_scopes={"otp-acct"})
        return result
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
        audit_log(action=AuditAction.RECOVERY_CODES_REGENERATED, actor=user, target=user, country=_country_code(user))
    return codes


def second_factor_reset(*, actor: User, user: User) -> None:
    """Secretariat resets someone's second factor: they must enrol again at their next sign-in."""
    if not permissions.can_reset_second_factor(actor, user):
        raise PermissionDenied
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        ended = _sessions_end(user=user)
        audit_log(
            action=AuditAction.TOTP_RESET,
            actor=actor,
            target=user,
            country=_country_code(user),
            details={"sessions_ended": ended},
        )
