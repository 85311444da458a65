"""A substring search index on instruments' stored search text (see comity.treaties.selectors and ADR 0011).

PostgreSQL: a pg_trgm GIN index on treaties_instrument.search_text. SQLite: an FTS5 trigram table kept in step by
triggers.
"""

from django.db import migrations

from comity.core.search.operations import CreateTextSearchIndex


class Migration(migrations.Migration):
    dependencies = [
        ("treaties", "0001_initial"),
    ]

    operations = [
        CreateTextSearchIndex(table="treaties_instrument", column="search_text", name="treaties_instrument_search"),
    ]
