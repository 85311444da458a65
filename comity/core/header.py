"""What the header of every page shows besides links: the unread-notifications count, rendered on the server.

Core imports no app above it, so the app that knows the count (notifications) registers a provider at start-up.
The provider answers from the signed-in user's row (a counter the notifications app keeps), so that a page view
does not pay a query for it."""

from __future__ import annotations

from collections.abc import Callable

_providers: list[Callable[..., int]] = []


def register_unread_count(provider: Callable[..., int]) -> Callable[..., int]:
    """`provider(user=...)` answers the number of unread notifications the user may see."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_unread_count(provider: Callable[..., int]) -> None:
    if provider in _providers:
        _providers.remove(provider)


def unread_count(user) -> int | None:
    """The count for a signed-in, verified user; None when nothing provides it (or for anyone else)."""
    if not _providers or not getattr(user, "is_authenticated", False):
        return None
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and not is_verified():
        return None
    return sum(provider(user=user) for provider in _providers)
