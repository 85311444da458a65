"""API tokens: create (the raw value is shown once), revoke, and authenticate a request's token."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comity.accounts.models import ApiToken, User
from comity.accounts.services._common import _country_code, sha256_hex
from comity.audit.models import AuditAction
from comity.audit.services import audit_log


def api_token_create(
    *, user: User, name: str, scope: str = ApiToken.Scope.READ, days: int | None = None
) -> tuple[ApiToken, str]:
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
            user=user,
            name=name.strip()[:80],
            prefix=prefix,
            token_hash=sha256_hex(raw),
            scope=scope,
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        audit_log(
            action=AuditAction.API_TOKEN_CREATED,
            actor=user,
            target=token,
            country=_country_code(user),
            details={"name": token.name, "scope": scope, "expires_at": token.expires_at},
        )
    return token, raw


def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk and not actor.is_secretariat:
        raise PermissionDenied
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(
            action=AuditAction.API_TOKEN_REVOKED,
            actor=actor,
            target=token,
            country=_country_code(token.user),
            details={"name": token.name},
        )


def api_token_authenticate(raw: str) -> ApiToken | None:
    token = ApiToken.objects.select_related("user").filter(token_hash=sha256_hex(raw or "")).first()
    if token is None or not token.is_usable:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
