"""Passwords: a reset link by e-mail, completing a reset, and a change by the signed-in user."""

from __future__ import annotations

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
from comity.accounts.services.sessions import _sessions_end
from comity.audit.models import AuditAction
from comity.audit.services import audit_log


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


def password_change(*, user: User, current_key: str | None, new_password: str) -> None:
    password_validation.validate_password(new_password, user)
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
