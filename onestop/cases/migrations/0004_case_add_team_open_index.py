"""The team queue's index: a team's open cases by deadline, with the assignee.

On PostgreSQL the index is built ``CONCURRENTLY`` (a council's case table stays writable while
it builds), so this migration is not atomic and does nothing else.
"""

from typing import Any

from django.db import migrations, models


class AddIndexConcurrentlyOnPostgreSQL(migrations.AddIndex):
    """``AddIndex``, built without locking out writes where the database can."""

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
        ("cases", "0003_caseclock_add_running_version_index"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "assigned",
                            "in-progress",
                            "new",
                            "waiting-for-customer",
                            "waiting-for-third-party",
                        ],
                    )
                ),
                fields=["organisation", "team", "due_at", "id", "assignee"],
                name="case_org_team_open",
            ),
        ),
    ]
