"""Mailbox addresses: unique across organisations through a shared claim table, and within the
organisation on the mailbox itself (tenant uniqueness rules include the organisation)."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def claim_existing(apps: Any, schema_editor: Any) -> None:
    Mailbox = apps.get_model("channels", "Mailbox")
    MailAddress = apps.get_model("channels", "MailAddress")
    for mailbox in Mailbox.objects.all():
        claim = MailAddress.objects.create(address=mailbox.address)
        Mailbox.objects.filter(pk=mailbox.pk).update(claim=claim)


class Migration(migrations.Migration):
    dependencies = [("channels", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="MailAddress",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("address", models.CharField(max_length=254)),
            ],
            options={
                "ordering": ["address"],
                "constraints": [
                    models.UniqueConstraint(fields=("address",), name="mailaddress_unique_address")
                ],
            },
        ),
        migrations.RemoveConstraint(model_name="mailbox", name="mailbox_unique_address"),
        migrations.AddField(
            model_name="mailbox",
            name="claim",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="channels.mailaddress",
            ),
        ),
        migrations.RunPython(claim_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="mailbox",
            name="claim",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="channels.mailaddress",
            ),
        ),
        migrations.AddConstraint(
            model_name="mailbox",
            constraint=models.UniqueConstraint(
                fields=("organisation", "address"), name="mailbox_unique_address"
            ),
        ),
    ]
