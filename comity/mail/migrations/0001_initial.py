# The outbox table was created by notifications.0001 and moves to this app as it is (no rows copied):
# this migration only takes the model into the mail app's state; notifications.0002 drops it from there.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("notifications", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutboxEmail",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("to", models.EmailField(max_length=254, verbose_name="to")),
                        ("subject", models.CharField(max_length=300, verbose_name="subject")),
                        ("body_text", models.TextField(verbose_name="text")),
                        ("body_html", models.TextField(blank=True, verbose_name="HTML")),
                        ("headers", models.JSONField(blank=True, default=dict)),
                        ("category", models.CharField(blank=True, max_length=20)),
                        ("status", models.CharField(choices=[("queued", "Queued"), ("sent", "Sent"),
                                                             ("failed", "Failed")],
                                                    default="queued", max_length=10, verbose_name="status")),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("last_error", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("user", models.ForeignKey(blank=True, null=True,
                                                   on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                                                   to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "outgoing e-mail",
                        "verbose_name_plural": "outgoing e-mail",
                        "ordering": ["created_at", "pk"],
                        "db_table": "notifications_outboxemail",
                        "indexes": [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
