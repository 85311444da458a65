"""Explicit hooks through which apps above the legal profiles contribute to their pages.

The legal profiles never import those apps: each registers its callable once, from its AppConfig.ready(). A hook
with nothing registered returns nothing.
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


# The "typical time to execute" measured from requests to a country, for its profile page: called with `country`;
# each receiver answers a list of rows {"coop_type", "requesting" (a country name or ""), "requests",
# "median_days_to_acknowledge", "median_days_to_execute", "share_executed", "share_refused"}. (requests)
typical_times = Hook("typical_times")
# When what `typical_times` shows last changed for a country, so that the profile's ETag and Last-Modified move
# with it: called with `iso2`; each receiver answers an aware datetime or None. (requests)
typical_times_changed = Hook("typical_times_changed")
