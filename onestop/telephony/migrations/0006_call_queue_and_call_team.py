import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The team that answers a queue, and on each call the team its queue had when the call was
    imported (issue 17: per-team figures from calls).  No queue had a team before, so calls
    imported before this have none ("no team"); mapping a queue to a team later leaves them so,
    as it leaves every call imported before the mapping."""

    dependencies = [
        ("directory", "0004_welsh_words_for_residents"),
        ("telephony", "0005_callrecord_one_per_contact_with_organisation"),
    ]

    operations = [
        migrations.AddField(
            model_name="callqueue",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.team",
            ),
        ),
        migrations.AddField(
            model_name="callrecord",
            name="team",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.team",
            ),
        ),
    ]
