"""Messages about a confidential record (a complaint about a named member of staff): read only
with the permission ``visible_with`` names, and never by ``hidden_from`` (issue 15)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0007_feedback_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="hidden_from",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="visible_with",
            field=models.CharField(blank=True, db_default="", default="", max_length=60),
        ),
    ]
