"""Reads remembered for one batch of work (the IMAP poller's 25 messages in one transaction).

A batch that raises many cases of the same type reads the same configuration for each: the
case type, its routing rules and default team, its standards, the organisation's calendar
version, its escalation rules, the service and the acknowledgement's template.  Inside
``batch()`` such a read goes through ``remembered``, so the batch reads each once; outside a
batch ``remembered`` simply reads.  The batch ends with its transaction, so what is remembered
is what that transaction read: the same answer, a statement cheaper.

Only reads whose answer cannot be changed by the batch's own writes may be remembered (the
keys name the organisation), and the values must be treated as read-only.  A caller that has
just read (or written) something for many at once gives it with ``remember``; a service that
changes it ``forget``s it (``customers``: how a customer can be reached).

``deferred_inserts``: inside the batch's all-or-nothing transaction, the rows the services hand
to ``insert`` (and ``upsert``) are written together, one ``COPY ... FROM STDIN`` per table (an
``INSERT`` for an upsert, or a row holding an expression), before the next other statement and
when the block ends (PostgreSQL; elsewhere each is inserted at once).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar

from django.db import models
from django.db.models import Model

T = TypeVar("T")
_remembered: ContextVar[dict[Hashable, Any] | None] = ContextVar(
    "onestop_batch_remembered", default=None
)


@contextmanager
def batch() -> Iterator[None]:
    """Remember reads made through ``remembered`` until the block ends (nested: the outer
    batch's memory is used)."""
    if _remembered.get() is not None:
        yield
        return
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def remembered(key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, or inside a batch what it returned the first time for ``key`` (an exception
    is not remembered)."""
    memory = _remembered.get()
    if memory is None:
        return read()
    if key in memory:
        value: T = memory[key]
        return value
    value = read()
    memory[key] = value
    return value


def remember(key: Hashable, value: Any) -> None:
    """Inside a batch: what ``remembered(key, ...)`` answers from now on, given by the caller
    who has just read or written it for many at once (outside a batch: nothing)."""
    memory = _remembered.get()
    if memory is not None:
        memory[key] = value


def recall(key: Hashable) -> tuple[bool, Any]:
    """``(True, value)`` when the batch remembers ``key``, else ``(False, None)``."""
    memory = _remembered.get()
    if memory is None or key not in memory:
        return False, None
    return True, memory[key]


def forget(key: Hashable) -> None:
    """The batch no longer remembers ``key`` (its answer was just changed)."""
    memory = _remembered.get()
    if memory is not None:
        memory.pop(key, None)


def active() -> bool:
    """Whether a batch is remembering reads."""
    return _remembered.get() is not None


@contextmanager
def without_savepoints(using: str | None = None) -> Iterator[None]:
    """Inside an atomic block: the atomic blocks opened within make no savepoint of their own.

    A batch that writes many messages' rows in one transaction pays two statements per nested
    ``transaction.atomic()`` (``SAVEPOINT``, ``RELEASE``), about ten per e-mail received, for
    the ability to roll back a part and go on.  A batch that would rather redo the whole batch
    the slow way when anything goes wrong turns them off here: an exception leaving any nested
    block then marks the whole transaction for rollback (Django's own rule for
    ``atomic(savepoint=False)``), and any statement after it raises, so the failure cannot be
    missed.  The caller's own block (opened before this) keeps its savepoint, so the caller
    rolls back to it and retries with savepoints (``channels.services.imap._take``).

    ``atomic`` asks the connection for a savepoint (``connection.savepoint()``), which answers
    ``None`` where savepoints cannot be made, and the block then goes without.  For the block,
    this connection (one per thread) answers ``None``; the method is put back after."""
    from django.db import connections

    connection = connections[using or "default"]
    if not connection.in_atomic_block:
        raise RuntimeError("without_savepoints() belongs inside transaction.atomic()")
    if "savepoint" in vars(connection):  # nested: the outer block already turned them off
        yield
        return

    def no_savepoint() -> None:
        return None

    connection.savepoint = no_savepoint  # type: ignore[method-assign]
    try:
        yield
    finally:
        del connection.savepoint


# --- inserts written together -------------------------------------------------------------------
class _Inserts:
    """The rows ``insert`` and ``upsert`` hold back in one ``deferred_inserts`` block."""

    def __init__(self, connection: Any, size: int) -> None:
        self.connection = connection
        self.size = size
        self.ids: dict[type[Model], list[int]] = {}
        self.rows: dict[type[Model], list[Model]] = {}
        self.upserts: dict[tuple[type[Model], tuple[str, ...], tuple[str, ...]], dict[Any, Model]]
        self.upserts = {}
        self.busy = False  # writing the rows (or taking ids): the statements go straight through

    def next_id(self, model: type[Model]) -> int:
        ids = self.ids.setdefault(model, [])
        if not ids:
            table, column = model._meta.db_table, model._meta.pk.column
            self.busy = True
            try:
                with self.connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                        "FROM generate_series(1, %s) ORDER BY 1",
                        [self.connection.ops.quote_name(table), column, self.size],
                    )
                    ids.extend(int(row[0]) for row in cursor.fetchall())
            finally:
                self.busy = False
            ids.reverse()  # taken from the end: the smallest first
        return ids.pop()

    def pending(self) -> bool:
        return bool(self.rows or self.upserts)

    def write(self) -> None:
        """Write every row held back, one statement per table (and per kind of upsert)."""
        rows, upserts = self.rows, self.upserts
        self.rows, self.upserts = {}, {}
        self.busy = True
        try:
            for model, objs in rows.items():
                fields = [f for f in model._meta.concrete_fields if not f.generated]
                if not self.copy(model, objs, fields):
                    # ``raw``: the values as ``insert`` prepared them (its ``pre_save``).
                    model._base_manager._insert(  # type: ignore[attr-defined]
                        objs, fields=fields, raw=True, using=self.connection.alias
                    )
            for (model, unique, update), keyed in upserts.items():
                model._base_manager.using(self.connection.alias).bulk_create(
                    list(keyed.values()),
                    update_conflicts=True,
                    unique_fields=list(unique),
                    update_fields=list(update),
                )
        finally:
            self.busy = False

    def copy(self, model: type[Model], objs: list[Model], fields: list[Any]) -> bool:
        """Write ``objs`` with ``COPY ... FROM STDIN``: the values Django's ``INSERT`` would
        send (each field's ``get_db_prep_save`` of what ``insert`` prepared), adapted by
        psycopg's own (C) dumpers, with no statement to compile nor arrays to spell out.
        ``False`` (nothing written) when a value is an expression, which only an ``INSERT``
        can carry.  The statement is logged as Django's cursor logs its own (query capture)."""
        connection = self.connection
        # Each field with the type of value it sends unchanged (``_plain_type``): such a value
        # (or None) is sent as it is; any other goes through the field's ``get_db_prep_save``,
        # unless it is an expression, which only an ``INSERT`` can carry.
        columns = [(f, f.attname, _plain_type(f, connection)) for f in fields]
        prepared: list[list[Any]] = []
        for obj in objs:
            row: list[Any] = []
            for f, attname, kind in columns:
                value = getattr(obj, attname)
                if kind is not None and (
                    value is None
                    or (
                        type(value) is kind
                        and (kind is not datetime or getattr(value, "tzinfo", None) is not None)
                    )
                    or (kind is str and isinstance(value, str))
                ):
                    row.append(value)
                elif hasattr(value, "resolve_expression"):
                    return False
                else:
                    row.append(f.get_db_prep_save(value, connection=connection))
            prepared.append(row)
        quote = connection.ops.quote_name
        statement = (
            f"COPY {quote(model._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
        )
        began = time.monotonic()
        with (
            connection.wrap_database_errors,
            connection.connection.cursor() as cursor,
            cursor.copy(statement) as copy,
        ):
            for row in prepared:
                copy.write_row(row)
        if connection.queries_logged:
            connection.queries_log.append(
                {
                    "sql": f"{statement} -- {len(prepared)} rows",
                    "time": f"{time.monotonic() - began:.3f}",
                }
            )
        return True

    def before_statement(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if not self.busy and self.pending():
            self.write()
        return execute(sql, params, many, context)


# Django's own fields whose ``get_db_prep_save`` gives back a value of this exact type (and
# None) as it is, or as the same number (``int`` wrapped for psycopg's binding, which the text
# of a ``COPY`` does not need): the ``COPY`` sends such values without the call.  Text fields
# give back any ``str`` as it is (a ``TextChoices`` member too).
_PLAIN_TYPES: dict[type[models.Field[Any, Any]], type] = {
    **dict.fromkeys((models.CharField, models.TextField, models.SlugField, models.EmailField), str),
    **dict.fromkeys(
        (
            models.AutoField,
            models.BigAutoField,
            models.SmallAutoField,
            models.IntegerField,
            models.BigIntegerField,
            models.SmallIntegerField,
            models.PositiveIntegerField,
            models.PositiveBigIntegerField,
            models.PositiveSmallIntegerField,
        ),
        int,
    ),
    models.BooleanField: bool,
}
# And on PostgreSQL (the only database ``deferred_inserts`` holds rows for), whose
# ``adapt_datetimefield_value`` is the value itself: an aware ``datetime`` (a naive one goes
# through Django, which warns and makes it aware).
_POSTGRESQL_PLAIN_TYPES: dict[type[models.Field[Any, Any]], type] = {
    **_PLAIN_TYPES,
    models.DateTimeField: datetime,
}


def _plain_type(field: Any, connection: Any) -> type | None:
    """The type of value ``field`` writes unchanged on ``connection`` (``_PLAIN_TYPES``; a
    foreign key its target's), None when every value goes through ``get_db_prep_save``."""
    if type(field) in (models.ForeignKey, models.OneToOneField):
        field = field.target_field
    plain = _POSTGRESQL_PLAIN_TYPES if connection.vendor == "postgresql" else _PLAIN_TYPES
    return plain.get(type(field))


_inserts: ContextVar[_Inserts | None] = ContextVar("onestop_batch_inserts", default=None)


@contextmanager
def deferred_inserts(size: int) -> Iterator[None]:
    """Inside a transaction that is all or nothing (``without_savepoints``: the IMAP poller's
    batch): the rows given to ``insert`` and ``upsert`` are written together, one statement per
    table, instead of one each (``COPY``: psycopg adapts the values in C, where an ``INSERT``
    of 25 rows cost more in Django's compiler and in spelling out its arrays than the rows
    themselves).

    Each row gets its id when it is given (taken from its table's sequence ``size`` at a time,
    in one statement), so whatever refers to it can be written at once; foreign keys are
    checked at the commit (Django makes them ``DEFERRABLE INITIALLY DEFERRED``).  The rows are
    written before any other statement runs on the connection (a read sees every row given
    before it, as if each had been inserted at once) and when the block ends.  A row the
    database refuses fails that later statement instead of its own: the whole batch fails, and
    is redone without this block, each message with its own error.  PostgreSQL only: elsewhere
    (SQLite) each row is inserted when it is given."""
    from django.db import DEFAULT_DB_ALIAS, connections

    # The connection itself, not ``django.db.connection`` (a proxy that looks the connection up
    # again at each attribute: a fifth of the rows' ``COPY`` time went on it).
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        raise RuntimeError("deferred_inserts() belongs inside transaction.atomic()")
    if connection.vendor != "postgresql" or _inserts.get() is not None:
        yield
        return
    inserts = _Inserts(connection, max(1, size))
    token = _inserts.set(inserts)
    try:
        with connection.execute_wrapper(inserts.before_statement):
            yield
            if inserts.pending():
                inserts.write()
    finally:
        _inserts.reset(token)


class _Shape:
    """What ``insert`` needs to know of a model, worked out once per model: whether its rows
    can be held back (a table of its own, numbered by a sequence), and the fields whose
    ``pre_save`` does more than read the value (Django's own ``Field.pre_save`` only reads it:
    the ``auto_now`` times, files and any field of a class with its own ``pre_save``)."""

    __slots__ = ("deferrable", "pre_save")

    def __init__(self, model: type[Model]) -> None:
        meta = model._meta
        self.deferrable = not (
            meta.parents
            or meta.pk is None
            or meta.pk.get_internal_type() not in ("AutoField", "BigAutoField", "SmallAutoField")
        )
        self.pre_save = tuple(
            f
            for f in meta.concrete_fields
            if not f.primary_key
            and not f.generated
            and type(f).pre_save is not models.Field.pre_save
        )


_shapes: dict[type[Model], _Shape] = {}


def _shape(model: type[Model]) -> _Shape:
    shape = _shapes.get(model)
    if shape is None:
        shape = _shapes[model] = _Shape(model)
    return shape


def _deferrable(inserts: _Inserts | None, obj: Model) -> _Inserts | None:
    if (
        inserts is None
        or not _shape(type(obj)).deferrable
        or (obj._state.db or inserts.connection.alias) != inserts.connection.alias
    ):
        return None
    return inserts


def insert(obj: Model) -> None:
    """``obj.save(force_insert=True)``; inside ``deferred_inserts``, ``obj`` is given its id and
    its values (``auto_now`` times, foreign keys) now and written with the block's others."""
    inserts = _deferrable(_inserts.get(), obj)
    if inserts is None or obj.pk is not None:
        obj.save(force_insert=True)
        return
    obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    obj.pk = inserts.next_id(type(obj))
    for f in _shape(type(obj)).pre_save:
        f.pre_save(obj, True)  # sets the ``auto_now`` times, as ``save`` would
    obj._state.adding = False
    obj._state.db = inserts.connection.alias
    inserts.rows.setdefault(type(obj), []).append(obj)


def upsert(
    rows: models.QuerySet[Any] | Callable[[], models.QuerySet[Any]],
    obj: Model,
    *,
    unique_fields: list[str],
    update_fields: list[str],
) -> None:
    """``rows.bulk_create([obj], update_conflicts=True, ...)``: ``obj`` inserted, or the row
    with its ``unique_fields`` given its ``update_fields``.  Inside ``deferred_inserts``, written
    with the block's others (of several for the same row, the last given).  ``rows`` may be a
    function answering the queryset, called only when it is used (a scoped queryset costs
    more to build than the row it would write)."""
    inserts = _deferrable(_inserts.get(), obj)
    if inserts is None:
        if callable(rows):
            rows = rows()
        rows.bulk_create(
            [obj], update_conflicts=True, unique_fields=unique_fields, update_fields=update_fields
        )
        return
    obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    key = tuple(
        getattr(obj, getattr(obj._meta.get_field(name), "attname", name)) for name in unique_fields
    )
    group = (type(obj), tuple(unique_fields), tuple(update_fields))
    inserts.upserts.setdefault(group, {})[key] = obj


def write_inserts() -> None:
    """Write the rows ``deferred_inserts`` holds back now (before a statement that does not go
    through Django's cursor, such as ``core.bulk.bound_cursor``'s)."""
    inserts = _inserts.get()
    if inserts is not None and not inserts.busy and inserts.pending():
        inserts.write()
