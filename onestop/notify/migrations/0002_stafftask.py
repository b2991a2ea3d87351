"""Tasks for staff (``StaffTask``), and the messages cases recorded before notify existed
(``cases.OutboxMessage``) moved into ``notify.Message``; cases' next migration drops that table.

The moved messages were only ever recorded, never sent, and had no channel or address: each
keeps its case, recipient, words and time.  Those still waiting are recorded as cancelled,
saying why, rather than pending, so the worker does not send an acknowledgement weeks late (and
no case shows a failure for what was never meant to leave); those marked sent stay sent.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

EVENTS = {
    "case-acknowledgement": "acknowledgement",
    "councillor-acknowledgement": "acknowledgement",
    "case-update": "update",
    "case-deadline-moved": "deadline-moved",
    "case-escalation": "escalation",
}
NOT_SENT = (
    "Not sent: recorded before OneStop sent messages, with no channel or address; "
    "send it again from the case if it is still needed"
)


def move_outbox(apps: Any, schema_editor: Any) -> None:
    outbox = apps.get_model("cases", "OutboxMessage")
    message = apps.get_model("notify", "Message")
    batch = []
    rows = outbox.objects.select_related("case")  # historical models: a plain manager
    for old in rows.order_by("pk").iterator(chunk_size=2000):
        kind = old.recipient_kind if old.recipient_kind in {"customer", "councillor"} else "staff"
        sent = old.status == "sent"
        batch.append(
            message(
                organisation_id=old.organisation_id,
                case_id=old.case_id,
                customer_id=old.case.customer_id if kind == "customer" else None,
                recipient_kind=kind,
                recipient_user_id=old.recipient_user_id,
                recipient_label=old.recipient_label[:200],
                event=EVENTS.get(old.template, "update"),
                body=old.body,
                created_at=old.created_at,
                updated_at=old.created_at,
                status="sent" if sent else "cancelled",
                last_error="" if sent else NOT_SENT,
            )
        )
        if len(batch) >= 2000:
            message.objects.bulk_create(batch)
            batch = []
    message.objects.bulk_create(batch)


# The outbox page and the template editor (core.permissions): the roles that have them by default.
GRANTS = {
    "message.manage": ("team-leader", "manager", "administrator"),
    "message-template.manage": ("administrator",),
}


def grant(apps: Any, schema_editor: Any) -> None:
    role_model = apps.get_model("core", "Role")
    for action, codes in GRANTS.items():
        for role in role_model.objects.filter(code__in=codes):
            if action not in (role.actions or []):
                role.actions = sorted({*role.actions, action})
                role.save(update_fields=["actions"])


def revoke(apps: Any, schema_editor: Any) -> None:
    role_model = apps.get_model("core", "Role")
    for role in role_model.objects.all():
        kept = [action for action in role.actions or [] if action not in GRANTS]
        if kept != list(role.actions or []):
            role.actions = kept
            role.save(update_fields=["actions"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_drop_redundant_organisation_indexes"),
        ("core", "0005_auditrecord_list_read_actions"),
        ("customers", "0005_role_equality_edit_action"),
        ("notify", "0001_initial"),
        ("notify", "0004_letters_post_room_action"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StaffTask",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("no-way-to-reach", "No way to reach the customer"),
                            ("braille", "Braille copy needed"),
                            ("audio", "Audio copy needed"),
                            ("interpreter", "Interpreter needed"),
                            ("easy-read", "Easy read copy needed"),
                        ],
                        max_length=30,
                    ),
                ),
                ("description", models.TextField()),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "To do"), ("done", "Done")], default="open", max_length=10
                    ),
                ),
                ("created_at", models.DateTimeField()),
                ("done_at", models.DateTimeField(blank=True, null=True)),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="staff_tasks",
                        to="cases.case",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="customers.customer",
                    ),
                ),
                (
                    "done_by",
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
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tasks",
                        to="notify.message",
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
            ],
            options={
                "ordering": ["organisation", "created_at", "id"],
                "indexes": [
                    models.Index(fields=["organisation", "case"], name="stafftask_org_case"),
                    models.Index(
                        fields=["organisation", "customer"], name="stafftask_org_customer"
                    ),
                ],
            },
        ),
        migrations.RunPython(move_outbox, migrations.RunPython.noop),
        migrations.RunPython(grant, revoke),
    ]
