"""One search module for every app: substring search over stored, folded text (case and accents ignored).

- `text`: the terms of a query, `Casefold`, and the escaped snippets and highlights of a result.
- `index`: `TextIndex.contains()`, the condition that every term appears, through a trigram index on PostgreSQL
  (pg_trgm) and an FTS5 trigram table on SQLite; `in_subquery()`, an IN that can share an OR with it.
- `limits`: the capped count and paginator, and the time limit that cancels a search running too long.
- `operations`: the migration operation that creates (and reverses) a `TextIndex` on either database.
- `api`: the REST pagination and the 503 answer of a search that ran out of time.

The reasons are in docs/adr/0011-search.md. Nothing here knows a domain model: the forum and the directory
declare their indexes and compose these pieces.
"""

from comity.core.search.index import MIN_INDEXED, TextIndex, fts5_query, in_subquery
from comity.core.search.limits import (
    COUNT_CAP,
    TIME_LIMIT_SECONDS,
    CappedPaginator,
    SearchTimeout,
    count_capped,
    time_limit,
)
from comity.core.search.text import (
    MAX_QUERY,
    MAX_TERMS,
    SNIPPET_CHARS,
    Casefold,
    fold,
    highlight,
    snippet,
    terms_of,
)

__all__ = [
    "COUNT_CAP",
    "MAX_QUERY",
    "MAX_TERMS",
    "MIN_INDEXED",
    "SNIPPET_CHARS",
    "TIME_LIMIT_SECONDS",
    "CappedPaginator",
    "Casefold",
    "SearchTimeout",
    "TextIndex",
    "count_capped",
    "fold",
    "fts5_query",
    "highlight",
    "in_subquery",
    "snippet",
    "terms_of",
    "time_limit",
]
