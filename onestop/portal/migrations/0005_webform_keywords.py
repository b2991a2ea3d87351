"""A web form's search keywords, in English and Welsh: other words residents use for it
(empty for every existing form)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_webform_name_cy_to_case_type"),
    ]

    operations = [
        migrations.AddField(
            model_name="webform",
            name="keywords",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="webform",
            name="keywords_cy",
            field=models.CharField(blank=True, max_length=500),
        ),
    ]
