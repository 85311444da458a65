"""The search module: terms, FTS5 quoting, index conditions, the capped count and paginator, the time limit, and
the migration operation with its SQLite trigger repair. The suite runs it on SQLite and on PostgreSQL."""

import time

import pytest
from django.db import DatabaseError, connection

from comity.core import search
from comity.core.search import operations
from comity.reference.models import Country
from comity.reference.tests.factories import CountryFactory

SQLITE = connection.vendor == "sqlite"
CODES = ["AR", "BR", "CL", "FR", "ID"]
POSTGRES = connection.vendor == "postgresql"


def test_terms_are_casefolded_distinct_and_bounded():
    assert search.terms_of("  Выдача  ВЫДАЧА straße  ") == ["выдача", "strasse"]
    assert search.terms_of("bank\x00records") == ["bank", "records"]
    assert search.terms_of("x" * 300) == ["x" * 200]
    assert search.terms_of(" ".join(f"w{n}" for n in range(15))) == [f"w{n}" for n in range(10)]


def test_fts5_query_makes_every_term_a_literal_string():
    assert search.fts5_query(["bank", 'a"b', "near(x", "*", "-y", "OR"]) == (
        '"bank" AND "a""b" AND "near(x" AND "*" AND "-y" AND "OR"'
    )


def test_highlight_and_snippet_escape_and_mark():
    assert str(search.highlight("<b>Bank</b> & bank", ["bank"])) == (
        "&lt;b&gt;<mark>Bank</mark>&lt;/b&gt; &amp; <mark>bank</mark>"
    )
    long_text = " ".join(["word"] * 100 + ["needle"] + ["tail"] * 100)
    piece = str(search.snippet(long_text, ["needle"]))
    assert piece.startswith("… ") and piece.endswith(" …") and "<mark>needle</mark>" in piece


@pytest.mark.django_db
def test_contains_uses_the_index_only_for_terms_of_three_characters_or_more():
    index = search.TextIndex(table="reference_country", column="name_en", name="probe_names")
    long_sql = str(Country.objects.filter(index.contains(["bra", "zi"])).query)
    short_sql = str(Country.objects.filter(index.contains(["br", "zi"])).query)
    if SQLITE:
        assert long_sql.count('FROM "probe_names_fts" WHERE "probe_names_fts" MATCH "bra"') == 1
        assert "MATCH" not in short_sql
    else:  # beside a longer term, a short one is kept away from the trigram index
        assert "MATCH" not in long_sql and "_fts" not in long_sql
        assert long_sql.count("""("reference_country"."name_en" || '')::text LIKE""") == 1
        assert "||" not in short_sql
    assert long_sql.count("LIKE") == 2 and short_sql.count("LIKE") == 2


@pytest.mark.django_db
def test_in_subquery_is_an_array_on_postgresql():
    brazil, _indonesia = CountryFactory(iso2="BR"), CountryFactory(iso2="ID")
    condition = search.in_subquery("pk", Country.objects.filter(iso2="BR").values("pk"))
    queryset = Country.objects.filter(condition | search.in_subquery("pk", Country.objects.none().values("pk")))
    assert list(queryset) == [brazil]
    sql = str(Country.objects.filter(condition).query)
    assert ("= ANY(ARRAY(SELECT" in sql) if POSTGRES else ("IN (SELECT" in sql)


@pytest.mark.django_db
def test_count_capped_counts_at_most_one_row_past_the_cap(django_assert_num_queries):
    for code in CODES:
        CountryFactory(iso2=code)
    with django_assert_num_queries(1) as captured:
        assert search.count_capped(Country.objects.all(), cap=3) == (3, True)
    assert "LIMIT 4" in captured.captured_queries[0]["sql"]
    assert search.count_capped(Country.objects.all(), cap=5) == (5, False)
    assert search.count_capped(Country.objects.all(), cap=10) == (5, False)


