"""The compliance reports' index: an organisation's clocks by when their result was decided (the
moment a clock stopped in time, else its deadline; ``cases.models.clock_decided_at``).

An index on that expression, so nothing writes a new column: the database keeps it from the
columns the clock services already write.  On PostgreSQL it is built ``CONCURRENTLY`` (the clock
table stays writable while it builds), so this migration is not atomic and does nothing else.
"""

from typing import Any

from django.db import migrations, models


class AddIndexConcurrentlyOnPostgreSQL(migrations.AddIndex):
    """``AddIndex``, built without locking out writes where the database can (a copy of
    ``0004_case_add_team_open_index``'s: migrations import no app code)."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            schema_editor.remove_index(model, self.index)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cases", "0010_case_add_point"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="caseclock",
            index=models.Index(
                models.F("organisation"),
                models.Case(
                    models.When(is_met=True, then=models.F("stopped_at")),
                    default=models.F("due_at"),
                    output_field=models.DateTimeField(),
                ),
                name="caseclock_org_decided",
            ),
        ),
    ]
