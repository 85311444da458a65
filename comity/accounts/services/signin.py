"""Sign-in: the password (first factor, rate-limited), recording a completed sign-in, re-authentication."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.db import transaction

from comity.accounts.models import User
from comity.accounts.services._common import _country_code, sha256_hex
from comity.accounts.services.second_factor import SecondFactorResult, _code_matches
from comity.accounts.services.sessions import session_register
from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core import context, ratelimit


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
    """First factor. The attempt is counted before the password is checked; a spent key is refused unchecked.

    The account key is the submitted address, whether or not an account has it, so an unknown address is
    counted, locked and answered exactly like a known one.
    """
    email = User.objects.normalize_email(email)
    pairs = _lock_pairs(email)
    attempt = ratelimit.attempt(pairs)
    if not attempt.allowed:
        return SignInResult(lock=attempt.lock)
    user = authenticate(request, username=email, password=password)
    if user is not None:
        ratelimit.succeeded(attempt, reset_scopes={"login-acct"})
        return SignInResult(user=user)
    known = User.objects.filter(email__iexact=email).select_related("country").first()
    lock = ratelimit.check(pairs)
    with transaction.atomic():
        audit_log(
            action=AuditAction.LOGIN_FAILED,
            target=known,
            country=_country_code(known) if known else "",
            details={"email_sha256": sha256_hex(email)},
        )
        if attempt.armed:
            audit_log(
                action=AuditAction.LOGIN_LOCKED,
                target=known,
                details={"email_sha256": sha256_hex(email), "until": lock.retry_at_datetime},
            )
    return SignInResult(lock=lock)


def sign_in_complete(*, request, user: User) -> None:
    """Record a completed sign-in (both factors). The view has already called login()."""
    session_register(user=user, session_key=request.session.session_key)
    ratelimit.reset("login-acct", user.email)
    audit_log(action=AuditAction.LOGIN_SUCCEEDED, actor=user, target=user, country=_country_code(user))


def password_and_code_check(*, user: User, password: str, code: str, stage: str) -> SecondFactorResult:
    """The current password and a code, counted as one attempt on the account's second-factor key first."""
    pairs = [("otp-acct", str(user.pk))]
    attempt = ratelimit.attempt(pairs)
    if not attempt.allowed:
        return SecondFactorResult(ok=False, lock=attempt.lock)
    if not user.check_password(password):
        audit_log(action=AuditAction.LOGIN_FAILED, target=user, country=_country_code(user), details={"stage": stage})
        return SecondFactorResult(ok=False, lock=ratelimit.check(pairs))
    result = _code_matches(user=user, code=code)
    if result.ok:
        ratelimit.succeeded(attempt, reset_scopes={"otp-acct"})
        return result
    audit_log(action=AuditAction.OTP_FAILED, target=user, country=_country_code(user), details={"stage": stage})
    return SecondFactorResult(ok=False, lock=ratelimit.check(pairs))


def reauth_check(*, user: User, password: str, code: str) -> SecondFactorResult:
    """Ask again for the password and a code before a sensitive action."""
    result = password_and_code_check(user=user, password=password, code=code, stage="reauthentication")
    if result.ok:
        audit_log(action=AuditAction.REAUTHENTICATED, actor=user, target=user, country=_country_code(user))
    return result
