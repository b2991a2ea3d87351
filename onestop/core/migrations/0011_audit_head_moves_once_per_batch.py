"""Move an audit chain's head once per batch on PostgreSQL, the trigger proving every link.

``core_audit_append_many`` (``core.0009``) appended each record through ``core_audit_append``,
which moved the organisation's head one link per record: a batch of 400 records updated the
same head row 400 times in one transaction, each update a new version of the row that every
later lock, update and trigger check had to step through (the batch's cost grew with the
square of its records).  Now:

- ``core_auditchainhead_forward_only`` (``core.0003``) accepts a head moved forward by any
  number of links, but only when it proves them: from the old head it reads the chain's
  records up to the new head's sequence in order, and each must be the next sequence and name
  the hash of the one before it (the old head's for the first), the last having the new head's
  sequence and hash.  So a step of k links is accepted exactly when the k steps of one link it
  replaces would each have been accepted (the rule of ``core.0003``: the record exists and
  follows the old head); a step to a record that does not chain back, that skips a sequence,
  or lands on a forged hash is refused as before.  A step of one link is checked as before.
  Everything else of the trigger is unchanged (a new head empty; the purge's anchor moved only
  by the purge; no delete or truncate).
- ``core_audit_append_many`` locks each organisation's head once, hashes and inserts the
  records in order exactly as ``core_audit_append`` does, and moves the head once at the end of
  each run of records of the same organisation.

The chain is the same, record by record, as before; ``audit verify`` checks it the same way.
``core_audit_append`` (one record) is unchanged.  SQLite keeps one link per step and
``core.audit``'s three statements per record.
"""

from django.db import migrations

APPEND_MANY = (
    "core_audit_append_many(bigint[], timestamptz[], bigint[], text[], text[], text[], text[],"
    " text[], text[], text[], text[], text[])"
)
FORWARD_ONLY = "core_auditchainhead_forward_only()"

FORWARD_ONLY_BY_PROOF = """CREATE OR REPLACE FUNCTION core_auditchainhead_forward_only()
       RETURNS trigger AS $$
       DECLARE
         v_sequence bigint;
         v_hash varchar(64);
         v_record record;
       BEGIN
         IF (coalesce(current_setting('onestop.audit_purge', true), '') = 'on'
                AND (SELECT relowner FROM pg_class WHERE oid = TG_RELID)
                    = (SELECT oid FROM pg_roles WHERE rolname = current_user)) THEN
           RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
         END IF;
         IF TG_OP = 'INSERT' AND NEW.sequence = 0 AND NEW.hash = repeat('0', 64)
            AND NEW.purged_through = 0 AND NEW.purged_hash = repeat('0', 64) THEN
           RETURN NEW;
         END IF;
         IF TG_OP = 'UPDATE' AND NEW.organisation_id = OLD.organisation_id
            AND NEW.purged_through = OLD.purged_through AND NEW.purged_hash = OLD.purged_hash THEN
           IF (NEW.sequence = OLD.sequence AND NEW.hash = OLD.hash)
              OR (NEW.sequence = OLD.sequence + 1 AND EXISTS (
                  SELECT 1 FROM core_auditrecord r
                   WHERE r.organisation_id = NEW.organisation_id
                     AND r.sequence = NEW.sequence AND r.hash = NEW.hash
                     AND r.previous_hash = OLD.hash)) THEN
             RETURN NEW;  -- unchanged, or one link (core.0003's check, as it was)
           END IF;
           IF NEW.sequence > OLD.sequence + 1 THEN
             -- Several links: from the old head, each record of the chain in turn must be the
             -- next sequence and name the hash before it, up to the new head's sequence and
             -- hash.  One range read, planned at each call (EXECUTE) so that a plan cached
             -- while the table was small never scans it whole once it has grown.
             v_sequence := OLD.sequence;
             v_hash := OLD.hash;
             FOR v_record IN EXECUTE
               'SELECT r.sequence, r.previous_hash, r.hash FROM core_auditrecord r'
               ' WHERE r.organisation_id = $1 AND r.sequence > $2 AND r.sequence <= $3'
               ' ORDER BY r.sequence'
               USING NEW.organisation_id, OLD.sequence, NEW.sequence LOOP
               EXIT WHEN v_record.sequence <> v_sequence + 1
                         OR v_record.previous_hash <> v_hash;
               v_sequence := v_record.sequence;
               v_hash := v_record.hash;
             END LOOP;
             IF v_sequence = NEW.sequence AND v_hash = NEW.hash THEN
               RETURN NEW;
             END IF;
           END IF;
         END IF;
         IF TG_OP = 'INSERT' THEN
           RAISE EXCEPTION 'a new audit chain head must be empty'
             USING ERRCODE = 'insufficient_privilege';
         END IF;
         RAISE EXCEPTION 'the audit chain head only moves forward'
           USING ERRCODE = 'insufficient_privilege';
       END; $$ LANGUAGE plpgsql;"""

