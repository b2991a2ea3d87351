"""Existing organisations' roles get the documents actions their default mappings now hold:
``document.view`` for every role that sees cases or customers (the read-only auditor too),
``document.attach`` for the same roles but the auditor.  Councillors and administrators get
neither (as for a new organisation)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

VIEW = "document.view"
ATTACH = "document.attach"
# Copied from core.permissions.DEFAULT_ROLES as it stands with this migration.
GRANTS = {
    "advisor": {VIEW, ATTACH},
    "partner-advisor": {VIEW, ATTACH},
    "back-office-officer": {VIEW, ATTACH},
    "team-leader": {VIEW, ATTACH},
    "complaints-officer": {VIEW, ATTACH},
    "manager": {VIEW, ATTACH},
    "auditor": {VIEW},
}


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for role in Role.objects.filter(code__in=list(GRANTS)):
        actions = set(role.actions or [])
        if not GRANTS[role.code] <= actions:
            role.actions = sorted(actions | GRANTS[role.code])
            role.save(update_fields=["actions"])


def revoke(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for role in Role.objects.all():
        actions = set(role.actions or [])
        if actions & {VIEW, ATTACH}:
            role.actions = sorted(actions - {VIEW, ATTACH})
            role.save(update_fields=["actions"])


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(grant, revoke)]
