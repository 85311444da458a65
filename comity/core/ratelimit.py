"""Attempt counters with a growing lock, kept in the shared cache (Redis in production; see ADR 0010).

Every attempt is counted *before* the password or code is checked, with one atomic increment, so a burst
of parallel guesses counts every guess and no read-modify-write can lose one. The first `free - 1`
attempts of a key go through. Attempt number n >= `free` goes through only if it can arm the key's lock
(`cache.add`, atomic: exactly one caller wins) for base * 2**(n - free) seconds, capped at `max`; every
other attempt is refused while that lock stands. A burst of any size therefore reaches the check at most
`free` times, and afterwards one attempt per lock period. A success gives its attempt back.

Account keys allow `LOGIN_FREE_ATTEMPTS`; client-address keys (scopes ending in "-ip") allow the higher
`LOGIN_IP_FREE_ATTEMPTS`, so that one person's typos do not lock out everyone behind the same address.
Keys are a scope plus a SHA-256 of the value: no e-mail address or IP is stored in clear.

`hit()` is a plain fixed-window counter for requests that are limited, not verified (password resets).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

_TTL = 24 * 60 * 60

Pair = tuple[str, str]


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(f"{scope}:{value.strip().lower()}".encode()).hexdigest()[:40]
    return f"rl:{scope}:{digest}"


def _lock_key(key: str) -> str:
    return f"{key}:lock"


def free_attempts(scope: str) -> int:
    """How many attempts a key of this scope gets before each further one must wait for a lock to pass."""
    if scope.endswith("-ip"):
        return int(getattr(settings, "LOGIN_IP_FREE_ATTEMPTS", 10 * settings.LOGIN_FREE_ATTEMPTS))
    return int(settings.LOGIN_FREE_ATTEMPTS)


def lock_seconds(extra: int) -> int:
    """The lock armed by the attempt `extra` places past the free ones (0 for the last free one)."""
    return int(min(settings.LOGIN_BASE_LOCK_SECONDS * (2 ** min(extra, 32)), settings.LOGIN_MAX_LOCK_SECONDS))


def _incr(key: str, ttl: int, delta: int = 1) -> int:
    """Atomic on Redis (INCR) and in one process (LocMemCache holds a lock); never a get-then-set."""
    for _ in range(5):
        cache.add(key, 0, ttl)
        try:
            return cache.incr(key, delta)
        except ValueError:  # expired between add and incr: create it again
            continue
    raise RuntimeError(f"could not increment {key}")  # pragma: no cover - a cache that drops keys at once


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


@dataclass(frozen=True)
class Attempt:
    """One counted attempt: whether it may be checked, and what to undo if it succeeds."""

    allowed: bool
    lock: Lock
    counted: tuple[tuple[str, str], ...] = ()  # (scope, key) counted by this attempt
    armed: tuple[str, ...] = ()  # lock keys this attempt set


def _pairs(pairs: Iterable[Pair]) -> list[Pair]:
    return [(scope, value) for scope, value in pairs if value]


def check(pairs: Iterable[Pair]) -> Lock:
    """The strictest lock standing among (scope, value) pairs. Counts nothing."""
    keys = [_lock_key(_key(scope, value)) for scope, value in _pairs(pairs)]
    if not keys:
        return Lock(False)
    now = time.time()
    until = [value for value in cache.get_many(keys).values() if value and value > now]
    return Lock(True, max(until)) if until else Lock(False)


def status(scope: str, value: str) -> Lock:
    return check([(scope, value)])


def attempt(pairs: Iterable[Pair]) -> Attempt:
    """Count one attempt on every key before anything is verified; refuse it if a key is spent."""
    pairs = _pairs(pairs)
    standing = check(pairs)
    if standing.locked:  # refused without counting: waiting out a lock does not lengthen it
        return Attempt(False, standing)
    counted: list[tuple[str, str]] = []
    armed: list[str] = []
    refused = False
    for scope, value in pairs:
        key = _key(scope, value)
        number = _incr(key, _TTL)
        counted.append((scope, key))
        extra = number - free_attempts(scope)
        if extra < 0:
            continue
        seconds = lock_seconds(extra)
        if cache.add(_lock_key(key), time.time() + seconds, seconds):
            armed.append(_lock_key(key))
        else:  # another attempt holds this key's turn
            refused = True
    if refused:
        lock = check(pairs)
        return Attempt(False, lock if lock.locked else Lock(True, time.time()), tuple(counted), tuple(armed))
    return Attempt(True, Lock(False), tuple(counted), tuple(armed))


def succeeded(attempt: Attempt, *, reset_scopes: Iterable[str] = ()) -> None:
    """The attempt was right: clear the keys of `reset_scopes` and give the attempt back on the others."""
    reset_scopes = set(reset_scopes)
    for scope, key in attempt.counted:
        if scope in reset_scopes:
            cache.delete_many([key, _lock_key(key)])
            continue
        try:
            cache.decr(key)
        except ValueError:  # expired meanwhile: nothing to give back
            pass
        if _lock_key(key) in attempt.armed:
            cache.delete(_lock_key(key))


def reset(scope: str, value: str) -> None:
    key = _key(scope, value)
    cache.delete_many([key, _lock_key(key)])


def hit(scope: str, value: str, *, limit: int, window: int) -> bool:
    """Count one request in a fixed window of `window` seconds; False once more than `limit` were made."""
    if not value:
        return True
    return _incr(_key(scope, value), window) <= limit
