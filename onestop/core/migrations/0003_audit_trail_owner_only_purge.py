"""Make the audit trail's tail hard to cut: the chain head only moves forward, TRUNCATE and
direct deletes are refused, and records leave only through a retention purge.

PostgreSQL (the application connects as a role that does not own the tables; see
``onestop db grant-app-role`` and docs/operators/database.md):

- ``core_auditrecord``: UPDATE is refused; DELETE and TRUNCATE are refused unless the
  transaction is inside ``core_audit_purge`` (the ``onestop.audit_purge`` setting is on *and*
  the current role owns the table, which only the owner's own sessions and the owner's
  ``SECURITY DEFINER`` function are).
- ``core_auditchainhead``: a head is inserted only empty (sequence 0, the genesis hash); an
  update only advances it by one link, to a record that exists and follows the old head;
  DELETE and TRUNCATE are refused (all unless inside the purge, as above).
- ``core_audit_purge(organisation, before)``: a ``SECURITY DEFINER`` function that removes
  the oldest records of one chain, up to the first record at or after ``before``, and only if
  ``before`` is at least ``core_audit_retention.minimum_days`` in the past; it moves the head's
  purge anchor (``purged_through``/``purged_hash``) so ``audit verify`` starts there.

SQLite has no roles: the same rules are triggers, and deletion is allowed while a row stands in
``core_audit_purge_window`` (the retention purge and the test runner's database reset).
"""

from django.db import migrations, models

GENESIS = "0" * 64

RETENTION_TABLE = """CREATE TABLE core_audit_retention (
         id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
         minimum_days integer NOT NULL CHECK (minimum_days >= 0));"""
RETENTION_ROW = "INSERT INTO core_audit_retention (id, minimum_days) VALUES (1, 2190);"  # six years