# core.0003's, as it was (for the reverse).
FORWARD_ONLY_BY_ONE = """CREATE OR REPLACE FUNCTION core_auditchainhead_forward_only()
       RETURNS trigger AS $$
       BEGIN
         IF (coalesce(current_setting('onestop.audit_purge', true), '') = 'on'
                AND (SELECT relowner FROM pg_class WHERE oid = TG_RELID)
                    = (SELECT oid FROM pg_roles WHERE rolname = current_user)) THEN
           RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
         END IF;
         IF TG_OP = 'INSERT' AND NEW.sequence = 0 AND NEW.hash = repeat('0', 64)
            AND NEW.purged_through = 0 AND NEW.purged_hash = repeat('0', 64) THEN
           RETURN NEW;
         END IF;
         IF TG_OP = 'UPDATE' AND NEW.organisation_id = OLD.organisation_id
            AND NEW.purged_through = OLD.purged_through AND NEW.purged_hash = OLD.purged_hash
            AND ((NEW.sequence = OLD.sequence AND NEW.hash = OLD.hash)
                 OR (NEW.sequence = OLD.sequence + 1 AND EXISTS (
                     SELECT 1 FROM core_auditrecord r
                      WHERE r.organisation_id = NEW.organisation_id
                        AND r.sequence = NEW.sequence AND r.hash = NEW.hash
                        AND r.previous_hash = OLD.hash))) THEN
           RETURN NEW;
         END IF;
         IF TG_OP = 'INSERT' THEN
           RAISE EXCEPTION 'a new audit chain head must be empty'
             USING ERRCODE = 'insufficient_privilege';
         END IF;
         RAISE EXCEPTION 'the audit chain head only moves forward'
           USING ERRCODE = 'insufficient_privilege';
       END; $$ LANGUAGE plpgsql;"""

APPEND_MANY_HEAD_ONCE = """CREATE OR REPLACE FUNCTION core_audit_append_many(
         p_organisation_id bigint[], p_at timestamptz[], p_actor_id bigint[],
         p_actor_label text[], p_action text[], p_object_type text[], p_object_id text[],
         p_summary text[], p_changes text[], p_ip_address text[], p_before text[],
         p_after text[])
       RETURNS TABLE (o_id bigint, o_sequence bigint, o_previous_hash text, o_hash text)
       LANGUAGE plpgsql AS $$
       DECLARE
         v_organisation_id bigint;  -- the chain being extended, its head locked
         v_sequence bigint;
         v_hash text;
       BEGIN
         FOR i IN 1 .. coalesce(array_length(p_organisation_id, 1), 0) LOOP
           IF v_organisation_id IS DISTINCT FROM p_organisation_id[i] THEN
             IF v_organisation_id IS NOT NULL THEN  -- the run of one chain ends: move its head
               UPDATE core_auditchainhead SET sequence = v_sequence, hash = v_hash
                WHERE organisation_id = v_organisation_id;
             END IF;
             v_organisation_id := p_organisation_id[i];
             SELECT h.sequence, h.hash INTO v_sequence, v_hash FROM core_auditchainhead h
              WHERE h.organisation_id = v_organisation_id FOR UPDATE;
             IF NOT FOUND THEN  -- the organisation's first record
               INSERT INTO core_auditchainhead (organisation_id, sequence, hash, purged_through,
                                                purged_hash)
               VALUES (v_organisation_id, 0, repeat('0', 64), 0, repeat('0', 64))
               ON CONFLICT (organisation_id) DO NOTHING;
               SELECT h.sequence, h.hash INTO STRICT v_sequence, v_hash
                 FROM core_auditchainhead h
                WHERE h.organisation_id = v_organisation_id FOR UPDATE;
             END IF;
           END IF;
           o_sequence := v_sequence + 1;
           o_previous_hash := v_hash;
           o_hash := encode(sha256(convert_to(
             p_before[i] || '"' || v_hash || '","sequence":' || o_sequence::text || p_after[i],
             'UTF8')), 'hex');
           INSERT INTO core_auditrecord (organisation_id, sequence, at, actor_id, actor_label,
                                         action, object_type, object_id, summary, changes,
                                         ip_address, previous_hash, hash)
           VALUES (v_organisation_id, o_sequence, p_at[i], p_actor_id[i], p_actor_label[i],
                   p_action[i], p_object_type[i], p_object_id[i], p_summary[i],
                   p_changes[i]::jsonb, p_ip_address[i]::inet, o_previous_hash, o_hash)
           RETURNING id INTO o_id;
           v_sequence := o_sequence;
           v_hash := o_hash;
           RETURN NEXT;
         END LOOP;
         IF v_organisation_id IS NOT NULL THEN
           UPDATE core_auditchainhead SET sequence = v_sequence, hash = v_hash
            WHERE organisation_id = v_organisation_id;
         END IF;
       END; $$;"""

# core.0009's, as it was (for the reverse).
APPEND_MANY_HEAD_EACH = """CREATE OR REPLACE FUNCTION core_audit_append_many(
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
       END; $$;"""

# CREATE OR REPLACE drops a function's settings: pin both to this schema again (core.0003).
PIN_SEARCH_PATH = f"""DO $$
       BEGIN
         EXECUTE format('ALTER FUNCTION {FORWARD_ONLY} SET search_path = %I, pg_temp',
                        current_schema());
         EXECUTE format('ALTER FUNCTION {APPEND_MANY} SET search_path = %I, pg_temp',
                        current_schema());
       END $$;"""

FORWARD = [FORWARD_ONLY_BY_PROOF, APPEND_MANY_HEAD_ONCE, PIN_SEARCH_PATH]
REVERSE = [FORWARD_ONLY_BY_ONE, APPEND_MANY_HEAD_EACH, PIN_SEARCH_PATH]


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
        ("core", "0010_organisation_boundary"),
    ]

    operations = [migrations.RunPython(forward, reverse)]
