"""How the library takes part in the forum, through the forum's hooks (registered in LibraryConfig.ready)."""

from __future__ import annotations

from functools import lru_cache

from comity.forum import hooks
from comity.library import selectors, services
from comity.library.models import GLOSSARY_LANGUAGES


@lru_cache(maxsize=1)
def _file_data() -> dict:
    return services.glossary_file_data()


def translation_glossary() -> dict:
    """The library's glossary for machine translation: the terms in the database, or the data file's terms while
    `load_glossary` has not run yet."""
    entries = selectors.glossary_entries()
    data = _file_data()
    if not entries:
        entries = [
            {"key": entry["key"], **{code: entry.get(code, "") for code in GLOSSARY_LANGUAGES}}
            for entry in data["terms"]
        ]
    return {
        "source": "Comity legal library glossary. " + data["source"],
        "as_of": data["as_of"],
        "languages": list(GLOSSARY_LANGUAGES),
        "terms": entries,
    }


def register() -> None:
    hooks.glossary_provider.register(translation_glossary)
