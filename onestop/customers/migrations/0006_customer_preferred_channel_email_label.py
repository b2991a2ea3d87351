"""The preferred channel's label says "Email", as GOV.UK writes it (only the words on screens
change; the stored value stays ``email``)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0005_role_equality_edit_action"),
    ]

    operations = [
        migrations.AlterField(
            model_name="customer",
            name="preferred_channel",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "No preference"),
                    ("telephone", "Telephone"),
                    ("email", "Email"),
                    ("sms", "Text message"),
                    ("letter", "Letter"),
                    ("face-to-face", "Face to face"),
                ],
                default="",
                max_length=20,
            ),
        ),
    ]
