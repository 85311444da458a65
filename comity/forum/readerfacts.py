"""What the thread page asks about its reader, in one plain query (see selectors.thread_page_get_for)."""

# ruff: noqa: S608 - the SQL is built from constants and the models' table names only; values are parameters.

from __future__ import annotations

from functools import lru_cache

from comity.forum.models import Draft, Post, ReadMarker, SpaceMember, Thread, ThreadSubscription


@lru_cache(maxsize=4)
def _reader_facts_sql(vendor: str) -> str:
    """The query of `_reader_facts`, built from constants and the models' table names only."""
    from django.db import connection

    quote = connection.ops.quote_name
    marker = f"SELECT last_read_number FROM {quote(ReadMarker._meta.db_table)} WHERE user_id = %s AND thread_id = %s"
    first = (
        f"SELECT {{column}} FROM {quote(Post._meta.db_table)} WHERE thread_id = %s"
        f" AND number > COALESCE(({marker} LIMIT 1), 0) ORDER BY number LIMIT 1"
    )
    member = f"SELECT {{column}} FROM {quote(SpaceMember._meta.db_table)} WHERE user_id = %s AND space_id = %s LIMIT 1"
    subscription = (
        f"SELECT level FROM {quote(ThreadSubscription._meta.db_table)} WHERE user_id = %s AND thread_id = %s LIMIT 1"
    )
    draft = f"SELECT id FROM {quote(Draft._meta.db_table)} WHERE user_id = %s AND {quote('key')} = %s LIMIT 1"
    columns = [
        f"{marker} LIMIT 1",
        first.format(column="id"),
        first.format(column="number"),
        subscription,
        member.format(column="state"),
        member.format(column="is_moderator"),
        member.format(column="notify_level"),
        draft,
    ]
    return "SELECT " + ", ".join(f"({column})" for column in columns)


def reader_facts(user, thread: Thread) -> tuple:
    """One row of scalar subqueries in SQL that SQLite and PostgreSQL both read (no ORM: compiling eight
    subqueries cost more than running them)."""
    from django.db import connection

    me, pk, space = user.pk, thread.pk, thread.space_id
    params = [me, pk, pk, me, pk, pk, me, pk, me, pk, me, space, me, space, me, space, me, f"reply:{pk}"]
    with connection.cursor() as cursor:
        cursor.execute(_reader_facts_sql(connection.vendor), params)
        return cursor.fetchone()
