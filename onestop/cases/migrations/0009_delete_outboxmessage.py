"""``cases.OutboxMessage`` goes: its rows moved to ``notify.Message`` (notify 0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_drop_redundant_organisation_indexes"),
        ("notify", "0002_stafftask"),
    ]

    operations = [
        migrations.DeleteModel(
            name="OutboxMessage",
        ),
    ]
