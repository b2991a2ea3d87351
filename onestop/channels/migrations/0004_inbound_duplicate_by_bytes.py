"""A redelivery is the same bytes: one message per (organisation, mailbox, SHA-256).

The Message-ID and From are the sender's to choose (and a Message-ID longer than the column is
cut), so they no longer take part in recognising a redelivery.  The unique rule's index also
serves the lookup, so the separate index on the same columns goes.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0003_inbound_duplicate_by_sha_or_sender"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="inboundmessage",
            name="inbound_unique_message_id_sha",
        ),
        migrations.RemoveIndex(
            model_name="inboundmessage",
            name="inbound_org_mailbox_sha",
        ),
        migrations.AddConstraint(
            model_name="inboundmessage",
            constraint=models.UniqueConstraint(
                fields=("organisation", "mailbox", "sha256"), name="inbound_unique_sha"
            ),
        ),
    ]
