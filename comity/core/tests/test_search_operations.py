"""More of the text search index operation: its description, removal, the lower-case variant, refusals on
unsupported databases, the trigger repair's limits, and the data migration that folds stored texts again."""

from __future__ import annotations

import pytest
from django.db import connection

from comity.core.search import operations
from comity.core.tests.test_search import STATISTICS, _Editor, _fts_ids, _probe_table

SQLITE = connection.vendor == "sqlite"
POSTGRES = connection.vendor == "postgresql"


class _FakeConnection:
    def __init__(self, vendor: str):
        self.vendor = vendor


class _Recorder:
    """A schema editor of another database that only records what it is asked to run."""

    def __init__(self, vendor: str):
        self.connection = _FakeConnection(vendor)
        self.statements: list[str] = []

    def execute(self, sql, params=None):
        self.statements.append(sql)


def _index_objects() -> list[str]:
    with connection.cursor() as cursor:
        if SQLITE:
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search_probe%' ORDER BY name")
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'search_probe' ORDER BY indexname")
        return [row[0] for row in cursor.fetchall()]


def test_the_operation_describes_itself_and_keeps_its_options():
    create = operations.CreateTextSearchIndex(
        table="thread", column="title", name="thread_title_search", lowercase=True, statistics=500
    )
    assert create.deconstruct() == (
        "CreateTextSearchIndex",
        [],
        {"table": "thread", "column": "title", "name": "thread_title_search", "lowercase": True, "statistics": 500},
    )
    assert create.describe() == "Create the text search index thread_title_search on thread.title"
    assert create.migration_name_fragment == "thread_title_search"
    assert create.reversible is True
    assert create.state_forwards("core", state=None) is None
    remove = operations.RemoveTextSearchIndex(table="thread", column="title", name="thread_title_search")
    assert remove.deconstruct()[0] == "RemoveTextSearchIndex"
    assert remove.describe() == "Remove the text search index thread_title_search on thread.title"
    assert remove.migration_name_fragment == "remove_thread_title_search"


def test_other_databases_are_refused_and_old_sqlite_too(monkeypatch):
    operation = operations.CreateTextSearchIndex(table="t", column="c", name="t_c")
    editor = _Recorder("mysql")
    with pytest.raises(RuntimeError, match="No text search index is written for mysql"):
        operation.database_forwards("core", editor, None, None)
    operation.database_backwards("core", editor, None, None)
    assert editor.statements == []
    monkeypatch.setattr(operations, "SQLITE_TRIGRAM", (99, 0))
    editor = _Recorder("sqlite")
    with pytest.raises(RuntimeError, match="Search needs SQLite 3.34 or later"):
        operation.database_forwards("core", editor, None, None)
    assert editor.statements == []


def test_the_postgresql_statements_of_the_lower_case_variant():
    operation = operations.CreateTextSearchIndex(table="t", column="c", name="t_c", lowercase=True, statistics=300)
    editor = _Recorder("postgresql")
    operation.database_forwards("core", editor, None, None)
    assert editor.statements == [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX IF NOT EXISTS t_c ON t USING gin ((lower(c)) gin_trgm_ops)",
        "ALTER INDEX t_c ALTER COLUMN 1 SET STATISTICS 300",
        "ANALYZE t",
    ]
    editor = _Recorder("postgresql")
    operation.database_backwards("core", editor, None, None)
    assert editor.statements == ["DROP INDEX IF EXISTS t_c"]  # the column's statistics were never changed


@pytest.mark.django_db
def test_removing_drops_the_index_and_reversing_builds_it_again():
    index = _probe_table()
    remove = operations.RemoveTextSearchIndex(table=index.table, column=index.column, name=index.name, lowercase=True)
    remove.database_backwards("core", _Editor(), None, None)  # reversed: built
    if SQLITE:
        built = set(_index_objects())
        assert {
            "search_probe_text_fts",
            "search_probe_text_ai",
            "search_probe_text_ad",
            "search_probe_text_au",
        } <= built
        assert _fts_ids('"legal"') == [1]
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_probe_text'")
            assert cursor.fetchone()[0].endswith("USING gin (lower(body) gin_trgm_ops)")
            cursor.execute(STATISTICS)
            assert cursor.fetchone()[0] in (-1, None)  # lower-case: the statistics are the index's
    remove.database_forwards("core", _Editor(), None, None)
    assert _index_objects() == (["search_probe"] if SQLITE else ["search_probe_pkey"])


def test_repair_does_nothing_on_other_databases(monkeypatch):
    monkeypatch.setattr(operations, "connections", {"default": _FakeConnection("postgresql")})
    assert operations.repair_sqlite_text_indexes() == []


@pytest.mark.skipif(not SQLITE, reason="SQLite only: FTS5 tables and their triggers")
@pytest.mark.django_db
def test_repair_after_migrate_restores_triggers_and_leaves_foreign_fts_tables_alone():
    index = _probe_table()
    operations.CreateTextSearchIndex(table=index.table, column=index.column, name=index.name).database_forwards(
        "core", _Editor(), None, None
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE VIRTUAL TABLE notes_fts USING fts5(body)")  # not one of ours: no triggers wanted
        cursor.execute("DROP TRIGGER search_probe_text_ai")
        cursor.execute("INSERT INTO search_probe VALUES (3, 'legal aid')")
    assert operations.repair_after_migrate(sender=None, using="default") is None
    assert _fts_ids('"legal"') == [1, 3]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'notes%'")
        assert cursor.fetchall() == []
        cursor.execute("INSERT INTO search_probe VALUES (4, 'legal')")
    assert _fts_ids('"legal"') == [1, 3, 4]


@pytest.mark.django_db
def test_refold_folds_in_place_and_from_another_column_in_batches():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE refold_probe (id integer PRIMARY KEY, title text, title_search text)")
        cursor.execute(
            "INSERT INTO refold_probe VALUES (1, 'Évora', 'évora'), (2, 'Lisboa', 'lisboa'), (3, NULL, NULL), "
            "(4, 'ÀLGÉRIE', '')"
        )
    in_place = operations.refold_search_text(table="refold_probe", column="title_search", batch=2)
    assert in_place.reversible and in_place.elidable
    in_place.code(None, _Editor())
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, title_search FROM refold_probe ORDER BY id")
        assert cursor.fetchall() == [(1, "evora"), (2, "lisboa"), (3, None), (4, "")]
    from_title = operations.refold_search_text(table="refold_probe", column="title_search", source="title", batch=3)
    from_title.code(None, _Editor())
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, title, title_search FROM refold_probe ORDER BY id")
        assert cursor.fetchall() == [
            (1, "Évora", "evora"),
            (2, "Lisboa", "lisboa"),
            (3, None, None),
            (4, "ÀLGÉRIE", "algerie"),
        ]
    with pytest.raises(ValueError, match="Not a plain lower-case SQL identifier"):
        operations.refold_search_text(table="refold_probe", column="title_search", source="title; --")
