"""perf-standards: comparator authorities' figures as data, and the new actions for the roles
organisations already have (``performance.own`` for every staff role, ``performance.team`` for
team leaders, ``comparator.manage`` for administrators), as a new organisation's roles get them."""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

GRANTS = {
    "performance.own": (
        "advisor",
        "partner-advisor",
        "back-office-officer",
        "team-leader",
        "complaints-officer",
        "manager",
        "administrator",
        "auditor",
    ),
    "performance.team": ("team-leader",),
    "comparator.manage": ("administrator",),
}


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for action, codes in GRANTS.items():
        for role in Role.objects.filter(code__in=codes):
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
    dependencies = [("core", "0006_audit_append_function"), ("performance", "0001_volumes")]

    operations = [
        migrations.CreateModel(
            name="Comparator",
            fields=[
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("comparator", models.CharField(max_length=120)),
                ("measure", models.SlugField(max_length=60)),
                ("period_first", models.DateField()),
                ("period_last", models.DateField()),
                ("value", models.DecimalField(decimal_places=2, max_digits=14)),
                (
                    "unit",
                    models.CharField(
                        choices=[("percent", "Per cent"), ("count", "Count")],
                        default="percent",
                        max_length=10,
                    ),
                ),
                ("source", models.CharField(max_length=300)),
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
                "ordering": ["organisation", "measure", "-value", "comparator"],
                "indexes": [
                    models.Index(
                        fields=["organisation", "measure", "period_first"], name="comparator_org"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("period_last__gte", models.F("period_first"))),
                        name="comparator_period_order",
                    )
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
