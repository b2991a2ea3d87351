"""The database the tests run on is fully migrated, whether it was migrated by this worker or
copied from the run's migrated template (tests/template_db.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db
def test_every_migration_is_applied_and_recorded() -> None:
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    assert executor.migration_plan(targets) == []
    applied = executor.recorder.applied_migrations()
    assert set(executor.loader.graph.nodes) <= set(applied)


@pytest.mark.django_db
def test_the_audit_trails_guards_made_by_migrations_are_in_place() -> None:
    """SQL the migrations run (not the models) is in the copy too."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s",
                ["core_audit%"],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                ["core_audit%"],
            )
        triggers = {row[0] for row in cursor.fetchall()}
    assert "core_auditchainhead_forward_only" in triggers
