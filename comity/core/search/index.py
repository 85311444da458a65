"""Restricting a queryset to rows whose text contains every term, through the index of the database in use.

A `TextIndex` names one indexed text column. Its migration (`operations.CreateTextSearchIndex`) builds, on
PostgreSQL, a GIN `gin_trgm_ops` index that serves `LIKE '%term%'` directly, and on SQLite an FTS5 table with the
trigram tokenizer, kept in step with the table by triggers. Either way the exact `LIKE` on the column decides the
result; the index only narrows the rows it runs on, so both databases give the same answers.

A trigram index cannot look up a term shorter than three characters (`MIN_INDEXED`). Such a term is still
matched, by the exact condition: beside a longer term it only filters the rows the longer term found; alone it
needs a scan, newest first, which stops early for a common term and is bounded by the search time limit
(`limits.time_limit`) for a rare one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F, Func, Q, QuerySet, Subquery, TextField
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Contains, Lookup

from comity.core.search.text import Casefold, casefolded

MIN_INDEXED = 3
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def sql_identifier(value: str) -> str:
    """`value`, if it is a plain lower-case SQL identifier (table, column and index names are written into SQL)."""
    if not _IDENTIFIER.match(value):
        raise ValueError(f"Not a plain lower-case SQL identifier: {value!r}")
    return value


def fts5_query(terms: list[str]) -> str:
    """An FTS5 query that every term must match as a literal string (its quotes doubled): `"a" AND "b""c"`.

    Inside a string FTS5 gives no meaning to `*`, `-`, `^`, `:`, parentheses, AND, OR, NOT or NEAR.
    """
    return " AND ".join('"{}"'.format(term.replace('"', '""')) for term in terms)


def _path(through: str, name: str) -> str:
    return f"{through}__{name}" if through else name


class _Unindexed(Func):
    template = "(%(expressions)s || '')"
    output_field = TextField()


@dataclass(frozen=True)
class TextIndex:
    """A substring index on `table.column`, named `name` (the FTS5 table on SQLite is `<name>_fts`).

    `lowercase`: the column holds text as written and is matched case-folded (`Casefold`); PostgreSQL then indexes
    LOWER(column). Otherwise the column already holds case-folded text (a stored search text).
    """

    table: str
    column: str
    name: str
    lowercase: bool = False

    def __post_init__(self):
        for value in (self.table, self.column, self.name):
            sql_identifier(value)

    @property
    def fts_table(self) -> str:
        return f"{self.name}_fts"

    def exact(self, term: str, *, through: str = "", indexed: bool = True) -> Q:
        """The column contains `term`: the exact test, with no index of its own on SQLite.

        `through` is the relation from the queried model to the indexed one ("thread" to test a post's thread).
        `indexed=False` writes the test on `(column || '')`, which PostgreSQL's trigram index does not serve.
        """
        path = _path(through, self.column)
        column = Casefold(F(path)) if self.lowercase else F(path)
        if self.lowercase:
            term = casefolded(term)
        return Q(Contains(column if indexed else _Unindexed(column), term))

    def contains(self, terms: list[str], *, through: str = "", using: str = DEFAULT_DB_ALIAS) -> Q:
        """The column contains every term, looked up through the index (see the module docstring).

        Beside a term long enough for the index, PostgreSQL tests the shorter ones with `indexed=False`. Otherwise
        it would hand them to the index too, which cannot narrow by them (no trigram), while the planner counts
        on it: "request ab" then read every post holding "request". Alone, short terms stay on the column, where
        the planner estimates them from its histogram (no index can help them anyway).
        """
        vendor = connections[using].vendor
        if self.lowercase:  # the column holds text as written: compare the terms' case-folded form
            terms = [casefolded(term) for term in terms]
        long_terms = [term for term in terms if len(term) >= MIN_INDEXED]
        condition = Q()
        if vendor == "sqlite" and long_terms:
            # The names are checked identifiers; the query is a parameter.
            lookup = f'SELECT rowid FROM "{self.fts_table}" WHERE "{self.fts_table}" MATCH %s'  # noqa: S608
            rows = RawSQL(lookup, [fts5_query(long_terms)])  # noqa: S611
            condition &= Q(**{f"{_path(through, 'pk')}__in": rows})
        for term in terms:
            indexed = vendor != "postgresql" or not long_terms or term in long_terms
            condition &= self.exact(term, through=through, indexed=indexed)
        return condition


class _InArray(Lookup):
    """`lhs = ANY(ARRAY(subquery))` (a Lookup used as an expression, not registered on any field)."""

    lookup_name = "in_array"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def in_subquery(field: str, queryset: QuerySet, *, using: str = DEFAULT_DB_ALIAS) -> Q:
    """`field IN (queryset)` (one column), for a subquery that does not depend on the outer row.

    On PostgreSQL it is written `field = ANY(ARRAY(subquery))`: the subquery runs once, before the scan, and the
    array it yields can drive an index scan, also as one branch of an OR whose other branch uses another index
    (a BitmapOr). A plain IN there becomes a hashed subplan tested on every row, which forces a full scan.
    """
    queryset = queryset.order_by()
    if connections[using].vendor == "postgresql":
        return Q(_InArray(F(field), Subquery(queryset)))
    return Q(**{f"{field}__in": queryset})
