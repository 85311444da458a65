"""Fold the stored search texts again: search now ignores accents and Arabic letter variants as well as case."""

from django.db import migrations

from comity.core.search.operations import refold_search_text


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_import_job")]

    operations = [
        refold_search_text(table="directory_authority", column="search_text"),
    ]
