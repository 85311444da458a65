"""The migration operation that builds a `TextIndex`, and the repair of SQLite's triggers after a table rebuild.

PostgreSQL: the pg_trgm extension (trusted, so the database owner may create it) and a GIN `gin_trgm_ops` index
on the column, or on LOWER(column). The index follows every write by itself. The column also gets a finer
histogram (`statistics`, 1,000 entries instead of 100), collected at once: PostgreSQL estimates how many rows
`LIKE '%term%'` matches by trying the pattern on that histogram, and with 100 entries a term in 2 % of the rows
often looks as rare as one in a million, which sends the newest-first search through every match instead of
stopping after a page.

SQLite (3.34 or later, for the trigram tokenizer): an external-content FTS5 table `<name>_fts` over the column,
filled from the table, and three triggers that keep it in step on insert, update of the column, and delete.
SQLite drops a table's triggers with the table, and Django rebuilds a table on SQLite for many schema changes
(a new NOT NULL column, most constraints). `repair_sqlite_text_indexes` runs after every `migrate`: it recreates
missing triggers and rebuilds those FTS tables, so a later migration of the indexed table cannot leave its index
silently stale.
"""

from __future__ import annotations

import re
import sqlite3

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.operations.base import Operation

from comity.core.search.index import sql_identifier

SQLITE_TRIGRAM = (3, 34)
# How the FTS5 tables are declared below; the repair reads the declaration back from sqlite_master.
_FTS_DECLARATION = re.compile(
    r"USING fts5\((?P<column>\w+), content='(?P<table>\w+)', content_rowid='(?P<rowid>\w+)', tokenize='trigram'\)"
)


# Every name written into the SQL below is a checked identifier (`sql_identifier`).
def _sqlite_triggers(name: str, table: str, column: str, rowid: str = "id") -> dict[str, str]:
    fts = f"{name}_fts"
    remove = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.{rowid}, old.{column});"  # noqa: S608
    add = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.{rowid}, new.{column});"  # noqa: S608
    return {
        f"{name}_ai": f"CREATE TRIGGER {name}_ai AFTER INSERT ON {table} BEGIN {add} END",
        f"{name}_ad": f"CREATE TRIGGER {name}_ad AFTER DELETE ON {table} BEGIN {remove} END",
        f"{name}_au": f"CREATE TRIGGER {name}_au AFTER UPDATE OF {column} ON {table} BEGIN {remove} {add} END",
    }


class CreateTextSearchIndex(Operation):
    """Create the substring index of `comity.core.search.TextIndex(table, column, name, lowercase)`."""

    reversible = True

    def __init__(self, *, table: str, column: str, name: str, lowercase: bool = False, statistics: int = 1000):
        self.table = sql_identifier(table)
        self.column = sql_identifier(column)
        self.name = sql_identifier(name)
        self.lowercase = lowercase
        self.statistics = int(statistics)

    def deconstruct(self):
        kwargs = {"table": self.table, "column": self.column, "name": self.name}
        if self.lowercase:
            kwargs["lowercase"] = True
        if self.statistics != 1000:
            kwargs["statistics"] = self.statistics
        return (self.__class__.__qualname__, [], kwargs)

    def state_forwards(self, app_label, state):
        pass  # a database object outside Django's model state

    def describe(self):
        return f"Create the text search index {self.name} on {self.table}.{self.column}"

    @property
    def migration_name_fragment(self):
        return self.name

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            target = f"lower({self.column})" if self.lowercase else self.column
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            # IF NOT EXISTS: on a big table an operator may build it CONCURRENTLY beforehand, under this name.
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {self.name} ON {self.table} USING gin (({target}) gin_trgm_ops)"
            )
            if self.lowercase:  # the expression index carries the statistics of LOWER(column)
                schema_editor.execute(f"ALTER INDEX {self.name} ALTER COLUMN 1 SET STATISTICS {self.statistics}")
                schema_editor.execute(f"ANALYZE {self.table}")
            else:
                schema_editor.execute(
                    f"ALTER TABLE {self.table} ALTER COLUMN {self.column} SET STATISTICS {self.statistics}"
                )
                schema_editor.execute(f"ANALYZE {self.table} ({self.column})")
        elif vendor == "sqlite":
            if sqlite3.sqlite_version_info < SQLITE_TRIGRAM:
                raise RuntimeError(
                    f"Search needs SQLite 3.34 or later (FTS5 trigram tokenizer); this is {sqlite3.sqlite_version}."
                )
            schema_editor.execute(
                f"CREATE VIRTUAL TABLE {self.name}_fts USING fts5({self.column}, content='{self.table}', "
                "content_rowid='id', tokenize='trigram')"
            )
            for statement in _sqlite_triggers(self.name, self.table, self.column).values():
                schema_editor.execute(statement)
            schema_editor.execute(f"INSERT INTO {self.name}_fts({self.name}_fts) VALUES ('rebuild')")  # noqa: S608
        else:
            raise RuntimeError(f"No text search index is written for {vendor}.")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {self.name}")  # pg_trgm stays: other indexes may use it
            if not self.lowercase:
                schema_editor.execute(f"ALTER TABLE {self.table} ALTER COLUMN {self.column} SET STATISTICS -1")
        elif vendor == "sqlite":
            for trigger in _sqlite_triggers(self.name, self.table, self.column):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {self.name}_fts")


