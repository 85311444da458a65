"""Substring search indexes on the stored, case-folded search text of documents and glossary terms (ADR 0011).

PostgreSQL: pg_trgm GIN indexes. SQLite: FTS5 trigram tables kept in step by triggers.
"""

from django.db import migrations

from comity.core.search.operations import CreateTextSearchIndex


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0001_initial"),
    ]

    operations = [
        CreateTextSearchIndex(table="library_document", column="search_text", name="library_document_search"),
        CreateTextSearchIndex(table="library_glossaryterm", column="search_text", name="library_glossary_search"),
    ]
