"""A substring search index on authorities' stored search text (see comity.directory.selectors and ADR 0011).

PostgreSQL: a pg_trgm GIN index on directory_authority.search_text. SQLite: an FTS5 trigram table kept in step by
triggers, filled here from the existing rows.
"""

from django.db import migrations

from comity.core.search.operations import CreateTextSearchIndex


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
    ]

    operations = [
        CreateTextSearchIndex(table="directory_authority", column="search_text", name="directory_authority_search"),
    ]
