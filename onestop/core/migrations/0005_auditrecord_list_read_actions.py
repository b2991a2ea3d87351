"""Two audit actions for reads of many rows at once: ``listed`` (a list, queue or export page)
and ``searched`` (a search box or search endpoint).  Choices only: no change to the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_user_must_change_password"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditrecord",
            name="action",
            field=models.CharField(
                choices=[
                    ("created", "Created"),
                    ("changed", "Changed"),
                    ("viewed", "Viewed"),
                    ("listed", "Listed"),
                    ("searched", "Searched"),
                    ("exported", "Exported"),
                    ("deleted", "Deleted"),
                    ("signed-in", "Signed in"),
                    ("signed-out", "Signed out"),
                    ("sign-in-failed", "Sign-in failed"),
                ],
                max_length=20,
            ),
        ),
    ]
