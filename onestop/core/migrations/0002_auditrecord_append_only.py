"""Make the audit trail append-only in the database itself: UPDATE and DELETE are refused.

Deletion is allowed only while a row stands in ``core_audit_purge_window``: the retention job
opens that window to remove records past their retention period (and the test runner opens it
to empty the test database).  Updates are never allowed.

An operator with DDL rights can still drop the triggers; ``onestop audit verify`` then still
shows any row changed or removed, because every record's hash covers the one before it.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE TABLE core_audit_purge_window (opened_by VARCHAR(200) NOT NULL);",
    """CREATE TRIGGER core_auditrecord_no_update BEFORE UPDATE ON core_auditrecord
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;""",
    """CREATE TRIGGER core_auditrecord_no_delete BEFORE DELETE ON core_auditrecord
       WHEN NOT EXISTS (SELECT 1 FROM core_audit_purge_window)
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditrecord_no_update;",
    "DROP TRIGGER IF EXISTS core_auditrecord_no_delete;",
    "DROP TABLE IF EXISTS core_audit_purge_window;",
]
POSTGRESQL_FORWARD = [
    "CREATE TABLE core_audit_purge_window (opened_by VARCHAR(200) NOT NULL);",
    """CREATE OR REPLACE FUNCTION core_auditrecord_refuse_change() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM core_audit_purge_window) THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'audit records are append-only';
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_auditrecord_append_only BEFORE UPDATE OR DELETE ON core_auditrecord
       FOR EACH ROW EXECUTE FUNCTION core_auditrecord_refuse_change();""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditrecord_append_only ON core_auditrecord;",
    "DROP FUNCTION IF EXISTS core_auditrecord_refuse_change();",
    "DROP TABLE IF EXISTS core_audit_purge_window;",
]


def forward(apps, schema_editor):
    statements = (
        SQLITE_FORWARD if schema_editor.connection.vendor == "sqlite" else POSTGRESQL_FORWARD
    )
    for statement in statements:
        schema_editor.execute(statement)


def reverse(apps, schema_editor):
    statements = (
        SQLITE_REVERSE if schema_editor.connection.vendor == "sqlite" else POSTGRESQL_REVERSE
    )
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
