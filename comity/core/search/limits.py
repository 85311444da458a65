"""Bounds on what one search may cost: a capped count, pages within the cap, and a time limit.

- `count_capped` counts at most `cap + 1` rows (a LIMIT inside the COUNT), so a common word costs no more to count
  than a rare one. Pages only reach the first `cap` results (`CappedPaginator`), so OFFSET never skips more.
- `time_limit` cancels the database work of a search that runs past its limit, and raises `SearchTimeout` for the
  caller to answer with a clear message. On PostgreSQL a timer sends a cancel request for the connection
  (psycopg's `cancel_safe`), which stops the running statement as `statement_timeout` would, with no extra
  statement and no transaction around the search; a statement that has not started by the deadline is refused
  before it is sent. On SQLite a progress handler interrupts the statement.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
from contextlib import contextmanager

from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import QuerySet
from django.utils.functional import cached_property

logger = logging.getLogger(__name__)

COUNT_CAP = 1000
# PostgreSQL's estimate of the matches is trusted to say "more than the cap" when it is at least this many times the
# cap (see CappedPaginator); below that, the matches are counted.
ESTIMATE_TRUSTED = 10
TIME_LIMIT_SECONDS = 2.0
# SQLite calls the progress handler every this many virtual-machine instructions (a few microseconds' work).
SQLITE_PROGRESS_STEPS = 10_000
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a cancelled statement, whoever cancelled it


def count_capped(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(number of rows, up to `cap`; whether there are more), counting at most `cap + 1` rows."""
    counted = queryset.order_by().values("pk")[: cap + 1].count()
    return min(counted, cap), counted > cap


