"""The other apps of the legal portal, as the library reaches them: their published selectors only.

`comity.treaties.selectors.instrument_choices()` names the instruments documents are tagged with, and the
`search_hits(...)` of `comity.legalprofiles.selectors` (profiles, measures) and `comity.treaties.selectors`
(instruments) take part in the legal search. Both apps sit below the library. The imports are made when called,
so each contract has one place here (tests replace these functions).
"""

from __future__ import annotations

import datetime as dt

from comity.core.search.hits import SearchHit


def instrument_choices() -> list[tuple[str, str]]:
    """(slug, title in the active language) of every instrument."""
    from comity.treaties import selectors

    return list(selectors.instrument_choices())


def instrument_titles() -> dict[str, str]:
    return dict(instrument_choices())


def profile_hits(
    *,
    terms: list[str],
    user,
    country: str | None = None,
    coop_type: str | None = None,
    instrument: str | None = None,
    language: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 50,
) -> list[SearchHit]:
    """Country legal profiles and measure fiches ("profile", "measure")."""
    from comity.legalprofiles import selectors

    return list(
        selectors.search_hits(
            terms=terms,
            user=user,
            country=country,
            coop_type=coop_type,
            instrument=instrument,
            language=language,
            date_from=date_from,
            date_to=date_to,
            limit=limit,
        )
    )


def instrument_hits(
    *,
    terms: list[str],
    user,
    country: str | None = None,
    coop_type: str | None = None,
    instrument: str | None = None,
    language: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 50,
) -> list[SearchHit]:
    """Treaties and other instruments ("instrument")."""
    from comity.treaties import selectors

    return list(
        selectors.search_hits(
            terms=terms,
            user=user,
            country=country,
            coop_type=coop_type,
            instrument=instrument,
            language=language,
            date_from=date_from,
            date_to=date_to,
            limit=limit,
        )
    )
