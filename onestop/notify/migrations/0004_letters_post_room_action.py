"""The post room (``/letters/``) needs ``letter.post-room``: the back-office officers, team
leaders and managers of every organisation get it, as a new organisation's roles do."""

from __future__ import annotations

from typing import Any

from django.db import migrations

ACTION = "letter.post-room"
ROLES = ("back-office-officer", "team-leader", "manager")


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
    dependencies = [("notify", "0001_initial")]

    operations = [migrations.RunPython(grant, revoke)]
