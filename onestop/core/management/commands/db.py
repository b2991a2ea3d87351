"""``onestop db grant-app-role ROLE``: let the application's PostgreSQL role use the database.

OneStop runs with two roles.  The *owner* (``ONESTOP_MIGRATE_DATABASE_URL``) owns the tables:
``onestop migrate`` and this command run as it.  The *application role* (``DATABASE_URL``, what
gunicorn and the workers connect as) owns nothing: it gets SELECT, INSERT, UPDATE and DELETE on
the tables, except that on the audit trail it may only read and append records, insert empty
chain heads and advance them (the triggers check each step), read the retention period and call
``core_audit_purge``.  It cannot TRUNCATE, change triggers or grant anything.  Tables that later
migrations create get the ordinary rights by default.  Run it once after the first migrate;
running it again changes nothing.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

# Every table but these gets SELECT, INSERT, UPDATE, DELETE.
AUDIT_GRANTS = [
    "REVOKE ALL ON core_auditrecord FROM {role}",
    "GRANT SELECT, INSERT ON core_auditrecord TO {role}",
    "REVOKE ALL ON core_auditchainhead FROM {role}",
    "GRANT SELECT, INSERT ON core_auditchainhead TO {role}",
    # Column-level: SELECT ... FOR UPDATE needs UPDATE on a column; the purge anchor is not one.
    "GRANT UPDATE (sequence, hash) ON core_auditchainhead TO {role}",
    "REVOKE ALL ON core_audit_retention FROM {role}",
    "GRANT SELECT ON core_audit_retention TO {role}",
    "GRANT EXECUTE ON FUNCTION core_audit_purge(bigint, timestamptz) TO {role}",
]


class Command(BaseCommand):
    help = "Database roles: 'grant-app-role ROLE' gives the application's role its rights."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        grant = subcommands.add_parser(
            "grant-app-role", help="Grant the application's (non-owner) role what it needs."
        )
        grant.add_argument("role")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist only on PostgreSQL.", returncode=2)
        self.grant_app_role(options["role"])

    def grant_app_role(self, role_name: str) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, pg_has_role(%s, c.relowner, 'MEMBER') FROM pg_roles r, pg_class c"
                " WHERE r.rolname = %s AND c.oid = 'core_auditrecord'::regclass",
                [role_name, role_name],
            )
            row = cursor.fetchone()
            if row is None:
                raise CommandError(f"No database role {role_name!r}.", returncode=2)
            superuser, owner = row
            if superuser or owner:
                raise CommandError(
                    f"{role_name} owns the tables (or is a superuser, or a member of the owner "
                    "role): the application must connect as a role that does not.",
                    returncode=2,
                )
            cursor.execute("SELECT current_schema()")
            schema = sql.Identifier(cursor.fetchone()[0])
            role = sql.Identifier(role_name)
            statements = [
                sql.SQL("GRANT USAGE ON SCHEMA {schema} TO {role}"),
                sql.SQL(
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} "
                    "TO {role}"
                ),
                sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}"),
                sql.SQL(
                    "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}"
                ),
                sql.SQL(
                    "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
                    "GRANT USAGE, SELECT ON SEQUENCES TO {role}"
                ),
                *(sql.SQL(statement) for statement in AUDIT_GRANTS),
            ]
            for statement in statements:
                cursor.execute(statement.format(schema=schema, role=role))
        self.stdout.write(f"{role_name} may use the database as the application's role.")
