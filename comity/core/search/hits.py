"""One result of a search that spans several apps (the legal portal's search), and how hits are ranked.

Each app that takes part answers a search over its own indexed text with a list of `SearchHit`s (already
restricted to what the user may see), and the app that combines them (`library`) merges and ranks them. The
score is computed in Python over the few rows each source returns: the index finds the rows, the score orders them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "document", "profile", "measure", "instrument", "glossary"
    key: str  # stable within its kind: a slug, "BR", "BR/bank_records", a document id
    title: str
    url: str
    text: str  # the plain text the snippet is cut from (not HTML)
    language: str = ""  # language code of the text, "" when it is not one language
    country: str = ""  # ISO alpha-2, when the hit is about one country
    updated_at: dt.datetime | None = None
    visibility: str = "public"  # "public" or "members"
    score: float = 0.0
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def score(*, terms: list[str], title: str, text: str) -> float:
    """How well a row matches: each term found in the title counts 3, each occurrence in the text 1 (at most 5).

    Terms and fields are compared case-folded; the terms come from `text.terms_of`, already case-folded.
    """
    title_folded = title.casefold()
    text_folded = text.casefold()
    total = 0.0
    for term in terms:
        if term in title_folded:
            total += 3
        total += min(text_folded.count(term), 5)
    return total
