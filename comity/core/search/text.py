"""The words of a query, and the escaped snippets and highlights a result shows.

Matching is by folded substring (ADR 0011): a query is split on white space into folded terms, and each term must
appear in the folded text. Folding (`fold`) ignores case and accents in every script: "Maré" and "MARE" both fold
to "mare"; Arabic hamza and madda forms of alef fold to bare alef, ta marbuta to heh, alef maksura and Farsi yeh to
yeh, harakat and tatweel are dropped. Stored search texts are folded when they are written; nothing here touches
the database except `Casefold`, which folds a column that holds text as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from django.db.models import Func, TextField
from markupsafe import Markup, escape

MAX_TERMS = 10
MAX_QUERY = 200
SNIPPET_CHARS = 240


# Letters that Arabic writers interchange, or that NFKD leaves whole: each to the form search compares.
_ARABIC = str.maketrans(
    {
        "\u0671": "\u0627",  # alef wasla -> alef (hamza and madda forms decompose to alef + a mark)
        "\u0629": "\u0647",  # ta marbuta -> heh
        "\u0649": "\u064a",  # alef maksura -> yeh
        "\u06cc": "\u064a",  # Farsi yeh -> yeh
        "\u06a9": "\u0643",  # keheh -> kaf
        "\u0640": None,  # tatweel
    }
)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept.casefold()).translate(_ARABIC)


class _FoldTable(dict):
    """`str.translate` table of `_fold_char`, filled as characters are met; remembers the characters that do not
    fold to exactly one character (`_IRREGULAR`), so that folded positions can be mapped back cheaply."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = _fold_char(char)
        if len(folded) != 1:
            _IRREGULAR.add(char)
        self[code] = folded
        return folded


_FOLD = _FoldTable()
_IRREGULAR: set[str] = set()


def fold(text: str) -> str:
    """Text as search compares it: case folded, accents and other combining marks dropped, Arabic letter variants
    made one (see the module docstring). Idempotent, so folding folded text changes nothing."""
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD)


def fold_with_positions(text: str) -> tuple[str, Sequence[int]]:
    """`fold(text)` and, for each of its characters, the index in `text` of the character it came from."""
    if text.isascii():
        return text.lower(), range(len(text))
    folded = text.translate(_FOLD)  # also records every character of `text` that is irregular
    if _IRREGULAR.isdisjoint(text):  # every character folded to exactly one
        return folded, range(len(text))
    positions: list[int] = []
    for index, char in enumerate(text):
        positions.extend([index] * len(_FOLD[ord(char)]))
    return folded, positions


class Term(str):
    """A folded query word that remembers its case-folded form (`casefolded`): a column searched as written
    (`TextIndex(lowercase=True)`, e.g. thread titles) is compared case-folded only, since its index holds LOWER()."""

    casefolded: str


def terms_of(text: str, *, max_terms: int = MAX_TERMS, max_chars: int = MAX_QUERY) -> list[str]:
    """Distinct folded words of the query (`Term`s), in order, at most `max_terms` from its first `max_chars`."""
    terms: list[str] = []
    for word in (text or "")[:max_chars].replace("\x00", " ").casefold().split():
        folded = fold(word).strip()
        if folded and folded not in terms:
            term = Term(folded)
            term.casefolded = word
            terms.append(term)
    return terms[:max_terms]


def casefolded(term: str) -> str:
    """The case-folded (not accent-folded) form of a query term."""
    return getattr(term, "casefolded", term)


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


class Casefold(Func):
    """Unicode case folding in the database: LOWER() on PostgreSQL, a Python function on SQLite.

    SQLite's own lower() knows only ASCII; PostgreSQL's LOWER() follows the database's Unicode ctype (it lowers
    rather than folds: "ß" stays "ß"). A trigram index on LOWER(column) serves it on PostgreSQL. Such a column
    (thread titles) is compared with the terms' case-folded form (`Term.casefolded`): it ignores case but not
    accents, on both databases; the stored search texts, folded in Python (`fold`), ignore both.
    """

    function = "LOWER"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_function("comity_casefold", 1, _casefold, deterministic=True)
        return super().as_sql(compiler, connection, function="comity_casefold", **extra_context)


# --- snippets ----------------------------------------------------------------------------------------------------


def _pattern(terms: list[str]) -> re.Pattern | None:
    terms = [fold(term) for term in terms if term]
    if not terms:
        return None
    alternatives = sorted({re.escape(term) for term in terms}, key=len, reverse=True)
    return re.compile("|".join(alternatives))


class _Match:
    """A match of a folded term, as a span of the original text."""

    def __init__(self, start: int, end: int):
        self._start, self._end = start, end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end


def _matches(pattern: re.Pattern, text: str) -> list[_Match]:
    """Where the terms occur in `text`, found in its folded form and mapped back to the original characters."""
    folded, positions = fold_with_positions(text)
    found = []
    for match in pattern.finditer(folded):
        if match.end() > match.start():
            start = positions[match.start()]
            end = positions[match.end() - 1] + 1
            if not found or start >= found[-1].end():
                found.append(_Match(start, end))
    return found


def highlight(text: str, terms: list[str]) -> Markup:
    """The text, HTML-escaped, with each occurrence of a term (folded, like the search) wrapped in <mark>."""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for match in _matches(pattern, text):
        out.append(escape(text[last : match.start()]))
        out.append(Markup("<mark>%s</mark>") % text[match.start() : match.end()])
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> Markup:
    """About `width` characters around the first match (or the start), escaped, matches in <mark>."""
    pattern = _pattern(terms)
    found = _matches(pattern, text) if pattern else []
    match = found[0] if found else None
    start = 0
    if match and match.start() > width // 3:
        start = match.start() - width // 3
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= start - 20 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start + width // 2, end)
        end = space if space > 0 else end
    piece = highlight(text[start:end], terms)
    prefix = Markup("… ") if start > 0 else Markup("")
    suffix = Markup(" …") if end < len(text) else Markup("")
    return prefix + piece + suffix
