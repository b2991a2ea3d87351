"""Messages to many customers (``BulkMessage``, and each message's link to it, one per customer),
and the action ``message.bulk`` for the team leaders and managers of every organisation, as a new
organisation's roles have it."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ACTION = "message.bulk"
ROLES = ("team-leader", "manager")


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for role in Role.objects.filter(code__in=ROLES):
        actions = set(role.actions or [])
        if ACTION not in actions:
            role.actions = sorted(actions | {ACTION})
            role.save(update_fields=["actions"])


def revoke(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for role in Role.objects.all():
        if ACTION in (role.actions or []):
            role.actions = sorted(set(role.actions) - {ACTION})
            role.save(update_fields=["actions"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_delete_outboxmessage"),
        ("core", "0005_auditrecord_list_read_actions"),
        ("customers", "0005_role_equality_edit_action"),
        ("notify", "0002_stafftask"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BulkMessage",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("title", models.CharField(max_length=100)),
                ("group", models.JSONField()),
                ("group_label", models.CharField(max_length=300)),
                ("use_template", models.BooleanField(default=True)),
                ("subject", models.CharField(blank=True, max_length=200)),
                ("text", models.TextField()),
                ("channels", models.JSONField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft: not sent"),
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="draft",
                        max_length=20,
                    ),
                ),
                ("cursor", models.BigIntegerField(default=0)),
                ("recipients", models.PositiveIntegerField(default=0)),
                ("messages_created", models.PositiveIntegerField(default=0)),
                ("skipped_no_consent", models.PositiveIntegerField(default=0)),
                ("skipped_no_address", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField()),
                ("send_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                ("updated_at", models.DateTimeField()),
                (
                    "cancelled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
                (
                    "sent_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["organisation", "-created_at", "-id"],
            },
        ),
        migrations.AddField(
            model_name="message",
            name="bulk_message",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="messages",
                to="notify.bulkmessage",
            ),
        ),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.UniqueConstraint(
                condition=models.Q(("bulk_message__isnull", False)),
                fields=("organisation", "bulk_message", "customer"),
                name="message_one_per_bulk_customer",
            ),
        ),
        migrations.AddIndex(
            model_name="bulkmessage",
            index=models.Index(
                fields=["organisation", "created_at"], name="bulkmessage_org_created"
            ),
        ),
        migrations.RunPython(grant, revoke),
    ]
