"""Bulk SQL for the few hot paths that move thousands of rows at once (the escalation sweep).

Everything here that is not portable is PostgreSQL-only and falls back to plain statements
elsewhere, so callers write one call for both databases:

* ``insert_rows``: append many rows without building model instances, optionally skipping rows
  a unique constraint refuses and returning columns of the rows inserted.
* ``copy_rows``: append many new rows with ``COPY`` (PostgreSQL; ``insert_rows`` elsewhere).
* ``upsert_rows``: write many rows, updating the named columns of those already there.
* ``fetch_rows``: the rows of a ``values_list`` query, read with psycopg's own (C) loaders.
* ``compile_query``: a queryset compiled once into a ``Compiled`` statement run many times with
  other values (the queue page's two statements).
* ``AnyText``: a filter ``column = ANY(array)`` sending thousands of values as one parameter
  (the call records import's callers matched by number).
* ``present_values``: which of thousands of values some row already has, each value one
  look-up in the index whatever the planner believes of the table (the call records import's
  "already present").
* ``array_text``, ``bound_cursor``, ``load_times_natively``: the pieces the above are made of,
  public for tests and for a statement a caller must write itself.

Table and column names always come from the model's ``_meta`` (never from input), and every
value is sent as a bound parameter: on PostgreSQL each column as one array (``unnest``), so a
statement costs the same whether it writes ten rows or ten thousand.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, models
from django.db.models.constants import OnConflict
from django.db.models.lookups import Lookup

from onestop.core.scoping import ScopedQuerySet, UnscopedQueryError

FEW = 64  # at most this many distinct values in a column: sent once each, rows refer to them


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (values in the order of ``columns``, database column names) into
    ``model``'s table; returns the ``returning`` columns of each row inserted.

    Values are plain: ids, text, aware date-times, JSON as a ``dict`` or ``list``.  A column
    whose value is the same in every row (the organisation, the time) is sent once; one with a
    few distinct values (an action, a label) as those values and each row's position among
    them; the rest as one array each.  ``ignore_conflicts``: rows a unique constraint refuses
    are skipped (and not returned).

    On PostgreSQL one ``INSERT ... SELECT ... FROM unnest(...)``; elsewhere one prepared
    ``INSERT`` run for every row, where ``returning`` gives every row (SQLite serialises
    writers: callers check what was there before)."""
    if not rows:
        return []
    table, names = _names(model, columns)
    if connection.vendor == "postgresql":
        select = _unnest_select(model, columns, rows)
        tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        if returning:
            tail += " RETURNING " + ", ".join(_names(model, returning)[1])
        with bound_cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(names)}) {select.sql}{tail}",
                select.params,
            )
            return [tuple(row) for row in cursor.fetchall()] if returning else []
    insert = connection.ops.insert_statement(
        on_conflict=OnConflict.IGNORE if ignore_conflicts else None
    )
    _execute_many(f"{insert} {table} ({', '.join(names)})", len(columns), rows)
    if not returning:
        return []
    wanted = [list(columns).index(name) for name in returning]
    return [tuple(row[position] for position in wanted) for row in rows]


