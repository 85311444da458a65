"""Rendered fragments kept in the shared cache, for the parts of busy pages that many viewers see alike.

A fragment's key holds everything its HTML depends on: the page's own parts (filters, page number, the class of
viewer whose permissions give the same HTML), the UI language, the viewer's time zone, the tokens of the
generations of the data it shows (`core/generations.py`: a change gives a new key at once) and, for content that
depends on the clock ("open now"), the current minute. A kept fragment is never older than `timeout` seconds, so a
write that no generation saw (a bulk update) shows within that time.

Only HTML that is the same for every viewer of the class may be kept: no CSRF token, no per-user link.

A kept value is stored in the shared cache with the time it expires, and each process also keeps the values it
used last (`_LOCAL`, pickled, until that same time): a busy page then finds its fragments without a round trip to
the shared cache, and each caller still gets its own copy to change.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.utils import timezone, translation
from markupsafe import Markup

from comity.core import generations

PREFIX = "comity:fragment:v2:"
DEFAULT_TIMEOUT = 60
LOCAL_ENTRIES = 1024  # values kept in each process, the most recently used
LOCAL_MAX_BYTES = 512 * 1024  # a larger value is read from the shared cache each time
T = TypeVar("T")


class _Local:
    """The values a process used last: key -> (expires at, pickled value)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    def get(self, key: str, now: float) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= now:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, expires: float, data: bytes) -> None:
        if len(data) > LOCAL_MAX_BYTES:
            return
        with self._lock:
            self._entries[key] = (expires, data)
            self._entries.move_to_end(key)
            while len(self._entries) > LOCAL_ENTRIES:
                self._entries.popitem(last=False)


_LOCAL = _Local()


def _get(key: str):
    """The kept value (a copy of its own for the caller), or None."""
    now = time.time()
    data = _LOCAL.get(key, now)
    if data is None:
        stored = cache.get(key)
        if not (isinstance(stored, tuple) and len(stored) == 2) or stored[0] <= now:
            return None
        expires, data = stored
        _LOCAL.put(key, expires, data)
    return pickle.loads(data)  # noqa: S301 - written by this module, as Django's own cache backends do


def _set(key: str, value, timeout: int, *, only_new: bool = False) -> None:
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    expires = time.time() + timeout
    if only_new:
        cache.add(key, (expires, data), timeout)  # the process does not keep it: another may have been first
        return
    cache.set(key, (expires, data), timeout)
    _LOCAL.put(key, expires, data)


def key_for(
    name: str,
    parts: Iterable,
    *,
    generation_names: Iterable[str] = (),
    per_minute: bool = False,
    localized: bool = True,
) -> str:
    material = [
        translation.get_language() or "" if localized else "",
        timezone.get_current_timezone_name() if localized else "",
        *generations.current(*generation_names),
        *(repr(part) for part in parts),
    ]
    if per_minute:
        material.append(str(int(time.time() // 60)))
    digest = hashlib.sha256("\x1f".join(material).encode()).hexdigest()[:40]
    return f"{PREFIX}{name}:{digest}"


def cached(
    name: str,
    parts: Iterable,
    compute: Callable[[], T],
    *,
    generation_names: Iterable[str] = (),
    per_minute: bool = False,
    timeout: int = DEFAULT_TIMEOUT,
    localized: bool = True,
    usable: Callable[[T], bool] | None = None,
) -> T:
    """The kept value (picklable: HTML and the few facts a page needs beside it), or `compute()` kept for next time.
    `localized=False` for a value that does not depend on the language or the time zone. `usable(value)` tells
    whether a value may serve this viewer (a kept one) or others (a computed one, kept only if so)."""
    key = key_for(name, parts, generation_names=generation_names, per_minute=per_minute, localized=localized)
    value = _get(key)
    if value is not None and (usable is None or usable(value)):
        return value
    value = compute()
    if usable is None or usable(value):
        _set(key, value, timeout)
    return value


def cached_apart_for(
    name: str,
    parts: Iterable,
    compute: Callable[[], tuple],
    *,
    reader,
    generation_names: Iterable[str] = (),
    timeout: int = DEFAULT_TIMEOUT,
) -> tuple:
    """Like `cached`, for a value `(html, facts, apart)` that every reader shares but those in `apart` (the authors
    of a page of posts, who see their own links on it): each of them gets one kept for them alone. The shared key
    remembers who is apart even when only such a reader has asked yet, so they find theirs at once."""
    parts = tuple(parts)
    shared_key = key_for(name, parts, generation_names=generation_names)
    own_key = key_for(name, (*parts, reader), generation_names=generation_names)
    shared = _get(shared_key)
    if shared is not None and reader not in shared[2] and shared[0] is not None:
        return shared
    if shared is not None and reader in shared[2]:
        own = _get(own_key)
        if own is not None:
            return own
    value = compute()
    if reader in value[2]:
        _set(own_key, value, timeout)
        _set(shared_key, (None, value[1], value[2]), timeout, only_new=True)  # who is apart, without their HTML
    else:
        _set(shared_key, value, timeout)
    return value


def cached_html(
    name: str,
    parts: Iterable,
    render: Callable[[], str],
    *,
    generation_names: Iterable[str] = (),
    per_minute: bool = False,
    timeout: int = DEFAULT_TIMEOUT,
) -> Markup:
    """The fragment's HTML from the cache, or `render()` kept there for next time."""
    html = cached(
        name,
        parts,
        lambda: str(render()),
        generation_names=generation_names,
        per_minute=per_minute,
        timeout=timeout,
    )
    return Markup(html)  # noqa: S704 - HTML rendered by our own autoescaping templates
