"""The other apps of the legal portal, as the library reaches them: their published selectors only.

`comity.treaties.selectors.instrument_choices()` names the instruments documents are tagged with, and the
`search_hits(...)` of `comity.legalprofiles.selectors` (profiles, measures) and `comity.treaties.selectors`
(instruments) take part in the legal search. Both apps sit below the library. Each contract has one place here
(tests replace these functions); the search filters are passed through as the contract names them.
"""

from __future__ import annotations

from comity.core.search.hits import SearchHit
from comity.legalprofiles import selectors as profile_selectors
from comity.treaties import selectors as treaty_selectors


def instrument_choices() -> list[tuple[str, str]]:
    """(slug, title in the active language) of every instrument."""
    return list(treaty_selectors.instrument_choices())


def instrument_titles() -> dict[str, str]:
    return dict(instrument_choices())


def profile_hits(**filters) -> list[SearchHit]:
    """Country legal profiles and measure fiches ("profile", "measure"); `filters` as `search_hits` takes them
    (terms, user, country, coop_type, instrument, language, date_from, date_to, limit)."""
    return list(profile_selectors.search_hits(**filters))


def instrument_hits(**filters) -> list[SearchHit]:
    """Treaties and other instruments ("instrument"), with the same filters."""
    return list(treaty_selectors.search_hits(**filters))
