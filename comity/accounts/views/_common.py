"""Shared by the account pages: session keys, the pending sign-in, safe redirects, form errors, the QR code."""

from __future__ import annotations

import time

import segno
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from comity.accounts.models import User
from comity.core.i18n import format_dt

PENDING_USER = "comity_pending_user"
PENDING_AT = "comity_pending_at"
PENDING_NEXT = "comity_pending_next"
SHOW_CODES = "comity_show_codes"
NEW_TOKEN = "comity_new_token"  # noqa: S105 - a session key name
PENDING_MAX_AGE = 10 * 60


def _safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()}, request.is_secure()):
        return value
    return reverse("portal:home")


def _lock_message(lock) -> str:
    return _("Too many failed attempts. Try again after %(time)s.") % {
        "time": format_dt(lock.retry_at_datetime, "short")
    }


def _pending_user(request) -> User | None:
    user_id = request.session.get(PENDING_USER)
    started = request.session.get(PENDING_AT, 0)
    if not user_id or time.time() - started > PENDING_MAX_AGE:
        return None
    return User.objects.filter(pk=user_id, is_active=True).select_related("country").first()


def _start_pending(request, user: User, next_url: str) -> None:
    request.session.cycle_key()
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_AT] = time.time()
    request.session[PENDING_NEXT] = next_url


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _qr_svg(config_url: str) -> str:
    return segno.make(config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def _base32_key(device) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode()
