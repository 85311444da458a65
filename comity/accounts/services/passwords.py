"""Passwords: a reset link by e-mail, completing a reset, and a change by the signed-in user."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from comity.accounts.models import User
from comity.accounts.services._common import _absolute, _country_code, _send
from comity.accounts.services.second_factor import SecondFactorResult
from comity.accounts.services.sessions import _sessions_end
from comity.accounts.services.signin import password_and_code_check
from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core import context, ratelimit

logger = logging.getLogger(__name__)


def _reset_limits() -> tuple[int, int, int]:
    """(per account, per client address, window in seconds) for reset requests."""
    return (
        int(getattr(settings, "PASSWORD_RESET_ACCOUNT_LIMIT", 3)),
        int(getattr(settings, "PASSWORD_RESET_IP_LIMIT", 20)),
        int(getattr(settings, "PASSWORD_RESET_LIMIT_WINDOW", 60 * 60)),
    )


def password_reset_request(*, email: str, language: str) -> bool:
    """Ask for a reset link; False when the address or the client asked too often.

    The request does the same visible work whatever the address: it counts the request on the submitted
    address and on the client's address (both whether or not an account exists), then enqueues one task.
    The task looks the account up and, only if it exists, writes the audit event and queues the e-mail, so
    neither the answer, its timing, nor the limits tell an outsider whether an account exists.
    """
    email = User.objects.normalize_email(email).strip().lower()
    per_account, per_ip, window = _reset_limits()
    ctx = context.current()
    # A client over its own limit does not spend the account's: flooding from one address cannot stop the
    # owner from asking for a link.
    if not ratelimit.hit("reset-ip", ctx.ip or "", limit=per_ip, window=window):
        return False
    if not ratelimit.hit("reset-acct", email, limit=per_account, window=window):
        return False
    try:
        from comity.accounts import tasks  # the task module imports these services

        tasks.password_reset_send.enqueue(email=email, language=language, request_id=ctx.request_id, ip=ctx.ip)
    except Exception:  # a task backend problem must not lose the link: send it here instead
        logger.exception("could not enqueue a password reset; sending it now")
        password_reset_send(email=email, language=language)
    return True


def password_reset_send(*, email: str, language: str) -> bool:
    """The background half of a reset request: mail a link if an active account has the address."""
    user = User.objects.filter(email__iexact=email, is_active=True).select_related("country").first()
    if user is None:
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = _absolute(reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}))
    with transaction.atomic():
        audit_log(action=AuditAction.PASSWORD_RESET_REQUESTED, target=user, country=_country_code(user))
        minutes = settings.PASSWORD_RESET_TIMEOUT // 60
        _send(
            to=user.email,
            language=user.preferred_language or language,
            category="password_reset",
            user=user,
            subject_fn=lambda: _("Reset your Comity password"),
            body_fn=lambda: (
                _(
                    "Someone asked to reset the password of your Comity account.\n\n"
                    "If it was you, open this link within %(minutes)s minutes; it works once:\n%(link)s\n\n"
                    "If it was not you, ignore this message: your password stays the same."
                )
                % {"minutes": minutes, "link": link}
            ),
        )
    return True


def password_reset_complete(*, user: User, password: str) -> None:
    password_validation.validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        ended = _sessions_end(user=user)
        audit_log(
            action=AuditAction.PASSWORD_RESET_COMPLETED,
            actor=user,
            target=user,
            country=_country_code(user),
            details={"sessions_ended": ended},
        )


def password_change(
    *, user: User, current_key: str | None, current_password: str, code: str, new_password: str
) -> SecondFactorResult:
    """The signed-in member changes their own password: the current one and a code first (rate-limited).

    Raises ValidationError for a new password the validators refuse (checked first, so that a refused new
    password does not spend the code). Every other session of the member ends; the current one is kept.
    """
    password_validation.validate_password(new_password, user)
    result = password_and_code_check(user=user, password=current_password, code=code, stage="password_change")
    if not result.ok:
        return result
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        ended = _sessions_end(user=user, keep=current_key)
        audit_log(
            action=AuditAction.PASSWORD_CHANGED,
            actor=user,
            target=user,
            country=_country_code(user),
            details={"other_sessions_ended": ended},
        )
    return result
