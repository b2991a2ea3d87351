"""The quarterly return (issue 17), and its two actions for the managers of every organisation,
as a new organisation's roles have them."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ACTIONS = ("quarterly-return.complete", "quarterly-return.collate")
ROLES = ("manager",)


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for role in Role.objects.filter(code__in=ROLES):
        actions = set(role.actions or [])
        if not actions.issuperset(ACTIONS):
            role.actions = sorted(actions | set(ACTIONS))
            role.save(update_fields=["actions"])


def revoke(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for role in Role.objects.all():
        if set(ACTIONS) & set(role.actions or []):
            role.actions = sorted(set(role.actions) - set(ACTIONS))
            role.save(update_fields=["actions"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_audit_append_function"),
        ("directory", "0002_mail_domains"),
        ("performance", "0002_standards_comparators"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="QuarterlyReturn",
            fields=[
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("first", models.DateField(help_text="The quarter's first day.")),
                ("last", models.DateField(help_text="The quarter's last day.")),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("submitted", "Submitted")],
                        default="draft",
                        max_length=20,
                    ),
                ),
                ("figures", models.JSONField(blank=True, default=list)),
                ("figures_at", models.DateTimeField(blank=True, null=True)),
                ("commentary", models.TextField(blank=True)),
                ("actions", models.TextField(blank=True)),
                ("submitted_at", models.DateTimeField(blank=True, null=True)),
                ("reopened_reason", models.CharField(blank=True, max_length=1000)),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="directory.service",
                    ),
                ),
                (
                    "started_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "submitted_by",
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
                "ordering": ["organisation", "-first", "service"],
                "indexes": [
                    models.Index(fields=["organisation", "first"], name="quarterlyreturn_org_first")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organisation", "service", "first"), name="quarterlyreturn_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