class CappedPaginator(Paginator):
    """A paginator over the first `cap` rows only: its count is capped, and `more` says whether rows were left.

    For a queryset ordered by plain fields, the search runs once: the query that counts (at most `cap + 1` rows, in
    no order) returns the rows' keys and ordering values instead. When they are all the matches, they are put in
    order here and a page's rows are read by primary key, so the search itself is not run a second time for the
    page; when there are more, that query has counted them ("more than `cap`"), and the page's keys are read in
    order from the search (its keys only: the related rows are not joined to every match before the sort), then
    its rows by primary key.

    On PostgreSQL, when the planner estimates at least `ESTIMATE_TRUSTED` times the cap (a word in 5 % of a million
    posts), "more than `cap`" is taken from the estimate and nothing is counted: through the trigram index, finding
    the first `cap + 1` matches of such a word reads the index entries of all of them (50,000), which is what grew
    with the data. Should a page then come back short, the estimate was wrong: the matches are counted and the
    page read again, so a page is never shown with a count it contradicts."""

    def __init__(self, object_list, per_page, *args, cap: int | None = None, estimate: bool = True, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap
        self.estimate = estimate
        self.estimated = False  # "more than the cap" comes from the planner's estimate, not from a count

    @cached_property
    def _matches(self) -> tuple[list | None, bool | None]:
        """(the primary keys of all the matches in the list's order, when there are at most `cap`, else None;
        whether more than `cap` match, when that is known from the same query, else None)."""
        queryset = self.object_list
        ordering = _plain_ordering(queryset)
        if ordering is None:
            return None, None
        if self.estimate and (estimated_rows(queryset) or 0) >= ESTIMATE_TRUSTED * self.cap:
            self.estimated = True
            return None, True
        fields = [name.lstrip("-") for name in ordering]
        rows = list(queryset.order_by().values_list("pk", *fields)[: self.cap + 1])
        if len(rows) > self.cap:
            return None, True  # more than the cap: no count needed; the page is read in order from the search
        if any(value is None for row in rows for value in row):
            return None, None  # not sortable here: counted, and paged as Django's paginator pages
        for index in reversed(range(len(fields))):  # a stable sort per field, the last one first
            rows.sort(key=lambda row, index=index: row[index + 1], reverse=ordering[index].startswith("-"))
        return [row[0] for row in rows], False

    @cached_property
    def _capped(self) -> tuple[int, bool]:
        keys, more = self._matches
        if keys is not None:
            return len(keys), False
        if more:
            return self.cap, True
        return count_capped(self.object_list, self.cap)

    def page(self, number):
        keys, more = self._matches
        if keys is None and not more:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if keys is None:
            # More than the cap: the page's keys in order (narrow rows, without the related rows joined to every
            # match before they are sorted), then its rows by key.
            keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
            if self.estimated and len(keys) < top - bottom:
                return self._count_after_all(number)  # a short page: the estimate was wrong
        else:
            keys = keys[bottom:top]
        return self._get_page(_rows_by_key(self.object_list, keys), number, self)

    def _count_after_all(self, number):
        """Forget the estimate, count the matches, and read the page again."""
        for name in ("_matches", "_capped", "count", "num_pages"):
            self.__dict__.pop(name, None)
        self.estimate = self.estimated = False
        return self.page(number)

    @cached_property
    def count(self) -> int:
        return self._capped[0]

    @property
    def more(self) -> bool:
        """More rows match than `count`, and they are not reachable by page."""
        return self._capped[1]


def estimated_rows(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the queryset's rows (EXPLAIN, which plans the query without running it); None on
    another database. The planner estimates a substring search from the column's statistics (1,000 entries for the
    search columns: comity/core/search/operations.py), so a term in 5 % of 1,000,000 posts is estimated at about
    50,000, within a few per cent."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def estimate_queries(using: str = DEFAULT_DB_ALIAS) -> int:
    """The queries the estimate adds to a search whose results have a plain order (for tests that count queries):
    one EXPLAIN on PostgreSQL, none elsewhere."""
    return 1 if connections[using].vendor == "postgresql" else 0


def _plain_ordering(queryset) -> tuple[str, ...] | None:
    """The queryset's ordering when it is only model fields (["-"]name), with nothing else that a read by primary
    key would lose (annotations, DISTINCT, extra columns); else None."""
    if not isinstance(queryset, QuerySet):
        return None
    query = queryset.query
    ordering = tuple(query.order_by)
    if not ordering or query.annotations or query.distinct or query.extra or query.combinator:
        return None
    names = {field.name for field in queryset.model._meta.concrete_fields} | {"pk"}
    if not all(isinstance(name, str) and name.lstrip("-") in names for name in ordering):
        return None
    return ordering


def _rows_by_key(queryset: QuerySet, keys: list) -> list:
    """The rows with these keys, in this order, with the queryset's related rows and deferred fields (no other
    condition: the keys come from the queryset itself)."""
    if not keys:
        return []
    rows = queryset.model._base_manager.filter(pk__in=keys)
    rows.query.select_related = copy.deepcopy(queryset.query.select_related)
    rows.query.deferred_loading = queryset.query.deferred_loading
    rows = rows.prefetch_related(*queryset._prefetch_related_lookups)
    found = {row.pk: row for row in rows}
    return [found[key] for key in keys if key in found]


class SearchTimeout(Exception):
    """The search ran past its time limit; its statement was cancelled."""


def _is_cancel(exc: DatabaseError, vendor: str) -> bool:
    if vendor == "postgresql":
        return getattr(exc.__cause__, "sqlstate", None) == QUERY_CANCELED
    return vendor == "sqlite" and str(exc) == "interrupted"


@contextmanager
def time_limit(seconds: float | None = None, *, using: str = DEFAULT_DB_ALIAS):
    """Run the block's queries within `seconds` in all (`TIME_LIMIT_SECONDS`); else raise `SearchTimeout`.

    Read-only work only: a cancelled statement inside a caller's transaction leaves that transaction marked for
    rollback (on PostgreSQL), like any failed statement. Search views run in autocommit, so nothing is lost.
    """
    connection = connections[using]
    connection.ensure_connection()
    deadline = time.monotonic() + (TIME_LIMIT_SECONDS if seconds is None else seconds)

    def refuse_late_statements(execute, sql, params, many, context):
        if time.monotonic() >= deadline:
            raise SearchTimeout
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_late_statements):
        try:
            if connection.vendor == "postgresql":
                with _cancel_at(deadline, connection.connection):
                    yield
            elif connection.vendor == "sqlite":
                with _interrupt_at(deadline, connection.connection):
                    yield
            else:
                yield
        except DatabaseError as exc:
            if not _is_cancel(exc, connection.vendor):
                raise
            if connection.vendor == "postgresql" and connection.in_atomic_block:
                transaction.set_rollback(True, using=using)
            raise SearchTimeout from exc


@contextmanager
def _cancel_at(deadline: float, raw_connection):
    lock = threading.Lock()
    active = [True]

    def cancel():
        with lock:  # the block's exit waits for a cancel in flight, so it never reaches a later statement
            if active[0]:
                try:
                    raw_connection.cancel_safe(timeout=5.0)
                except Exception:  # the connection went away; nothing runs on it any more
                    logger.warning("could not cancel a search that ran past its time limit", exc_info=True)

    timer = threading.Timer(max(0.0, deadline - time.monotonic()), cancel)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            active[0] = False
        timer.cancel()


@contextmanager
def _interrupt_at(deadline: float, raw_connection):
    raw_connection.set_progress_handler(lambda: time.monotonic() >= deadline, SQLITE_PROGRESS_STEPS)
    try:
        yield
    finally:
        raw_connection.set_progress_handler(None, 0)
