"""Append an audit record in one statement on PostgreSQL: ``core_audit_append``.

``core.audit.record`` locked the chain head, inserted the record and moved the head: three
statements, and for a list read alone three more (``BEGIN``, ``SET LOCAL synchronous_commit``,
``COMMIT``).  This function does the same three steps in one call, so an append is one round
trip (and a list read alone one autocommit statement):

- it locks the organisation's head (creating it empty, as the triggers of ``core.0003`` allow,
  for the organisation's first record), takes the next sequence and the head's hash;
- it hashes the record's canonical JSON, which Python writes (``core.audit``) with two holes:
  ``p_before`` ends with ``"previous_hash":`` and ``p_after`` starts after the sequence, so the
  hashed text is exactly what ``core.audit.compute_hash`` hashes, and ``audit verify`` checks it
  the same way;
- it inserts the record and moves the head by one link (the head's trigger still checks that
  the record exists and follows the old head);
- when ``p_asynchronous`` is true (a list read that is its request's only write) it sets
  ``synchronous_commit`` off for the rest of the transaction, as ``SET LOCAL`` did.

It runs with its caller's rights (not ``SECURITY DEFINER``): it can do nothing the caller could
not do with INSERT and UPDATE, and every trigger of ``core.0003`` applies to it.  Its tables
are pinned to this schema (``search_path``), like the other audit functions.  SQLite keeps the
three statements of ``core.audit.record``: nothing to do there.
"""

from django.db import migrations

SIGNATURE = (
    "core_audit_append(bigint, timestamptz, bigint, text, text, text, text, text, jsonb, inet,"
    " text, text, boolean)"
)

FORWARD = [
    """CREATE FUNCTION core_audit_append(
         p_organisation_id bigint, p_at timestamptz, p_actor_id bigint, p_actor_label text,
         p_action text, p_object_type text, p_object_id text, p_summary text, p_changes jsonb,
         p_ip_address inet, p_before text, p_after text, p_asynchronous boolean,
         OUT o_id bigint, OUT o_sequence bigint, OUT o_previous_hash text, OUT o_hash text)
       LANGUAGE plpgsql AS $$
       DECLARE
         v_head core_auditchainhead%ROWTYPE;
       BEGIN
         IF p_asynchronous THEN
           PERFORM set_config('synchronous_commit', 'off', true);
         END IF;
         SELECT * INTO v_head FROM core_auditchainhead
          WHERE organisation_id = p_organisation_id FOR UPDATE;
         IF NOT FOUND THEN  -- the organisation's first record
           INSERT INTO core_auditchainhead (organisation_id, sequence, hash, purged_through,
                                            purged_hash)
           VALUES (p_organisation_id, 0, repeat('0', 64), 0, repeat('0', 64))
           ON CONFLICT (organisation_id) DO NOTHING;
           SELECT * INTO STRICT v_head FROM core_auditchainhead
            WHERE organisation_id = p_organisation_id FOR UPDATE;
         END IF;
         o_sequence := v_head.sequence + 1;
         o_previous_hash := v_head.hash;
         o_hash := encode(sha256(convert_to(
           p_before || '"' || v_head.hash || '","sequence":' || o_sequence::text || p_after,
           'UTF8')), 'hex');
         INSERT INTO core_auditrecord (organisation_id, sequence, at, actor_id, actor_label,
                                       action, object_type, object_id, summary, changes,
                                       ip_address, previous_hash, hash)
         VALUES (p_organisation_id, o_sequence, p_at, p_actor_id, p_actor_label, p_action,
                 p_object_type, p_object_id, p_summary, p_changes, p_ip_address,
                 o_previous_hash, o_hash)
         RETURNING id INTO o_id;
         UPDATE core_auditchainhead SET sequence = o_sequence, hash = o_hash
          WHERE organisation_id = p_organisation_id;
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
        ("core", "0005_auditrecord_list_read_actions"),
    ]

    operations = [migrations.RunPython(forward, reverse)]