class RemoveTextSearchIndex(CreateTextSearchIndex):
    """Drop the substring index that `CreateTextSearchIndex` with the same arguments built (reversed: build it)."""

    def describe(self):
        return f"Remove the text search index {self.name} on {self.table}.{self.column}"

    @property
    def migration_name_fragment(self):
        return f"remove_{self.name}"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        super().database_backwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        super().database_forwards(app_label, schema_editor, from_state, to_state)


def repair_sqlite_text_indexes(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Recreate the missing triggers of every search FTS5 table and rebuild it; the names of those repaired."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    repaired = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_fts' ESCAPE '\\'")
        tables = cursor.fetchall()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {row[0] for row in cursor.fetchall()}
        for fts, declaration in tables:
            found = _FTS_DECLARATION.search(declaration or "")
            if not found:
                continue
            name = fts[: -len("_fts")]
            wanted = _sqlite_triggers(name, found["table"], found["column"], found["rowid"])
            missing = [sql for trigger, sql in wanted.items() if trigger not in triggers]
            if missing:
                for statement in missing:
                    cursor.execute(statement)
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608 - a name from sqlite_master
                repaired.append(name)
    return repaired


def repair_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver (connected once, by the core app)."""
    repair_sqlite_text_indexes(using=using)


def refold_search_text(*, table: str, column: str, source: str = "", batch: int = 1000):
    """A data migration (`RunPython`) that folds the stored search texts of `table.column` again with
    `comity.core.search.fold`, in batches by primary key, writing only the rows whose text changes.

    `source`: fill `column` with the folded text of another column of the row (a new search column beside the text
    as written, e.g. a thread's `title_search` from its `title`); by default `column` is folded in place.

    The stored texts were case-folded only; `fold` also drops accents and unifies Arabic letter variants, and the
    query terms are folded that way, so every stored text must be too. Folding is idempotent: a text that was
    written folded stays as it is. The indexes follow the update by themselves (trigram index, FTS5 triggers).
    """
    from django.db import migrations

    from comity.core.search.text import fold

    table, column = sql_identifier(table), sql_identifier(column)
    source = sql_identifier(source) if source else column

    def forwards(apps, schema_editor):
        connection = schema_editor.connection
        select = f"SELECT id, {source}, {column} FROM {table} WHERE id > %s ORDER BY id LIMIT %s"  # noqa: S608
        update = f"UPDATE {table} SET {column} = %s WHERE id = %s"  # noqa: S608
        last = 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(select, [last, batch])
                rows = cursor.fetchall()
                if not rows:
                    return
                changed = [(fold(text), pk) for pk, text, stored in rows if text and fold(text) != stored]
                if changed:
                    cursor.executemany(update, changed)
                last = rows[-1][0]

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)
