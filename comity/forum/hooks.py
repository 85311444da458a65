"""Explicit hooks through which the apps above the forum (files, notifications, library) take part in its actions.

The forum sits below those apps and never imports them: each registers its callables once, from its
AppConfig.ready(). A hook with nothing registered does nothing. Domain logic does not go through Django
signals; these hooks are named, typed by their docstrings and listed here in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    """A named list of callables, each called with the same keyword arguments."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[Callable[..., Any]] = []

    def register(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def __call__(self, **kwargs: Any) -> list[Any]:
        return [receiver(**kwargs) for receiver in self._receivers]


# After a post's transaction committed: `post_id`. (notifications)
post_created = Hook("post_created")
# Inside a thread move's transaction: `thread`, `to_space`. (files: attachments follow their thread)
thread_moved = Hook("thread_moved")
# Inside a retention purge's transaction, before the posts go: `post_ids`, `reason`. (files)
posts_purging = Hook("posts_purging")
# For a page of posts: `user`, `post_ids`; each receiver answers {post_id: [items to show with the post]}.
post_attachments = Hook("post_attachments")
# The glossary of machine translation, called with no arguments; each receiver answers a glossary
# ({"source", "as_of", "languages", "terms": [{"key", "en", "fr", ...}]}) or None. The first answer is used;
# with none, the forum's own file (forum/data/glossary.json). (library: its multilingual glossary)
glossary_provider = Hook("glossary_provider")
# Who would be told about a reply: `user`, `thread`; each receiver answers a list of users. (notifications)
reply_audience = Hook("reply_audience")
