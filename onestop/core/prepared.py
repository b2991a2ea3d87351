"""Reads that pages make on every request, with their SQL built once per database.

A read through the ORM spends most of its time building the statement (the query's clones,
the lookups, the joins, the compiler), not in the database: on the residents' pages, whose
templates render in a millisecond or two, that was more than the template.  A
``PreparedRead`` builds its queryset's SQL once per database alias, the first time it is run,
with a marker where each parameter goes, and from then on runs that SQL with the parameters put
back, turning each row into model instances as the ORM's own iterator does (each column
through the database's and its field's converters, ``Model.from_db``, and the related rows of
``select_related`` through Django's related populators).

It is a read like any other: every call asks the database, so what it answers is as fresh as
the queryset's own answer would be.  Only the statement is remembered, and a statement depends
only on the models and the database's vendor, which do not change while a process runs.

Organisation scoping (``core.scoping``) is checked when the statement is built: a queryset of
organisation data that does not pin an organisation is refused then, as running it would be.
The organisation is usually a parameter, so the statement cannot forget it afterwards.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, models, router
from django.db.models.query import ModelIterable, get_related_populators

M = TypeVar("M", bound=models.Model)
#: The columns a read converts: position, column and its converters.
_Converting = tuple[tuple[int, Any, tuple[Any, ...]], ...]

# Stand for the parameters while the statement is built.  It is built twice, with two sets of
# markers: a parameter of the compiled statement that differs between the two is one of the
# read's (its marker says which), one that does not is one of the queryset's own constants.
# Integer markers fit every integer column, a positive small integer's included (Django finds
# no row for a value out of a column's range, and would build another statement).
MARKER = "onestop.prepared:parameter"


def _marker(kind: type, position: int, build: int) -> Any:
    if kind is int:
        return 30_001 + 1_000 * build + position
    if kind is str:
        return f"{MARKER}:{build}:{position}"
    raise TypeError(f"A prepared read takes str and int parameters, not {kind.__name__}.")


@dataclass(frozen=True)
class _Statement:
    sql: str
    #: Each of the statement's parameters: ``(True, n)`` the read's n-th argument, or
    #: ``(False, value)`` one of the queryset's own constants.
    slots: tuple[tuple[bool, Any], ...]
    select: tuple[Any, ...]  # the compiler's selection: ``(expression, sql, alias)``, in order
    klass_info: dict[str, Any] | None  # the ORM's description of the instances (None: values)
    model_columns: slice  # the columns of the read's own model
    attnames: tuple[str, ...]  # the model's field each of those columns fills


class PreparedRead(Generic[M]):
    """``build(*parameters)`` is the queryset: any filter, ``select_related``, ``only`` or
    ``defer``, ordering and slicing of ``model``'s rows (no annotations or extra selects), or a
    ``values_list`` of them (read with ``rows``).  ``parameters`` are the types of its
    parameters, ``str`` or ``int``, each used only as a whole lookup value (``exact``, ``in``,
    ``gt``...; not ``contains``, whose value the ORM changes).  ``all(*values)``,
    ``first(*values)`` and ``rows(*values)`` run it for ``values``."""

    def __init__(
        self,
        model: type[M],
        build: Callable[..., models.QuerySet[Any]],
        *,
        parameters: tuple[type, ...] = (str,),
    ) -> None:
        self.model = model
        self._build = build
        self._parameters = parameters
        self._statements: dict[str, _Statement] = {}
        # Per connection (each thread has its own): forgotten with the connection.
        self._converters: weakref.WeakKeyDictionary[Any, _Converting] = weakref.WeakKeyDictionary()

    def _statement(self, using: str) -> _Statement:
        found = self._statements.get(using)
        if found is not None:
            return found
        builds = []
        for build in (0, 1):
            markers = [
                _marker(kind, position, build) for position, kind in enumerate(self._parameters)
            ]
            queryset = self._build(*markers).using(using)
            check = getattr(queryset, "_check_scoped", None)
            if check is not None:
                check()  # organisation data: refused unless an organisation is pinned
            compiler = queryset.query.get_compiler(using)
            builds.append((markers, compiler, *compiler.as_sql()))
        instances = queryset._iterable_class is ModelIterable
        (markers, compiler, sql, params), (_markers, _compiler, other_sql, other_params) = builds
        if other_sql != sql or len(other_params) != len(params):
            raise ValueError("A prepared read's statement depends on its parameters' values.")
        slots: list[tuple[bool, Any]] = []
        for param, other in zip(params, other_params, strict=True):
            if param == other:
                slots.append((False, param))
            elif param in markers:
                slots.append((True, markers.index(param)))
            else:
                raise ValueError(
                    "A prepared read's parameters are whole lookup values (not changed by their "
                    "lookup, as contains changes its value)."
                )
        unused = set(range(len(markers))) - {value for is_arg, value in slots if is_arg}
        if unused:
            raise ValueError(f"A prepared read's parameter {min(unused)} is not in its statement.")
        selected = [column for column, _sql, _alias in compiler.select]
        info = compiler.klass_info if instances else None
        if len(selected) != compiler.col_count or (
            instances and (compiler.annotation_col_map or info is None)
        ):
            raise ValueError("A prepared read selects its models' columns only.")
        if info is not None and info["model"] is not self.model:
            raise ValueError("A prepared read selects its model's rows only.")
        own = slice(0, 0)
        if info is not None:
            own = slice(info["select_fields"][0], 1 + info["select_fields"][-1])
        found = self._statements[using] = _Statement(
            sql=sql,
            slots=tuple(slots),
            select=tuple(compiler.select),
            klass_info=info,
            model_columns=own,
            attnames=tuple(column.target.attname for column in selected[own]),
        )
        return found

    def _run(self, values: tuple[Any, ...]) -> tuple[str, _Statement, list[list[Any]]]:
        if len(values) != len(self._parameters):
            raise TypeError(
                f"This prepared read takes {len(self._parameters)} parameters, not {len(values)}."
            )
        given = []
        for value, kind in zip(values, self._parameters, strict=True):
            if not isinstance(value, kind) or isinstance(value, bool):
                raise TypeError(f"A prepared read's parameter must be a {kind.__name__}.")
            given.append(kind(value))  # a plain str or int, as the markers were
        using = router.db_for_read(self.model)
        statement = self._statement(using)
        connection = connections[using]
        bound = [given[value] if is_arg else value for is_arg, value in statement.slots]
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, bound)
            fetched = cursor.fetchall()
        if not fetched:
            return using, statement, []
        converting = self._converting(statement, connection)
        if not converting:
            return using, statement, [list(row) for row in fetched]
        rows = [list(row) for row in fetched]
        for position, column, converters in converting:
            for converter in converters:
                for row in rows:
                    row[position] = converter(row[position], column, connection)
        return using, statement, rows

    def _converting(self, statement: _Statement, connection: Any) -> _Converting:
        """Each column that has converters, with them (the database's, then the field's), as
        the ORM's compiler finds them: found once per connection (a converter may be a method
        of the connection's operations), not on every read."""
        found = self._converters.get(connection)
        if found is None:
            found = self._converters[connection] = tuple(
                (position, column, converters)
                for position, (column, _sql, _alias) in enumerate(statement.select)
                if (
                    converters := (
                        *connection.ops.get_db_converters(column),
                        *column.get_db_converters(connection),
                    )
                )
            )
        return found

    def all(self, *values: Any) -> list[M]:
        using, statement, rows = self._run(values)
        if statement.klass_info is None:
            raise ValueError("A prepared read of values is read with rows().")
        if not rows:
            return []
        # Django 5.2's signature (the type stubs follow 6.0, which adds a fetch mode).
        populators = get_related_populators(  # type: ignore[call-arg]
            statement.klass_info, list(statement.select), using
        )
        found = []
        for row in rows:
            instance = self.model.from_db(using, statement.attnames, row[statement.model_columns])
            for populator in populators:
                populator.populate(row, instance)
            found.append(instance)
        return found

    def first(self, *values: Any) -> M | None:
        found = self.all(*values)
        return found[0] if found else None

    def rows(self, *values: Any) -> list[tuple[Any, ...]]:
        """A ``values_list`` read's rows, converted as the ORM converts them."""
        _using, statement, rows = self._run(values)
        if statement.klass_info is not None:
            raise ValueError("A prepared read of instances is read with all() or first().")
        return [tuple(row) for row in rows]
