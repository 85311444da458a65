"""Generations: a shared token per kind of data that changes whenever the data does, so that what was computed from
the data (a list kept in a process, a rendered fragment kept in the cache) can be reused until it changes.

A generation is a random token in the shared cache (Redis in production, so every worker and host sees the same
one). `bump(name)` replaces it: at once, and again when the current transaction commits, so that a reader which read
the old token while the writer's transaction was open, and then the old rows, never keeps them under the new token.
A token that is missing (cache emptied, evicted) is replaced by a new random one, never by an old value: what was
kept under any earlier token is simply never asked for again.

Writes that bypass model signals (`QuerySet.update`, bulk loads) must call `bump` themselves; what is kept under a
generation should also have a time limit, so that a write nobody bumped for is seen within that limit.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

PREFIX = "comity:generation:"
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


def _key(name: str) -> str:
    return PREFIX + name


def _new_token() -> str:
    return secrets.token_hex(8)


# Within a request the tokens are read once and kept (`request_snapshot`): a page that checks several kept values
# makes one round trip for their generations, and sees one consistent state. A bump in the request updates it.
_snapshot: ContextVar[dict[str, str] | None] = ContextVar("comity_generations", default=None)


@contextmanager
def request_snapshot():
    """Keep the tokens read during one request (core/middleware.py RequestContextMiddleware)."""
    token = _snapshot.set({})
    try:
        yield
    finally:
        _snapshot.reset(token)


def current(*names: str) -> tuple[str, ...]:
    """The tokens of these generations, in one cache round trip; a missing one is created."""
    snapshot = _snapshot.get()
    wanted = [name for name in names if snapshot is None or name not in snapshot]
    if wanted and snapshot is not None:
        # The first read in a request reads every known generation with it: a page asks for several in turn.
        wanted += [name for name in _RECEIVERS if name not in snapshot and name not in wanted]
    found = cache.get_many([_key(name) for name in wanted]) if wanted else {}
    tokens = {}
    for name in wanted:
        token = found.get(_key(name))
        if token is None:
            cache.add(_key(name), _new_token(), timeout=None)
            token = cache.get(_key(name)) or _new_token()
        tokens[name] = token
    if snapshot is not None:
        snapshot.update(tokens)
        tokens = snapshot
    return tuple(tokens[name] for name in names)


def _replace(name: str) -> None:
    token = _new_token()
    cache.set(_key(name), token, timeout=None)
    snapshot = _snapshot.get()
    if snapshot is not None:
        snapshot[name] = token


def bump(*names: str) -> None:
    """The data behind these generations changed: a new token now, and another once the transaction commits."""
    for name in names:
        _replace(name)
        transaction.on_commit(partial(_replace, name), robust=True)


def bump_on_change(name: str, *models, m2m: Iterable = ()) -> None:
    """Connect the save and delete signals of these models (and m2m_changed of these through models) to `bump`."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    def receiver(**_kwargs) -> None:
        bump(name)

    receivers = _RECEIVERS.setdefault(name, receiver)
    for model in models:
        post_save.connect(
            receivers, sender=model, weak=False, dispatch_uid=f"generation:{name}:save:{model._meta.label}"
        )
        post_delete.connect(
            receivers, sender=model, weak=False, dispatch_uid=f"generation:{name}:delete:{model._meta.label}"
        )
    for through in m2m:
        m2m_changed.connect(
            receivers, sender=through, weak=False, dispatch_uid=f"generation:{name}:m2m:{through._meta.label}"
        )


_RECEIVERS: dict[str, Callable] = {}


class ProcessMemo(Generic[T]):
    """A value computed once per process and generation, and at least every `max_age` seconds.

    The value is shared by every thread of the process: it must be treated as read-only."""

    def __init__(self, name: str, load: Callable[[], T], max_age: float = 300.0) -> None:
        self.name = name
        self.load = load
        self.max_age = max_age
        self._lock = threading.Lock()
        self._token: str | None = None
        self._at = 0.0
        self._value: T | None = None

    def get(self) -> T:
        (token,) = current(self.name)
        now = time.monotonic()
        with self._lock:
            if self._token == token and now - self._at < self.max_age:
                return self._value  # type: ignore[return-value]
        value = self.load()
        with self._lock:
            self._token, self._at, self._value = token, now, value
        return value


class KeyedMemo(Generic[K, T]):
    """Values computed per key, kept in the process while the generation stays the same, for at most `max_age`
    seconds, the `size` most recently used. A load that finds nothing (None) is not kept.

    The values are shared by every thread of the process: a caller that may change what it gets must copy it."""

    def __init__(self, name: str, *, max_age: float = 60.0, size: int = 4096) -> None:
        self.name = name
        self.max_age = max_age
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[K, tuple[str, float, T]] = OrderedDict()

    def get(self, key: K, load: Callable[[], T | None]) -> T | None:
        # The token is read before the load: a change after it leaves the value under a token already replaced.
        (token,) = current(self.name)
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == token and now - entry[1] < self.max_age:
                self._entries.move_to_end(key)
                return entry[2]
        value = load()
        if value is not None:
            with self._lock:
                self._entries[key] = (token, now, value)
                self._entries.move_to_end(key)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return value