def copy_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Append ``rows`` (as for ``insert_rows``) to ``model``'s table with PostgreSQL's ``COPY``
    (binary), the fastest way in for many thousands of new rows: no statement to parse, no
    array to spell out.  A unique constraint that refuses a row fails the whole copy, so the
    caller must know the rows are new (e.g. holding a lock and having looked).  Elsewhere
    ``insert_rows``."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        insert_rows(model, columns, rows)
        return
    table, names = _names(model, columns)
    fields = {field.column: field for field in model._meta.concrete_fields}
    types = [str(fields[column].db_type(connection)).split("(")[0] for column in columns]
    statement = f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)"
    with bound_cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def upsert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    unique: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert ``rows`` into ``model``'s table; a row whose ``unique`` columns (a unique
    constraint's, in any order) match one already there updates that row's ``update`` columns
    instead.  One statement on PostgreSQL (``unnest``); one prepared statement per row
    elsewhere."""
    if not rows:
        return
    table, names = _names(model, columns)
    conflict = ", ".join(_names(model, unique)[1])
    changes = ", ".join(f"{name} = EXCLUDED.{name}" for name in _names(model, update)[1])
    # Column names checked against the model's own (``_names``), quoted; no input.
    tail = f" ON CONFLICT ({conflict}) DO UPDATE SET {changes}"
    if connection.vendor == "postgresql":
        select = _unnest_select(model, columns, rows)
        with bound_cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(names)}) {select.sql}{tail}",
                select.params,
            )
        return
    _execute_many(f"INSERT INTO {table} ({', '.join(names)})", len(columns), rows, tail)


def fetch_rows(queryset: models.QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows of ``queryset`` (a ``values_list`` query), as Django would return them, except
    that on PostgreSQL JSON columns arrive as their text (decode what you need).

    On PostgreSQL Django's own statement for the query is run on a cursor that loads times
    with psycopg's loader (written in C) and JSON as text: Django's time loader and JSON
    converter, in Python, cost more than the statement for thousands of rows.  An
    organisation-scoped query is checked as running it would be (fails closed)."""
    _check_scoped(queryset)
    if connection.vendor != "postgresql":
        return [tuple(row) for row in queryset]
    from psycopg.types.string import TextLoader

    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    with bound_cursor() as cursor:
        load_times_natively(cursor)
        cursor.adapters.register_loader("jsonb", TextLoader)
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


# --- one array for many values -------------------------------------------------------------------
class AnyText(Lookup):
    """``column = ANY(%s::text[])`` (PostgreSQL), the values sent as one array parameter: a
    filter expression, ``queryset.filter(AnyText(F("external_id"), ids))``.

    Unlike ``column IN (SELECT unnest(...))``, which the planner may turn into a join that
    reads every row of the leading columns for each batch (a table it believes empty, while
    an import fills it), this is always an index condition when an index leads with the
    other filters' columns and then ``column``: each value one look-up."""

    lookup_name = "any_text"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::text[])", (*lhs_params, array_text(list(self.rhs)))


#: A value no column holds, standing for the probed value while ``present_values`` compiles.
_PROBE = "onestop.core.bulk:probe"


def present_values(
    queryset: models.QuerySet[Any, Any], column: str, values: Sequence[str]
) -> set[str]:
    """Which of ``values`` (text) some row of ``queryset`` has in ``column``.

    On PostgreSQL each value is looked up on its own: ``unnest`` of the values as one array,
    each joined ``LATERAL`` to Django's own statement for ``queryset`` filtered on ``column``
    equal to that value and limited to one row.  A ``LATERAL`` subquery with a ``LIMIT`` is
    never turned into a join, and an equality on every column of an index is always its
    index condition, so each value costs one descent of the index however large the table has
    grown.  ``column = ANY(array)`` (``AnyText``) does not promise that: where the planner
    believes the table small (a table an import is filling, its statistics taken when it was
    empty) it scans every row under the other filters' columns and tests each against the
    array, so an import of a million calls in batches read all it had already written, again
    for each batch (``docs/calls.md``).  Elsewhere, one ``IN`` query.  An organisation-scoped
    query is checked as running it would be (fails closed)."""
    _check_scoped(queryset)
    if not values:
        return set()
    if connection.vendor != "postgresql":
        return {
            str(value)
            for (value,) in queryset.order_by()
            .filter(**{f"{column}__in": values})
            .values_list(column)
        }
    with bound_cursor() as cursor:
        cursor.execute(*present_statement(queryset, column, values))
        return {value for (value,) in cursor.fetchall()}


def present_statement(
    queryset: models.QuerySet[Any, Any], column: str, values: Sequence[str]
) -> tuple[str, list[Any]]:
    """``present_values``' statement on PostgreSQL and its parameters (for a bound cursor)."""
    probe = queryset.order_by().filter(**{column: _PROBE}).values_list(column)[:1]
    sql, params = probe.query.get_compiler(connection=connection).as_sql()
    pieces = sql.split("%s")
    slots = [position for position, value in enumerate(params) if value == _PROBE]
    if "%%" in sql or len(pieces) != len(params) + 1 or len(slots) != 1:
        raise ValueError(f"present_values cannot probe {column!r} of this query: {sql}")
    (slot,) = slots
    inner = "".join(
        piece + ("" if at == len(params) else "v.value" if at == slot else "%s")
        for at, piece in enumerate(pieces)
    )
    # Django's own SQL for the query (names from the models, values as parameters).
    statement = "SELECT v.value FROM unnest(%s::text[]) AS v(value) CROSS JOIN LATERAL "
    statement += f"({inner}) AS hit"
    return statement, [
        array_text(list(values)),
        *(value for at, value in enumerate(params) if at != slot),
    ]


