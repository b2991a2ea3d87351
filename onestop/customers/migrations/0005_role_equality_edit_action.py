"""Recording equality answers needs ``customer.equality.edit`` from now on (seeing them stays
``customer.equality.view``).  Every role that could see them, and so save them, keeps saving
them, except the read-only auditor's, which never should have."""

from __future__ import annotations

from typing import Any

from django.db import migrations

VIEW = "customer.equality.view"
EDIT = "customer.equality.edit"
READ_ONLY_ROLE = "auditor"


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for role in Role.objects.exclude(code=READ_ONLY_ROLE):
        actions = set(role.actions or [])
        if VIEW in actions and EDIT not in actions:
            role.actions = sorted(actions | {EDIT})
            role.save(update_fields=["actions"])


def revoke(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for role in Role.objects.all():
        if EDIT in (role.actions or []):
            role.actions = sorted(set(role.actions) - {EDIT})
            role.save(update_fields=["actions"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_auditrecord_append_only"),
        ("customers", "0004_customer_live_soundex_covering_indexes"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
