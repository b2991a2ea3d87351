"""Drop the single ``organisation_id`` indexes of ``cases_caseescalation``, ``cases_caseevent``
and ``cases_outboxmessage``: each table has a composite index led by the organisation
(``caseescalation_once``, ``caseevent_org_case``, ``outbox_org_case``), so these served no read
and cost one more index entry for every row written (the escalation sweep writes tens of
thousands at once).

Only the index goes: Django's own ``AlterField`` would also drop and re-add the foreign key,
which checks every row of these large tables again under lock.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

MODELS = ("caseescalation", "caseevent", "outboxmessage")


def _index_name(schema_editor: Any, table: str) -> str:
    # The name Django gave the foreign key's index when it created the column.
    return str(schema_editor._create_index_name(table, ["organisation_id"], suffix=""))


def drop_indexes(apps: Any, schema_editor: Any) -> None:
    for name in MODELS:
        table = apps.get_model("cases", name)._meta.db_table
        index = schema_editor.quote_name(_index_name(schema_editor, table))
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


def create_indexes(apps: Any, schema_editor: Any) -> None:
    for name in MODELS:
        table = apps.get_model("cases", name)._meta.db_table
        schema_editor.execute(
            f"CREATE INDEX {schema_editor.quote_name(_index_name(schema_editor, table))} "
            f"ON {schema_editor.quote_name(table)} ({schema_editor.quote_name('organisation_id')})"
        )


def _organisation() -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(
        db_index=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="core.organisation",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_casenote_from_customer"),
        ("core", "0002_auditrecord_append_only"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name=name, name="organisation", field=_organisation())
                for name in MODELS
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
