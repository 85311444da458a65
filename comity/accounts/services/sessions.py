"""Tracked sessions: register a sign-in's session, end one, revoke one, end all the others."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone

from comity.accounts import kept
from comity.accounts.models import User, UserSession
from comity.accounts.services._common import _country_code
from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core import context


def session_register(*, user: User, session_key: str | None) -> None:
    if not session_key:
        return
    ctx = context.current()
    UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "ip": ctx.ip, "user_agent": ctx.user_agent, "last_seen_at": timezone.now()},
    )


def session_rekey(*, user: User, old_key: str | None, new_key: str | None) -> None:
    """The session's key was rotated (after a password change): keep tracking it under the new key."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(user=user, session_key=old_key).update(session_key=new_key)
        kept.changed()


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
        audit_log(
            action=AuditAction.SESSION_REVOKED,
            actor=user,
            target=user,
            country=_country_code(user),
            details={"count": 1},
        )
    return True


def sessions_end_others(*, user: User, current_key: str) -> int:
    with transaction.atomic():
        ended = _sessions_end(user=user, keep=current_key)
        audit_log(
            action=AuditAction.SESSION_REVOKED,
            actor=user,
            target=user,
            country=_country_code(user),
            details={"count": ended},
        )
    return ended
