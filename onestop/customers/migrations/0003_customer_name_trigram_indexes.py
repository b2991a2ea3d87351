"""PostgreSQL only: ``pg_trgm`` and GIN trigram indexes on the name keys, for the desk search's
similarity stage (``customers.queries``).  SQLite, and a PostgreSQL where the extension cannot be
installed, keep the portable search (Soundex and prefix stages), so this migration does nothing
there; see docs/operators/README.md.  Its own non-atomic migration, so the indexes are built
``CONCURRENTLY`` (no lock on a live table)."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

INDEXES = {
    "customer_name_key_trgm": "customers_customer",
    "customername_name_key_trgm": "customers_customername",
}


def _has_extension(schema_editor: BaseDatabaseSchemaEditor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def create_indexes(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    if not _has_extension(schema_editor):
        try:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError:  # no privilege, or no contrib package: the search falls back
            return
    with schema_editor.connection.cursor() as cursor:
        for name, table in INDEXES.items():
            cursor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} "
                "USING gin (name_key gin_trgm_ops)"
            )


def drop_indexes(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("customers", "0002_customer_details")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
