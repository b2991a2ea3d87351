"""notifyops: each message's history of status changes (MessageChange) and the organisation's own
GOV.UK Notify template id with its named placeholders' values on each message."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_auditrecord_list_read_actions"),
        ("notify", "0005_bulkmessage"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="notify_template_id",
            field=models.CharField(blank=True, max_length=36),
        ),
        migrations.AddField(
            model_name="message",
            name="personalisation",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.CreateModel(
            name="MessageChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("at", models.DateTimeField()),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("worker", "The worker"),
                            ("receipt", "Delivery receipt from GOV.UK Notify"),
                            ("look-up", "Status look-up at GOV.UK Notify"),
                            ("bounce", "Bounced e-mail"),
                            ("staff", "Member of staff"),
                            ("send-test", "Test message command"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "from_status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting to be sent"),
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("delivered", "Delivered"),
                            ("temporary-failure", "Not delivered yet (temporary failure)"),
                            ("permanent-failure", "Not delivered (permanent failure)"),
                            ("technical-failure", "Not sent (technical failure)"),
                            ("cancelled", "Cancelled"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "to_status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting to be sent"),
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("delivered", "Delivered"),
                            ("temporary-failure", "Not delivered yet (temporary failure)"),
                            ("permanent-failure", "Not delivered (permanent failure)"),
                            ("technical-failure", "Not sent (technical failure)"),
                            ("cancelled", "Cancelled"),
                        ],
                        max_length=20,
                    ),
                ),
                ("attempt", models.PositiveIntegerField(default=0)),
                ("detail", models.CharField(blank=True, max_length=300)),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "message",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="changes",
                        to="notify.message",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["organisation", "message", "at", "id"],
                "indexes": [models.Index(fields=["message"], name="messagechange_message")],
            },
        ),
    ]
