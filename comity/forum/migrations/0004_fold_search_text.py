"""Fold the stored search texts again: search now ignores accents and Arabic letter variants as well as case."""

from django.db import migrations

from comity.core.search.operations import refold_search_text


class Migration(migrations.Migration):
    dependencies = [("forum", "0003_merge_numbers_and_search")]

    operations = [
        refold_search_text(table="forum_post", column="search_text"),
    ]
