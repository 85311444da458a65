"""Thread titles searched folded, like post texts: case, accents and Arabic letter variants ignored (ADR 0011).

`Thread.title_search` holds `fold(title)`, filled here in batches from the existing titles. The title index moves
from LOWER(title) to it: on PostgreSQL a pg_trgm GIN index on `title_search`, on SQLite the FTS5 trigram table
(same name) over `title_search` with its triggers.
"""

from django.db import migrations, models

from comity.core.search.operations import CreateTextSearchIndex, RemoveTextSearchIndex, refold_search_text


class Migration(migrations.Migration):
    dependencies = [("forum", "0005_merge_0004_daily_use_0004_fold_search_text")]

    operations = [
        RemoveTextSearchIndex(table="forum_thread", column="title", name="forum_thread_title_search", lowercase=True),
        migrations.AddField(
            model_name="thread",
            name="title_search",
            field=models.TextField(default="", editable=False),
        ),
        refold_search_text(table="forum_thread", column="title_search", source="title"),
        CreateTextSearchIndex(table="forum_thread", column="title_search", name="forum_thread_title_search"),
    ]
