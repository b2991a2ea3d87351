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


# --- the reset after a transactional test (tests/flush.py) -------------------------------------
def _every_table() -> list[str]:
    return connection.introspection.django_table_names(only_existing=True, include_views=False)


def _reset() -> None:
    """The reset pytest-django runs after a transactional test."""
    from django.core.management import call_command

    call_command(
        "flush", verbosity=0, interactive=False, reset_sequences=False, inhibit_post_migrate=True
    )


def _file_of(table: str) -> int:
    """The table's file: ``TRUNCATE`` gives a table a new one, ``DELETE`` keeps it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_filenode(%s)", [table])
        found: int = cursor.fetchone()[0]
        return found


@pytest.mark.django_db(transaction=True)
def test_the_reset_empties_every_table_holding_rows_audit_included_and_keeps_sequences() -> None:
    from tests import factories
    from tests.flush import holding_rows

    if connection.vendor != "postgresql":
        pytest.skip("the faster reset is PostgreSQL's (SQLite's flush deletes already)")
    council = factories.organisation(slug="flush-council")
    factories.staff(council, "advisor", username="flush.advisor")
    written = holding_rows(connection, _every_table())
    assert {"core_organisation", "core_auditrecord", "core_auditchainhead"} <= set(written)
    files = {table: _file_of(table) for table in _every_table()}
    with connection.cursor() as cursor:
        _reset()  # (the test runner's purge window is open around a transactional test)
        assert holding_rows(connection, _every_table()) == []
        assert {table: _file_of(table) for table in _every_table()} == files  # none truncated
        cursor.execute("SELECT count(*) FROM pg_stat_user_tables WHERE n_dead_tup > 0")
        assert cursor.fetchone()[0] == 0  # vacuumed: no dead rows left for later tests
    again = factories.organisation(slug="flush-again")
    assert again.pk > council.pk  # the sequence went on, as after Django's TRUNCATE


@pytest.mark.django_db(transaction=True)
def test_a_reset_that_cannot_delete_falls_back_to_truncate() -> None:
    from django.db import DatabaseError

    from tests import factories
    from tests.flush import holding_rows

    if connection.vendor != "postgresql":
        pytest.skip("the faster reset is PostgreSQL's (SQLite's flush deletes already)")
    factories.organisation(slug="flush-fallback")
    with connection.cursor() as cursor:
        # A row no DELETE may remove (a trigger refusing it), which TRUNCATE still empties.
        cursor.execute(
            "CREATE FUNCTION pg_temp.refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'kept'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_delete BEFORE DELETE ON core_organisation "
            "FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse()"
        )
        try:
            with pytest.raises(DatabaseError):
                cursor.execute("DELETE FROM core_organisation")
            before = _file_of("core_organisation")
            _reset()
            assert holding_rows(connection, _every_table()) == []
            assert _file_of("core_organisation") != before  # emptied by TRUNCATE
        finally:
            cursor.execute("DROP TRIGGER refuse_delete ON core_organisation")
