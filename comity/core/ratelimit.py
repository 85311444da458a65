"""Failure counters with a growing lock, kept in the cache (Redis when REDIS_URL is set).

After `free` failures a key is locked for base * 2**(extra failures), capped at `max`. The caller
tells the user when to retry. Keys are hashed so no e-mail address or IP is stored in clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

_TTL = 24 * 60 * 60


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(f"{scope}:{value.strip().lower()}".encode()).hexdigest()[:40]
    return f"rl:{scope}:{digest}"


@dataclass(frozen=True)
class Lock:
    locked: bool
    retry_at: float = 0.0

    @property
    def retry_after_seconds(self) -> int:
        return max(0, int(self.retry_at - time.time()) + 1)

    @property
    def retry_at_datetime(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.retry_at, tz=dt.UTC)


def status(scope: str, value: str) -> Lock:
    state = cache.get(_key(scope, value))
    if state and state.get("until", 0) > time.time():
        return Lock(True, state["until"])
    return Lock(False)


def check(pairs: list[tuple[str, str]]) -> Lock:
    """The strictest lock among (scope, value) pairs."""
    locks = [status(scope, value) for scope, value in pairs if value]
    locked = [lock for lock in locks if lock.locked]
    if not locked:
        return Lock(False)
    return max(locked, key=lambda lock: lock.retry_at)


def register_failure(scope: str, value: str) -> Lock:
    if not value:
        return Lock(False)
    key = _key(scope, value)
    state = cache.get(key) or {"failures": 0, "until": 0}
    state["failures"] += 1
    extra = state["failures"] - settings.LOGIN_FREE_ATTEMPTS
    if extra >= 0:
        delay = min(settings.LOGIN_BASE_LOCK_SECONDS * (2**extra), settings.LOGIN_MAX_LOCK_SECONDS)
        state["until"] = time.time() + delay
    cache.set(key, state, _TTL)
    return Lock(state["until"] > time.time(), state["until"])


def reset(scope: str, value: str) -> None:
    cache.delete(_key(scope, value))