@pytest.mark.django_db
def test_capped_paginator_pages_only_through_the_cap():
    countries = [CountryFactory(iso2=code) for code in CODES]
    paginator = search.CappedPaginator(Country.objects.order_by("pk"), 2, cap=3)
    assert (paginator.count, paginator.more, paginator.num_pages) == (3, True, 2)
    assert list(paginator.get_page(99).object_list) == [countries[2]]
    assert search.CappedPaginator(Country.objects.order_by("pk"), 2).more is False  # 1,000 by default


@pytest.mark.django_db
@pytest.mark.parametrize("orphans", [0, 1])
def test_capped_paginator_runs_the_search_once_and_pages_as_django_does(django_assert_num_queries, orphans):
    from django.core.paginator import Paginator
    from django.db.models import Q

    regions = ["150", "019", "150", "002", "019", "150", "142"]  # ties, broken by the second field
    for index, region in enumerate(regions):
        CountryFactory(iso2=f"Q{index}", iso3=f"QQ{index}", name_en=f"Land {index} a", region_m49=region)
    CountryFactory(iso2="ZZ", iso3="ZZZ", name_en="Other", region_m49="150")
    matches = Country.objects.filter(Q(name_en__contains=" a") | Q(iso2="Q0")).order_by("-region_m49", "pk")
    matches = matches.only("iso2", "region_m49")
    expected = Paginator(matches, 3, orphans=orphans)
    # Counted, not estimated: PostgreSQL's estimate for a small table depends on its statistics (the estimated path
    # has its own tests below).
    paginator = search.CappedPaginator(matches, 3, orphans=orphans, cap=10, estimate=False)
    second = [c.iso2 for c in expected.page(2).object_list]
    with django_assert_num_queries(2) as captured:  # the matches' keys, then a page's rows by key
        assert [c.iso2 for c in paginator.page(2).object_list] == second
    assert "LIKE" not in captured.captured_queries[-1]["sql"].upper()  # the search is not run again
    assert (paginator.count, paginator.more, paginator.num_pages) == (7, False, expected.num_pages)
    for number in expected.page_range:
        shown = paginator.page(number).object_list
        assert [c.iso2 for c in shown] == [c.iso2 for c in expected.page(number).object_list]
        assert all(c.get_deferred_fields() >= {"name_en"} for c in shown)  # the queryset's only() is kept
    over = search.CappedPaginator(matches, 3, orphans=orphans, cap=5, estimate=False)  # more than the cap
    first = [c.iso2 for c in expected.page(1).object_list]
    # The keys find more than the cap (no count after); then the page's keys in order (narrow rows: the related rows
    # are not joined to every match before the sort) and its rows by key.
    with django_assert_num_queries(3) as captured:
        assert (over.count, over.more) == (5, True)
        assert [c.iso2 for c in over.page(1).object_list] == first
    assert "COUNT(" not in " ".join(query["sql"].upper() for query in captured.captured_queries)
    assert '"iso2"' not in captured.captured_queries[-2]["sql"].split(" FROM ")[0]  # the ordered read: keys alone


@pytest.mark.django_db
def test_a_statement_after_the_deadline_is_not_sent():
    with pytest.raises(search.SearchTimeout), search.time_limit(0):
        Country.objects.count()
    with search.time_limit(5):
        assert Country.objects.count() == 0


# Without a test transaction: on PostgreSQL a cancelled statement aborts the transaction it runs in.
@pytest.mark.django_db(transaction=True)
def test_a_long_statement_is_cancelled_and_the_connection_stays_usable():
    slow = (
        "SELECT pg_sleep(5)"
        if POSTGRES
        else "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500000000) SELECT max(i) FROM n"
    )
    started = time.monotonic()
    with pytest.raises(search.SearchTimeout), search.time_limit(0.2), connection.cursor() as cursor:
        cursor.execute(slow)
    assert 0.2 <= time.monotonic() - started < 3
    with pytest.raises(DatabaseError) as error, search.time_limit(5), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    assert not isinstance(error.value, search.SearchTimeout)
    with search.time_limit(0.2):
        pass
    time.sleep(0.4)  # the timer of a finished block cancels nothing later
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.3), 1" if POSTGRES else "SELECT 1, 1")
        assert cursor.fetchone()[1] == 1
    assert Country.objects.count() == 0


