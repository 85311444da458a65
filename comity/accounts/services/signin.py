"""Sign-in: the password (first factor, rate-limited), recording a completed sign-in, re-authentication."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.db import transaction

from comity.accounts.models import User
from comity.accounts.services._common import _country_code, sha256_hex
from comity.accounts.services.second_factor import SecondFactorResult, second_factor_verify
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
        audit_log(
            action=AuditAction.LOGIN_FAILED,
            target=known,
            country=_country_code(known) if known else "",
            details={"email_sha256": sha256_hex(email)},
        )
        newly = [lock for lock in locks if lock.locked]
        if newly:
            audit_log(
                action=AuditAction.LOGIN_LOCKED,
                target=known,
                details={
                    "email_sha256": sha256_hex(email),
                    "until": max(newly, key=lambda x: x.retry_at).retry_at_datetime,
                },
            )
    return SignInResult(lock=ratelimit.check(pairs))


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
        audit_log(
            action=AuditAction.LOGIN_FAILED,
            target=user,
            country=_country_code(user),
            details={"stage": "reauthentication"},
        )
        return SecondFactorResult(ok=False, lock=ratelimit.check(pairs))
    result = second_factor_verify(user=user, code=code)
    if result.ok:
        audit_log(action=AuditAction.REAUTHENTICATED, actor=user, target=user, country=_country_code(user))
    return result
