"""The database reset after a transactional test, on PostgreSQL: only the tables holding rows.

A transactional test (``transaction=True``, ``live_server``: the browser tests, the commands
run in subprocesses) commits its rows, so Django empties the database after it with ``flush``,
which on PostgreSQL is one ``TRUNCATE`` of every table (about a hundred). A truncated table
gets new files for itself, its indexes and its TOAST table, and its catalogue rows rewritten,
whether it held a row or not: 0.5 to 1.2 seconds a test on a loaded two-core machine, for
tests that wrote to a dozen tables, and about 160 such tests a run.

Here the reset finds the tables holding rows (one statement), deletes their rows in one
transaction (every foreign key is deferrable, so the order does not matter: the checks run at
the commit, when the referencing rows are gone too), and vacuums them and every other table
with dead rows (those the rolled-back tests before it left), as the ``TRUNCATE`` did, so that
later tests do not read past them (a test server may run without autovacuum).

The next test sees what a ``TRUNCATE`` would have left: every table empty, sequences not reset
(as Django's ``flush`` without ``reset_sequences``). The audit tables' triggers let the rows go
because the reset runs inside the test runner's purge window (``tests.environment``). A test
asking for ``reset_sequences``, a delete that fails, or a table still holding a row afterwards
gets Django's own ``TRUNCATE``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

_DEFERRED = "SET CONSTRAINTS ALL DEFERRED"
_PLAN = "_onestop_flush_plan"  # set on the connection by sql_flush, taken by execute_sql_flush

# Django's own, kept by install().
_django: dict[str, Any] = {}


def holding_rows(connection: Any, tables: Sequence[str]) -> list[str]:
    """Those of ``tables`` that hold at least one row, in their order."""
    if not tables:
        return []
    quote = connection.ops.quote_name
    probe = " UNION ALL ".join(
        f"SELECT {position} WHERE EXISTS (SELECT 1 FROM {quote(table)})"  # noqa: S608 (Django's table names)
        for position, table in enumerate(tables)
    )
    with connection.cursor() as cursor:
        cursor.execute(probe)
        return [tables[position] for (position,) in cursor.fetchall()]


def _with_dead_rows(cursor: Any) -> list[str]:
    """The tables with dead rows: those the rolled-back tests before left, as well as the
    deleted ones (the counts of this connection sent first, and read afresh)."""
    from django.db import DatabaseError

    with contextlib.suppress(DatabaseError):  # before PostgreSQL 15: the counts as they stand
        cursor.execute("SELECT pg_stat_force_next_flush()")
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute("SELECT relname FROM pg_stat_user_tables WHERE n_dead_tup > 0")
    return [name for (name,) in cursor.fetchall()]


def _sql_flush(
    self: Any,
    style: Any,
    tables: Sequence[str],
    *,
    reset_sequences: bool = False,
    allow_cascade: bool = False,
) -> list[str]:
    if reset_sequences or not tables:
        found: list[str] = _django["sql_flush"](
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        return found
    holding = holding_rows(self.connection, list(tables))
    setattr(self.connection, _PLAN, (list(tables), holding, allow_cascade))
    deletes = [f"DELETE FROM {self.quote_name(table)}" for table in holding]  # noqa: S608
    return [_DEFERRED, *deletes]


def _execute_sql_flush(self: Any, sql_list: list[str]) -> None:
    from django.core.management.color import no_style
    from django.db import DatabaseError

    execute = _django["execute_sql_flush"]
    plan = getattr(self.connection, _PLAN, None)
    if plan is None or sql_list[:1] != [_DEFERRED]:
        execute(self, sql_list)
        return
    delattr(self.connection, _PLAN)
    tables, holding, allow_cascade = plan
    try:
        execute(self, sql_list)
    except DatabaseError:
        holding = tables  # rolled back: empty every table as Django would
    else:
        if not self.connection.in_atomic_block:
            with self.connection.cursor() as cursor:
                for table in sorted(set(holding) | set(_with_dead_rows(cursor))):
                    cursor.execute(f"VACUUM {self.quote_name(table)}")
    if holding_rows(self.connection, holding):
        execute(self, _django["sql_flush"](self, no_style(), tables, allow_cascade=allow_cascade))


def install() -> None:
    """Use this reset for every PostgreSQL ``flush`` of the test run."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    if _django:
        return
    _django["sql_flush"] = DatabaseOperations.sql_flush
    _django["execute_sql_flush"] = DatabaseOperations.execute_sql_flush
    setattr(DatabaseOperations, "sql_flush", _sql_flush)  # noqa: B010
    setattr(DatabaseOperations, "execute_sql_flush", _execute_sql_flush)  # noqa: B010
