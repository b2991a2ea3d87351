"""PostgreSQL only: covering indexes for the desk search's Soundex stages (``customers.queries``).

Each stage reads every live customer whose first or last name sounds like a typed word (at a
million customers, thousands of rows for a common name), ranks them by ``similarity()`` and keeps
the best 600.  Through the plain ``(organisation, soundex)`` indexes every one of those rows is a
visit to the table, and the table is larger than a typical ``shared_buffers``: 400 ms for one
stage in the benchmark, almost all of it reading table pages.  These partial indexes carry the
name key and id of live (unmerged) customers, so the stages are index-only scans.

SQLite keeps the model's indexes (at its scale the search meets its targets without these; its
indexes cannot ``INCLUDE``).  Its own non-atomic migration, so the indexes are built
``CONCURRENTLY`` (no lock on a live table).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

INDEXES = {
    "customer_live_family_given": "organisation_id, family_soundex, given_soundex",
    "customer_live_given_family": "organisation_id, given_soundex, family_soundex",
}


def create_indexes(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, columns in INDEXES.items():
            cursor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON customers_customer "
                f"({columns}) INCLUDE (name_key, id) WHERE merged_into_id IS NULL"
            )


def drop_indexes(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("customers", "0003_customer_name_trigram_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
