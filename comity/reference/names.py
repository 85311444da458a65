"""Names of countries and areas: UNTERM short names in the six UN languages, CLDR for Portuguese.

The names come from `data/country_names.json` (generated from the HDX taxonomy, see its `method`); a language the
file has no name for (Portuguese, or an area UNTERM does not name) falls back to CLDR through babel.
"""

from __future__ import annotations

from functools import lru_cache

from comity.core.search.text import fold
from comity.reference import datafiles

NAMES_FILE = "country_names.json"


def _data() -> dict:
    return datafiles.read(NAMES_FILE)


@lru_cache(maxsize=1)
def state_codes() -> frozenset[str]:
    """ISO alpha-2 codes of the States (UN Member and observer States, the Cook Islands and Niue)."""
    return frozenset(_data()["states"])


def all_codes() -> frozenset[str]:
    return frozenset(_data()["names"])


def is_state(iso2: str) -> bool:
    return iso2.upper() in state_codes()


def un_name(iso2: str, language: str) -> str:
    """The UN name of a country in a UI language ("zh-hans", "fr"...), or "" when the file has none."""
    entry = _data()["names"].get(iso2.upper(), {})
    return entry.get(language) or entry.get(language.split("-")[0], "")


def country_name(iso2: str, language: str) -> str:
    """The name to show: UN terminology where the file has it, else CLDR's name, else the code."""
    from comity.core import i18n

    return un_name(iso2, language) or i18n.cldr_territory_name(iso2, language)


@lru_cache(maxsize=1)
def _folded_names() -> tuple[tuple[str, str], ...]:
    from comity.core import i18n

    rows = []
    for iso2, entry in _data()["names"].items():
        names = set(entry.values())
        names.update(i18n.cldr_territory_name(iso2, language) for language in i18n.UI_LANGUAGES)
        rows.extend((iso2, fold(name)) for name in names)
    return tuple(rows)


def codes_matching(text: str) -> list[str]:
    """Codes of the countries one of whose names, in any UI language, holds `text` (case and accents ignored)."""
    needle = fold(text.strip())
    if not needle:
        return []
    return sorted({iso2 for iso2, name in _folded_names() if needle in name})
