"""The words of a query, and the escaped snippets and highlights a result shows.

Matching is by case-folded substring (ADR 0011): a query is split on white space into case-folded terms, and each
term must appear in the case-folded text. Nothing here touches the database except `Casefold`, which folds a
column the way the stored search texts were folded when they were written.
"""

from __future__ import annotations

import re

from django.db.models import Func, TextField
from markupsafe import Markup, escape

MAX_TERMS = 10
MAX_QUERY = 200
SNIPPET_CHARS = 240


def terms_of(text: str, *, max_terms: int = MAX_TERMS, max_chars: int = MAX_QUERY) -> list[str]:
    """Distinct case-folded words of the query, in order, at most `max_terms` from its first `max_chars`."""
    terms: list[str] = []
    for word in (text or "")[:max_chars].replace("\x00", " ").casefold().split():
        if word not in terms:
            terms.append(word)
    return terms[:max_terms]


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


class Casefold(Func):
    """Unicode case folding in the database: LOWER() on PostgreSQL, a Python function on SQLite.

    SQLite's own lower() knows only ASCII; PostgreSQL's LOWER() follows the database's Unicode ctype (it lowers
    rather than folds: "ß" stays "ß"). A trigram index on LOWER(column) serves it on PostgreSQL.
    """

    function = "LOWER"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_function("comity_casefold", 1, _casefold, deterministic=True)
        return super().as_sql(compiler, connection, function="comity_casefold", **extra_context)


# --- snippets ----------------------------------------------------------------------------------------------------


def _pattern(terms: list[str]) -> re.Pattern | None:
    if not terms:
        return None
    alternatives = sorted({re.escape(term) for term in terms}, key=len, reverse=True)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> Markup:
    """The text, HTML-escaped, with each occurrence of a term wrapped in <mark>."""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(Markup("<mark>%s</mark>") % match.group(0))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> Markup:
    """About `width` characters around the first match (or the start), escaped, matches in <mark>."""
    pattern = _pattern(terms)
    match = pattern.search(text) if pattern else None
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
