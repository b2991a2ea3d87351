"""Feedback's actions for the roles every organisation already has, as a new organisation's
roles get them (``core.permissions.DEFAULT_ROLES``): taking feedback at the desk, reading it, and
(complaints officers) seeing complaints about a named member of staff."""

from __future__ import annotations

from typing import Any

from django.db import migrations

GRANTS = {
    "feedback.record": (
        "advisor",
        "partner-advisor",
        "team-leader",
        "complaints-officer",
        "manager",
    ),
    "feedback.view": ("team-leader", "complaints-officer", "manager", "auditor"),
    "complaint.staff-view": ("complaints-officer",),
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
    dependencies = [("feedback", "0001_initial"), ("core", "0005_auditrecord_list_read_actions")]

    operations = [migrations.RunPython(grant, revoke)]