STATISTICS = "SELECT attstattarget FROM pg_attribute WHERE attrelid = 'search_probe'::regclass AND attname = 'body'"


class _Editor:
    """The part of a schema editor that the operation uses."""

    def __init__(self):
        self.connection = connection

    def execute(self, sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _probe_table():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE search_probe (id integer PRIMARY KEY, body text NOT NULL)")
        cursor.execute("INSERT INTO search_probe VALUES (1, 'mutual legal assistance'), (2, '司法协助请求')")
    return search.TextIndex(table="search_probe", column="body", name="search_probe_text")


def _fts_ids(term: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM search_probe_text_fts WHERE search_probe_text_fts MATCH %s ORDER BY rowid", [term]
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_the_operation_builds_and_removes_the_index():
    index = _probe_table()
    operation = operations.CreateTextSearchIndex(table=index.table, column=index.column, name=index.name)
    assert operation.deconstruct() == (
        "CreateTextSearchIndex",
        [],
        {"table": "search_probe", "column": "body", "name": "search_probe_text"},
    )
    operation.database_forwards("core", _Editor(), None, None)
    with connection.cursor() as cursor:
        if SQLITE:
            assert _fts_ids('"legal"') == [1] and _fts_ids('"司法协"') == [2]  # filled from the rows there
            cursor.execute("INSERT INTO search_probe VALUES (3, 'legal aid')")
            cursor.execute("UPDATE search_probe SET body = 'extradition' WHERE id = 1")
            cursor.execute("DELETE FROM search_probe WHERE id = 2")
            assert _fts_ids('"legal"') == [3] and _fts_ids('"extradit"') == [1] and _fts_ids('"司法协"') == []
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_probe_text'")
            assert cursor.fetchone()[0].endswith("USING gin (body gin_trgm_ops)")
            cursor.execute(STATISTICS)
            assert cursor.fetchone()[0] == 1000
    operation.database_backwards("core", _Editor(), None, None)
    with connection.cursor() as cursor:
        if SQLITE:
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search_probe%' ORDER BY name")
            assert cursor.fetchall() == [("search_probe",)]
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'search_probe' ORDER BY indexname")
            assert cursor.fetchall() == [("search_probe_pkey",)]
            cursor.execute(STATISTICS)
            assert cursor.fetchone()[0] in (-1, None)  # the default (None from PostgreSQL 17)


def test_the_operation_refuses_names_that_are_not_plain_identifiers():
    with pytest.raises(ValueError, match="Not a plain lower-case SQL identifier"):
        operations.CreateTextSearchIndex(table="t; DROP TABLE x", column="c", name="n")


@pytest.mark.skipif(not SQLITE, reason="PostgreSQL keeps its indexes when a table changes")
@pytest.mark.django_db
def test_repair_restores_triggers_that_a_table_rebuild_dropped():
    index = _probe_table()
    operations.CreateTextSearchIndex(table=index.table, column=index.column, name=index.name).database_forwards(
        "core", _Editor(), None, None
    )
    assert operations.repair_sqlite_text_indexes() == []
    with connection.cursor() as cursor:  # what Django does on SQLite for most changes of a table
        cursor.execute("CREATE TABLE new__search_probe (id integer PRIMARY KEY, body text NOT NULL, extra text)")
        cursor.execute("INSERT INTO new__search_probe (id, body) SELECT id, body FROM search_probe")
        cursor.execute("DROP TABLE search_probe")
        cursor.execute("ALTER TABLE new__search_probe RENAME TO search_probe")
        cursor.execute("INSERT INTO search_probe (id, body) VALUES (3, 'legal aid')")
    assert _fts_ids('"legal"') == [1]  # stale: no trigger saw row 3
    assert operations.repair_sqlite_text_indexes() == ["search_probe_text"]
    assert _fts_ids('"legal"') == [1, 3]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_probe WHERE id = 1")
    assert _fts_ids('"legal"') == [3]


@pytest.mark.skipif(not SQLITE, reason="SQLite only: FTS5 tables and their triggers")
@pytest.mark.django_db
def test_every_search_index_has_its_triggers_after_migrate():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%search%' ORDER BY name")
        triggers = [row[0] for row in cursor.fetchall()]
    assert triggers == [
        f"{name}_{kind}"
        for name in (
            "directory_authority_search",
            "forum_post_search",
            "forum_thread_title_search",
            "legalprofiles_fiche_search",
            "legalprofiles_profile_search",
            "library_document_search",
            "library_glossary_search",
            "treaties_instrument_search",
        )
        for kind in ("ad", "ai", "au")
    ]


@pytest.mark.django_db
def test_a_large_estimate_says_more_than_the_cap_without_counting(django_assert_num_queries, monkeypatch):
    from comity.core.search import limits

    for index in range(7):
        CountryFactory(iso2=f"Q{index}", iso3=f"QQ{index}", name_en=f"Land {index} a")
    matches = Country.objects.filter(name_en__contains=" a").order_by("-name_en", "pk")
    monkeypatch.setattr(limits, "estimated_rows", lambda queryset: 10 * 5)
    paginator = search.CappedPaginator(matches, 3, cap=5)
    with django_assert_num_queries(2) as captured:  # the page's keys in order, then its rows: no count, no keys
        assert [c.iso2 for c in paginator.page(1).object_list] == ["Q6", "Q5", "Q4"]
    assert (paginator.count, paginator.more, paginator.estimated) == (5, True, True)
    assert "LIMIT 6" not in " ".join(query["sql"] for query in captured.captured_queries)
    # Just under the trusted factor: counted as before (the keys, then the page by key).
    monkeypatch.setattr(limits, "estimated_rows", lambda queryset: 10 * 5 - 1)
    counted = search.CappedPaginator(matches, 3, cap=5)
    assert (counted.count, counted.more, counted.estimated) == (5, True, False)


@pytest.mark.django_db
def test_a_wrong_estimate_is_found_out_by_a_short_page_and_the_matches_are_counted(monkeypatch):
    from comity.core.search import limits

    for index in range(4):
        CountryFactory(iso2=f"Q{index}", iso3=f"QQ{index}", name_en=f"Land {index} a")
    matches = Country.objects.filter(name_en__contains=" a").order_by("pk")
    monkeypatch.setattr(limits, "estimated_rows", lambda queryset: 1_000_000)
    paginator = search.CappedPaginator(matches, 3, cap=5)
    second = paginator.page(2)  # the estimate claims 5 (more than the cap): page 2 should hold 2, it holds 1
    assert [c.iso2 for c in second.object_list] == ["Q3"]
    assert (paginator.count, paginator.more, paginator.estimated, paginator.num_pages) == (4, False, False, 2)
    paginator = search.CappedPaginator(matches, 3, cap=5)
    assert paginator.get_page(3).number == 2  # beyond the end once counted: the last page, as Django's get_page


@pytest.mark.django_db
def test_the_estimate_is_postgresqls_planner_and_nothing_elsewhere():
    from django.db import connection

    from comity.core.search.limits import estimated_rows

    for index in range(3):
        CountryFactory(iso2=f"Q{index}", iso3=f"QQ{index}")
    estimate = estimated_rows(Country.objects.filter(iso2__startswith="Q"))
    if connection.vendor == "postgresql":
        assert isinstance(estimate, int) and estimate >= 1
    else:
        assert estimate is None
