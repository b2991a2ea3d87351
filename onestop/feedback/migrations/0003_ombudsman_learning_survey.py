"""The ombudsman's cases, learning actions and the satisfaction survey (issue 15), and their
actions for the roles every organisation already has, as a new organisation's roles get them
(``core.permissions.DEFAULT_ROLES``): recording the ombudsman's involvement and setting learning
actions, for complaints officers and managers."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

GRANTS = {
    "complaint.ombudsman": ("complaints-officer", "manager"),
    "complaint.learning": ("complaints-officer", "manager"),
}


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for action, roles in GRANTS.items():
        for role in Role.objects.filter(code__in=roles):
            actions = set(role.actions or [])
            if action not in actions:
                role.actions = sorted(actions | {action})
                role.save(update_fields=["actions"])


def revoke(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for role in Role.objects.all():
        kept = set(role.actions or []) - set(GRANTS)
        if kept != set(role.actions or []):
            role.actions = sorted(kept)
            role.save(update_fields=["actions"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_auditrecord_list_read_actions"),
        ("directory", "0002_mail_domains"),
        ("feedback", "0002_role_feedback_actions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LearningAction",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("action", models.TextField()),
                ("due_on", models.DateField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("in-progress", "In progress"),
                            ("done", "Done"),
                        ],
                        default="planned",
                        max_length=20,
                    ),
                ),
                ("evidence", models.TextField(blank=True)),
                ("what_changed", models.TextField(blank=True)),
                ("completed_on", models.DateField(blank=True, null=True)),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
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
                    "feedback",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="learning",
                        to="feedback.feedback",
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
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="directory.service",
                    ),
                ),
            ],
            options={
                "ordering": ["organisation", "due_on", "id"],
                "indexes": [
                    models.Index(fields=["organisation", "feedback"], name="learningaction_org_fb"),
                    models.Index(
                        fields=["organisation", "service"], name="learningaction_org_service"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="OmbudsmanCase",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                (
                    "ombudsman",
                    models.CharField(
                        choices=[
                            ("lgsco", "Local Government and Social Care Ombudsman"),
                            ("housing", "Housing Ombudsman"),
                            ("psow", "Public Services Ombudsman for Wales"),
                            ("spso", "Scottish Public Services Ombudsman"),
                            ("nipso", "Northern Ireland Public Services Ombudsman"),
                        ],
                        max_length=20,
                    ),
                ),
                ("their_reference", models.CharField(blank=True, max_length=50)),
                ("enquiry_on", models.DateField()),
                ("decision_on", models.DateField(blank=True, null=True)),
                (
                    "finding",
                    models.CharField(
                        blank=True,
                        choices=[
                            (
                                "not-investigated",
                                "Not investigated (closed after initial enquiries)",
                            ),
                            ("premature", "Premature: referred back to the council"),
                            ("no-fault", "No fault"),
                            ("fault-no-injustice", "Fault, no injustice"),
                            ("fault-injustice", "Fault causing injustice"),
                            ("outside-jurisdiction", "Outside jurisdiction"),
                            ("no-maladministration", "No maladministration"),
                            ("reasonable-redress", "Reasonable redress offered"),
                            ("service-failure", "Service failure"),
                            ("maladministration", "Maladministration"),
                            ("severe-maladministration", "Severe maladministration"),
                            ("early-resolution", "Settled by early resolution"),
                            ("upheld", "Upheld"),
                            ("partly-upheld", "Partly upheld"),
                            ("not-upheld", "Not upheld"),
                        ],
                        max_length=30,
                    ),
                ),
                ("remedy", models.TextField(blank=True)),
                (
                    "remedy_amount",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True),
                ),
                ("comply_by", models.DateField(blank=True, null=True)),
                ("complied_on", models.DateField(blank=True, null=True)),
                ("reminded_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "feedback",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ombudsman",
                        to="feedback.feedback",
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
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["organisation", "feedback", "enquiry_on", "id"],
                "indexes": [
                    models.Index(fields=["organisation", "feedback"], name="ombudsmancase_org_fb"),
                    models.Index(
                        fields=["organisation", "complied_on", "comply_by"],
                        name="ombudsmancase_org_due",
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("remedy_amount__isnull", True),
                            ("remedy_amount__gte", 0),
                            _connector="OR",
                        ),
                        name="ombudsmancase_amount_not_negative",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SatisfactionSurvey",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("nonce", models.CharField(max_length=64)),
                ("sent_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField()),
                ("message_id", models.BigIntegerField(blank=True, null=True)),
                ("answered_at", models.DateTimeField(blank=True, null=True)),
                (
                    "overall",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("very-satisfied", "Very satisfied"),
                            ("satisfied", "Satisfied"),
                            ("neither", "Neither satisfied nor dissatisfied"),
                            ("dissatisfied", "Dissatisfied"),
                            ("very-dissatisfied", "Very dissatisfied"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "fairly",
                    models.CharField(
                        blank=True,
                        choices=[("yes", "Yes"), ("partly", "Partly"), ("no", "No")],
                        max_length=10,
                    ),
                ),
                (
                    "informed",
                    models.CharField(
                        blank=True,
                        choices=[("yes", "Yes"), ("partly", "Partly"), ("no", "No")],
                        max_length=10,
                    ),
                ),
                ("comments", models.TextField(blank=True)),
                (
                    "feedback",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="surveys",
                        to="feedback.feedback",
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
                "ordering": ["organisation", "sent_at", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organisation", "feedback"), name="satisfactionsurvey_one"
                    )
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