# --- statements compiled once -------------------------------------------------------------------
@dataclass(frozen=True)
class Compiled:
    """A compiled statement: its SQL, its parameters with ``None`` where a value goes (named
    in ``slots``), and the converters Django applies to its columns (e.g. JSON, SQLite times)."""

    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]

    def run(self, using: str, values: dict[str, Any]) -> list[Any]:
        connection = connections[using]
        params = list(self.params)
        for position, name in self.slots:
            value = values[name]
            if isinstance(value, datetime.datetime):
                value = connection.ops.adapt_datetimefield_value(value)
            params[position] = value
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                load_times_natively(cursor.cursor)
            cursor.execute(self.sql, params)
            rows: list[Any] = cursor.fetchall()
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, functions, expression in self.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(row)
        return converted


def compile_query(queryset: models.QuerySet[Any, Any], markers: dict[str, Any]) -> Compiled | None:
    """``queryset`` compiled once, for a statement run often with different values: the
    parameters equal to one of ``markers`` (name -> a value no real query uses, e.g. a negative
    id or a date in 1901) become slots that ``Compiled.run`` fills by name.  ``None`` when a
    marker is not found as given, or the query can match nothing (then run the queryset as it
    is).  An organisation-scoped query is checked as running it would be (fails closed).

    Building and compiling a queryset with annotations can cost more than running it; the
    compiled statement is Django's own, so it stays correct as the models change."""
    _check_scoped(queryset)
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    connection = connections[queryset.db]
    adapted = {
        name: connection.ops.adapt_datetimefield_value(marker)
        if isinstance(marker, datetime.datetime)
        else marker
        for name, marker in markers.items()
    }
    slots = []
    values = list(params)
    for position, value in enumerate(params):
        for name, marker in adapted.items():
            if type(value) is type(marker) and value == marker:
                slots.append((position, name))
                values[position] = None
    if {name for _, name in slots} != set(markers):
        return None
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    return Compiled(
        sql=sql,
        params=tuple(values),
        slots=tuple(slots),
        converters=tuple(
            (position, tuple(functions), expression)
            for position, (functions, expression) in converters.items()
        ),
    )


def bound_cursor() -> Any:
    """A PostgreSQL cursor on Django's connection (same transaction) that sends parameters
    bound rather than spelt into the SQL (Django's cursor would quote arrays of thousands of
    values into the statement)."""
    import psycopg

    from onestop.core import batch

    batch.write_inserts()  # its statements do not pass ``deferred_inserts``'s check
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def load_times_natively(cursor: Any) -> None:
    """Make a psycopg cursor read ``timestamp with time zone`` columns with psycopg's own loader
    (written in C in psycopg-binary) instead of Django's Python subclass of it, which costs more
    than a small statement itself when a page reads hundreds of times.

    Both give aware date-times in the session's time zone, which Django sets to UTC; only this
    cursor changes, not the connection.  PostgreSQL only (``connection.vendor``)."""
    import psycopg
    from psycopg.pq import Format

    timestamptz = psycopg.adapters.types["timestamptz"].oid
    cursor.adapters.register_loader(
        timestamptz, psycopg.adapters.get_loader(timestamptz, Format.TEXT)
    )


def array_text(values: Sequence[Any]) -> str:
    """``values`` as the text of a PostgreSQL array: integers as they are, null as ``NULL``,
    everything else quoted (a backslash and a double quote escaped, so any text is taken
    literally; PostgreSQL text cannot hold NUL).  One join in C for integers and for text, not
    one adaptation per value in Python."""
    if all(type(value) is int for value in values):
        return "{" + ",".join(map(str, values)) + "}"
    if all(type(value) is str for value in values):
        # Joined by NUL, which PostgreSQL text cannot hold, then escaped in one pass and the
        # NULs made the separators.
        joined = "\x00".join(values)
        if joined.count("\x00") == len(values) - 1:
            escaped = joined.replace("\\", "\\\\").replace('"', '\\"')
            return '{"' + escaped.replace("\x00", '","') + '"}'
    return "{" + ",".join(map(_array_element, values)) + "}"


