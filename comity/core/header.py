"""What the header of every page shows besides links: the unread-notifications count, rendered on the server.

Core imports no app above it, so the app that knows the count (notifications) registers a provider at start-up.
The count is remembered in the shared cache for a short while, so that a page view does not pay a query for it;
the provider's app forgets it when the count changes (a new notification, one marked read)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache

UNREAD_TTL_SECONDS = 60
_providers: list[Callable[..., int]] = []


def register_unread_count(provider: Callable[..., int]) -> Callable[..., int]:
    """`provider(user=...)` answers the number of unread notifications the user may see."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_unread_count(provider: Callable[..., int]) -> None:
    if provider in _providers:
        _providers.remove(provider)


def _key(user_id: Any) -> str:
    return f"header:unread:{user_id}"


def unread_count(user) -> int | None:
    """The count for a signed-in, verified user; None when nothing provides it (or for anyone else)."""
    if not _providers or not getattr(user, "is_authenticated", False):
        return None
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and not is_verified():
        return None
    key = _key(user.pk)
    count = cache.get(key)
    if count is None:
        count = sum(provider(user=user) for provider in _providers)
        cache.set(key, count, UNREAD_TTL_SECONDS)
    return count


def forget_unread_count(user_id: Any) -> None:
    """Call when a user's unread count changes, so that the next page shows the new one."""
    cache.delete(_key(user_id))
