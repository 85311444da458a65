"""Who is signed in, kept in the process between requests.

Every signed-in request needs the user's row, the second-factor device that verified the session and the proof that
the session is still tracked (not signed out or revoked): three queries before the page does anything. They are kept
per process under the `accounts` generation (`comity.core.generations`), which is replaced whenever a user, a
tracked session or a second-factor device is saved or deleted (signals connected in `apps.py`) and by the writers
that update users' rows or tracked sessions in bulk (the unread counter, the re-keying of a session). A revoked
session, a changed password, a deactivated account or a removed device therefore count on the next request, on
every worker and host; a write that bypasses both counts within `MAX_AGE` seconds. Each request gets its own copy of
a kept row, so nothing one request sets on its user reaches another.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError

from comity.accounts.models import User
from comity.core import generations

GENERATION = "accounts"
MAX_AGE = 60.0

_USERS: generations.KeyedMemo = generations.KeyedMemo(GENERATION, max_age=MAX_AGE)
_DEVICES: generations.KeyedMemo = generations.KeyedMemo(GENERATION, max_age=MAX_AGE)
_SESSIONS: generations.KeyedMemo = generations.KeyedMemo(GENERATION, max_age=MAX_AGE)
MEMOS = (_USERS, _DEVICES, _SESSIONS)

T = TypeVar("T")


def changed() -> None:
    """Users' rows or tracked sessions were written without model signals: what was kept is not used again."""
    generations.bump(GENERATION)


def _copy(value: T | None) -> T | None:
    return copy.copy(value) if value is not None else None


def user_row(user_id) -> User | None:
    """The user with this primary key (as a session stores it), or None."""
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    return _copy(_USERS.get(pk, lambda: User._default_manager.filter(pk=pk).first()))


def device(persistent_id: str, load: Callable[[], T | None]) -> T | None:
    """The second-factor device with this persistent id (`load` reads it)."""
    return _copy(_DEVICES.get(persistent_id, load))


def session_tracked(session_key: str | None, user_id: int) -> bool:
    """Whether this session is a tracked session of this user (not ended, not revoked)."""
    if not session_key:
        return False
    from comity.accounts.models import UserSession

    found = _SESSIONS.get(
        (session_key, user_id),
        lambda: UserSession.objects.filter(session_key=session_key, user_id=user_id).exists() or None,
    )
    return bool(found)
