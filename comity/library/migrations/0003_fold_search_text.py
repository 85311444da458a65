"""Fold the stored search texts again: search now ignores accents and Arabic letter variants as well as case."""

from django.db import migrations

from comity.core.search.operations import refold_search_text


class Migration(migrations.Migration):
    dependencies = [("library", "0002_search_indexes")]

    operations = [
        refold_search_text(table="library_document", column="search_text"),
        refold_search_text(table="library_glossaryterm", column="search_text"),
    ]