SQLITE_FORWARD = [
    RETENTION_TABLE,
    RETENTION_ROW,
    # Migration 0002's delete trigger, unchanged, and the same rules for the chain head.
    # hex(zeroblob(32)) is the genesis hash, 64 zeros.
    """CREATE TRIGGER core_auditchainhead_insert_empty BEFORE INSERT ON core_auditchainhead
       WHEN NOT EXISTS (SELECT 1 FROM core_audit_purge_window)
        AND (NEW.sequence != 0 OR NEW.hash != hex(zeroblob(32)) OR NEW.purged_through != 0
             OR NEW.purged_hash != hex(zeroblob(32)))
       BEGIN SELECT RAISE(ABORT, 'a new audit chain head must be empty'); END;""",
    """CREATE TRIGGER core_auditchainhead_forward_only BEFORE UPDATE ON core_auditchainhead
       WHEN NOT EXISTS (SELECT 1 FROM core_audit_purge_window)
        AND NOT (NEW.organisation_id = OLD.organisation_id
             AND NEW.purged_through = OLD.purged_through
             AND NEW.purged_hash = OLD.purged_hash
             AND ((NEW.sequence = OLD.sequence AND NEW.hash = OLD.hash)
                  OR (NEW.sequence = OLD.sequence + 1 AND EXISTS (
                      SELECT 1 FROM core_auditrecord r
                       WHERE r.organisation_id = NEW.organisation_id
                         AND r.sequence = NEW.sequence AND r.hash = NEW.hash
                         AND r.previous_hash = OLD.hash))))
       BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward'); END;""",
    """CREATE TRIGGER core_auditchainhead_no_delete BEFORE DELETE ON core_auditchainhead
       WHEN NOT EXISTS (SELECT 1 FROM core_audit_purge_window)
       BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditchainhead_insert_empty;",
    "DROP TRIGGER IF EXISTS core_auditchainhead_forward_only;",
    "DROP TRIGGER IF EXISTS core_auditchainhead_no_delete;",
    "DROP TABLE IF EXISTS core_audit_retention;",
]

# In both trigger functions below, "inside the purge" is: the onestop.audit_purge setting is on
# *and* the current role owns the table (inside core_audit_purge, a SECURITY DEFINER function,
# the current role is the owner; the application's role never is).
POSTGRESQL_FORWARD = [
    "DROP TRIGGER IF EXISTS core_auditrecord_append_only ON core_auditrecord;",
    "DROP FUNCTION IF EXISTS core_auditrecord_refuse_change();",
    "DROP TABLE IF EXISTS core_audit_purge_window;",
    RETENTION_TABLE,
    RETENTION_ROW,
    """CREATE FUNCTION core_auditrecord_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP IN ('DELETE', 'TRUNCATE')
            AND (coalesce(current_setting('onestop.audit_purge', true), '') = 'on'
                AND (SELECT relowner FROM pg_class WHERE oid = TG_RELID)
                    = (SELECT oid FROM pg_roles WHERE rolname = current_user)) THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'audit records are append-only' USING ERRCODE = 'insufficient_privilege';
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_auditrecord_append_only BEFORE UPDATE OR DELETE ON core_auditrecord
       FOR EACH ROW EXECUTE FUNCTION core_auditrecord_append_only();""",
    """CREATE TRIGGER core_auditrecord_no_truncate BEFORE TRUNCATE ON core_auditrecord
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditrecord_append_only();""",
    """CREATE FUNCTION core_auditchainhead_forward_only() RETURNS trigger AS $$
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
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_auditchainhead_forward_only
       BEFORE INSERT OR UPDATE OR DELETE ON core_auditchainhead
       FOR EACH ROW EXECUTE FUNCTION core_auditchainhead_forward_only();""",
    """CREATE TRIGGER core_auditchainhead_no_truncate BEFORE TRUNCATE ON core_auditchainhead
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditchainhead_forward_only();""",
    """CREATE FUNCTION core_audit_purge(p_organisation_id bigint, p_before timestamptz)
       RETURNS bigint
       LANGUAGE plpgsql SECURITY DEFINER AS $$
       DECLARE
         v_minimum_days integer;
         v_head core_auditchainhead%ROWTYPE;
         v_first_kept bigint;
         v_through bigint;
         v_hash varchar(64);
         v_deleted bigint;
       BEGIN
         SELECT minimum_days INTO STRICT v_minimum_days FROM core_audit_retention;
         IF p_before IS NULL OR p_before > now() - make_interval(days => v_minimum_days) THEN
           RAISE EXCEPTION 'audit records are kept for % days: purge only before %',
             v_minimum_days, now() - make_interval(days => v_minimum_days)
             USING ERRCODE = 'insufficient_privilege';
         END IF;
         SELECT * INTO v_head FROM core_auditchainhead
          WHERE organisation_id = p_organisation_id FOR UPDATE;
         IF NOT FOUND THEN
           RETURN 0;
         END IF;
         -- Only a prefix of the chain: everything before the first record at or after p_before.
         SELECT min(sequence) INTO v_first_kept FROM core_auditrecord
          WHERE organisation_id = p_organisation_id AND at >= p_before;
         v_through := coalesce(v_first_kept - 1, v_head.sequence);
         IF v_through <= v_head.purged_through THEN
           RETURN 0;
         END IF;
         SELECT hash INTO STRICT v_hash FROM core_auditrecord
          WHERE organisation_id = p_organisation_id AND sequence = v_through;
         PERFORM set_config('onestop.audit_purge', 'on', true);
         UPDATE core_auditchainhead SET purged_through = v_through, purged_hash = v_hash
          WHERE organisation_id = p_organisation_id;
         DELETE FROM core_auditrecord
          WHERE organisation_id = p_organisation_id AND sequence <= v_through;
         GET DIAGNOSTICS v_deleted = ROW_COUNT;
         PERFORM set_config('onestop.audit_purge', '', true);
         RETURN v_deleted;
       END; $$;""",
    "REVOKE ALL ON FUNCTION core_audit_purge(bigint, timestamptz) FROM PUBLIC;",
    # Every function names its tables unqualified: pin them to this schema, with pg_temp last,
    # or a caller's temporary table of the same name (any role may create them) would be read
    # instead, e.g. a core_audit_retention of 0 days inside the SECURITY DEFINER purge.
    """DO $$
       DECLARE
         v_function text;
       BEGIN
         FOREACH v_function IN ARRAY ARRAY['core_audit_purge(bigint, timestamptz)',
                                           'core_auditrecord_append_only()',
                                           'core_auditchainhead_forward_only()'] LOOP
           EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp',
                          v_function, current_schema());
         END LOOP;
       END $$;""",
]
POSTGRESQL_REVERSE = [
    "DROP FUNCTION IF EXISTS core_audit_purge(bigint, timestamptz);",
    "DROP TRIGGER IF EXISTS core_auditchainhead_no_truncate ON core_auditchainhead;",
    "DROP TRIGGER IF EXISTS core_auditchainhead_forward_only ON core_auditchainhead;",
    "DROP FUNCTION IF EXISTS core_auditchainhead_forward_only();",
    "DROP TRIGGER IF EXISTS core_auditrecord_no_truncate ON core_auditrecord;",
    "DROP TRIGGER IF EXISTS core_auditrecord_append_only ON core_auditrecord;",
    "DROP FUNCTION IF EXISTS core_auditrecord_append_only();",
    "DROP TABLE IF EXISTS core_audit_retention;",
    # Migration 0002's window and trigger, as they were.
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


def forward(apps, schema_editor):
    statements = (
        SQLITE_FORWARD if schema_editor.connection.vendor == "sqlite" else POSTGRESQL_FORWARD
    )
    for statement in statements:
        schema_editor.execute(statement, params=None)


def reverse(apps, schema_editor):
    statements = (
        SQLITE_REVERSE if schema_editor.connection.vendor == "sqlite" else POSTGRESQL_REVERSE
    )
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_auditrecord_append_only")]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="purged_through",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="purged_hash",
            field=models.CharField(default=GENESIS, max_length=64),
        ),
        migrations.RunPython(forward, reverse),
    ]
