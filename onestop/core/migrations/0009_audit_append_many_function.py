"""Append many audit records in one statement on PostgreSQL: ``core_audit_append_many``.

A batch of work held all-or-nothing in one transaction (the IMAP poller's messages) holds its
audit records back (``core.audit.deferred``) and writes them when it ends.  This function takes
them as arrays, one element per record in the order they were recorded, and appends each with
``core_audit_append`` (``core.0006``): the head locked, the record hashed and inserted, the head
moved one link, every trigger of ``core.0003`` checking each link as for a single record.  One
round trip instead of one per record; the chain is exactly what one call per record makes.

It runs with its caller's rights, its tables pinned to this schema like the other audit
functions.  SQLite keeps ``core.audit``'s three statements per record.
"""

from django.db import migrations

SIGNATURE = (
    "core_audit_append_many(bigint[], timestamptz[], bigint[], text[], text[], text[], text[],"
    " text[], text[], text[], text[], text[])"
)

FORWARD = [
    """CREATE FUNCTION core_audit_append_many(
         p_organisation_id bigint[], p_at timestamptz[], p_actor_id bigint[],
         p_actor_label text[], p_action text[], p_object_type text[], p_object_id text[],
         p_summary text[], p_changes text[], p_ip_address text[], p_before text[],
         p_after text[])
       RETURNS TABLE (o_id bigint, o_sequence bigint, o_previous_hash text, o_hash text)
       LANGUAGE plpgsql AS $$
       BEGIN
         FOR i IN 1 .. coalesce(array_length(p_organisation_id, 1), 0) LOOP
           RETURN QUERY SELECT a.o_id, a.o_sequence, a.o_previous_hash, a.o_hash
             FROM core_audit_append(p_organisation_id[i], p_at[i], p_actor_id[i],
                                    p_actor_label[i], p_action[i], p_object_type[i],
                                    p_object_id[i], p_summary[i], p_changes[i]::jsonb,
                                    p_ip_address[i]::inet, p_before[i], p_after[i], false) a;
         END LOOP;
       END; $$;""",
    f"""DO $$
       BEGIN
         EXECUTE format('ALTER FUNCTION {SIGNATURE} SET search_path = %I, pg_temp',
                        current_schema());
       END $$;""",
]
REVERSE = [f"DROP FUNCTION IF EXISTS {SIGNATURE};"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REVERSE:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_organisation_public_version"),
    ]

    operations = [migrations.RunPython(forward, reverse)]
