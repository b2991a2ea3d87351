"""Drop ``cases_case`` indexes that cost every write and serve no read.

* ``organisation_id``: every composite index of the table leads with it.
* ``standard_code`` (a btree and a ``LIKE`` index): the case only shows it; nothing looks a case
  up by its standard (the clocks carry it).

Each of these was one more index entry for every row the escalation sweep rewrites.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_case_add_team_open_index"),
        ("core", "0002_auditrecord_append_only"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="organisation",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="standard_code",
            field=models.SlugField(blank=True, db_index=False, max_length=60),
        ),
    ]
