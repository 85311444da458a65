# Post numbers and the search index were written side by side; this joins the two branches.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0002_post_numbers"),
        ("forum", "0002_post_search_index"),
    ]

    operations = []