# --- inside --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Select:
    sql: str
    params: list[Any]


def _check_scoped(queryset: models.QuerySet[Any, Any]) -> None:
    if isinstance(queryset, ScopedQuerySet) and not queryset.is_scoped():
        raise UnscopedQueryError(
            f"{queryset.model.__name__} holds organisation data: scope the query "
            "(for_user, for_organisation or unscoped) before reading it in bulk."
        )


def _names(model: type[models.Model], columns: Sequence[str]) -> tuple[str, list[str]]:
    """The quoted table name and ``columns``, each checked to be a column of ``model``."""
    known = {field.column for field in model._meta.concrete_fields}
    unknown = [column for column in columns if column not in known]
    if unknown:
        raise ValueError(f"{model._meta.label} has no column {unknown[0]!r}")
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), [quote(column) for column in columns]


def _execute_many(insert: str, width: int, rows: Sequence[Sequence[Any]], tail: str = "") -> None:
    with connection.cursor() as cursor:
        cursor.executemany(
            f"{insert} VALUES ({', '.join(['%s'] * width)}){tail}",
            [[_adapted(value) for value in row] for row in rows],
        )


def _unnest_select(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> _Select:
    """``SELECT ... FROM unnest(...)`` producing ``rows`` (see ``insert_rows``)."""
    fields = {field.column: field for field in model._meta.concrete_fields}
    select: list[str] = []
    select_params: list[Any] = []
    arrays: list[str] = []
    array_params: list[str] = []
    for position, column in enumerate(columns):
        db_type = fields[column].db_type(connection)
        if (
            db_type is None
            or not db_type.replace(" ", "").replace("(", "").replace(")", "").isalnum()
        ):
            raise ValueError(f"{column} has no plain database type")
        values = [row[position] for row in rows]
        if isinstance(fields[column], models.JSONField):
            values = _json_texts(values)
        first = values[0]
        if all(value == first for value in values):
            select.append(f"%s::{db_type}")
            select_params.append(_plain(first))
            continue
        distinct = list(dict.fromkeys(values))
        if len(distinct) <= FEW and len(distinct) * 4 < len(values):
            index = {value: number for number, value in enumerate(distinct, start=1)}
            select.append(f"(%s::{db_type}[])[new.c{len(arrays)}]")
            select_params.append(array_text(distinct))
            arrays.append("integer")
            array_params.append(array_text([index[value] for value in values]))
            continue
        select.append(f"new.c{len(arrays)}")
        arrays.append(db_type)
        array_params.append(array_text(values))
    if not arrays:  # every row the same: unnest something of the right length
        arrays.append("integer")
        array_params.append(array_text([1] * len(rows)))
    unnest = ", ".join(f"%s::{db_type}[]" for db_type in arrays)
    aliases = ", ".join(f"c{number}" for number in range(len(arrays)))
    # Only database types of the model's fields (checked above) and placeholders.
    columns_sql = ", ".join(select)
    sql = f"SELECT {columns_sql} FROM unnest({unnest}) AS new ({aliases})"  # noqa: S608
    return _Select(sql=sql, params=[*select_params, *array_params])


def _json_texts(values: list[Any]) -> list[Any]:
    """Each value of a JSON column as its text, written once per distinct ``dict`` (bulk rows
    often share a handful of payloads)."""
    written: dict[Any, str] = {}
    texts: list[Any] = []
    for value in values:
        if not isinstance(value, dict):
            texts.append(_plain(value))
            continue
        try:
            key = tuple(value.items())
            found = written.get(key)
        except TypeError:  # a value that cannot be a key (a list): written every time
            texts.append(_plain(value))
            continue
        if found is None:
            found = written[key] = _plain(value)
        texts.append(found)
    return texts


def _array_element(value: Any) -> str:
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        value = value.isoformat()
    text = str(_plain(value))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _plain(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict | list) else value


def _adapted(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return _plain(value)
