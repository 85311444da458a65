"""Fold the stored search texts again: search now ignores accents and Arabic letter variants as well as case."""

from django.db import migrations

from comity.core.search.operations import refold_search_text


class Migration(migrations.Migration):
    dependencies = [("treaties", "0002_instrument_search_index")]

    operations = [
        refold_search_text(table="treaties_instrument", column="search_text"),
    ]
