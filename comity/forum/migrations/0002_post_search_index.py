"""Substring search indexes on posts' search text and threads' titles (see comity.forum.search and ADR 0011).

PostgreSQL: pg_trgm GIN indexes on forum_post.search_text and on LOWER(forum_thread.title). SQLite: FTS5 trigram
tables kept in step by triggers, filled here from the existing rows.
"""

from django.db import migrations

from comity.core.search.operations import CreateTextSearchIndex


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0001_initial"),
    ]

    operations = [
        CreateTextSearchIndex(table="forum_post", column="search_text", name="forum_post_search"),
        CreateTextSearchIndex(table="forum_thread", column="title", name="forum_thread_title_search", lowercase=True),
    ]
