# The outbox model now belongs to the mail app (mail.0001 took it over with the same table): drop it from
# this app's state only, keeping the table and its rows.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0001_initial"),
        ("mail", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OutboxEmail")],
            database_operations=[],
        ),
    ]
