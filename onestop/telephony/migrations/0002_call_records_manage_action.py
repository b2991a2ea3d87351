"""The call record pages (``/calls/``) need ``call-records.manage``: the administrators of every
organisation get it, as a new organisation's roles do."""

from __future__ import annotations

from typing import Any

from django.db import migrations

ACTION = "call-records.manage"
ROLES = ("administrator",)


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
    dependencies = [("telephony", "0001_initial")]

    operations = [migrations.RunPython(grant, revoke)]
