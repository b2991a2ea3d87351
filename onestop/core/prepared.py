"""Reads that every public page makes, with their SQL built once per database.

A one-row read through the ORM spends most of its time building the statement (the query's
clone, the lookups, the compiler), not in the database: on the residents' lightest pages,
whose templates render in under a millisecond, that was a third of the request.  A
``PreparedRead`` builds its queryset's SQL once per database alias, the first time it is run,
with a marker where the parameter goes, and from then on runs that SQL with the parameter put
back, turning each row into a model instance as the ORM does (each column through the
database's and its field's converters, then ``Model.from_db``).

It is a read like any other: every call asks the database, so what it answers is as fresh as
the queryset's own answer would be.  Only the statement is remembered, and a statement depends
only on the models and the database's vendor, which do not change while a process runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)

# Stands for the parameter while the statement is built, so that it is found among the
# compiled parameters (the build's other parameters are the queryset's own constants).
MARKER = "onestop.prepared:parameter"


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    columns: tuple[Any, ...]  # the selected columns (``Col`` expressions), in order
    attnames: tuple[str, ...]  # the model's field each column fills


class PreparedRead(Generic[M]):
    """``build(parameter)`` is the queryset: of ``model``'s own columns only (no
    ``select_related``, annotations, ``values`` or extra selects; ``only`` and ``defer`` are
    fine); ``first(value)`` and ``all(value)`` run it for ``value``."""

    def __init__(self, model: type[M], build: Callable[[Any], models.QuerySet[M]]) -> None:
        self.model = model
        self._build = build
        self._statements: dict[str, _Statement] = {}

    def _statement(self, using: str) -> _Statement:
        found = self._statements.get(using)
        if found is None:
            compiler = self._build(MARKER).using(using).query.get_compiler(using)
            sql, params = compiler.as_sql()
            info = compiler.klass_info
            selected = [column for column, _sql, _alias in compiler.select]
            plain = (
                info is not None
                and info["model"] is self.model
                and not info.get("related_klass_infos")
                and not compiler.annotation_col_map
                and list(info["select_fields"]) == list(range(len(selected)))
            )
            if not plain:
                raise ValueError("A prepared read selects its model's own columns only.")
            found = self._statements[using] = _Statement(
                sql=sql,
                params=tuple(params),
                columns=tuple(selected),
                attnames=tuple(column.target.attname for column in selected),
            )
        return found

    def all(self, value: Any = None) -> list[M]:
        using = router.db_for_read(self.model)
        statement = self._statement(using)
        connection = connections[using]
        bound = [value if param == MARKER else param for param in statement.params]
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, bound)
            rows = cursor.fetchall()
        if not rows:
            return []
        converters = [
            (position, converting, column)
            for position, column in enumerate(statement.columns)
            if (
                converting := [
                    *connection.ops.get_db_converters(column),
                    *column.get_db_converters(connection),
                ]
            )
        ]
        found = []
        for row in rows:
            values = list(row)
            for position, converting, column in converters:
                for converter in converting:
                    values[position] = converter(values[position], column, connection)
            found.append(self.model.from_db(using, statement.attnames, values))
        return found

    def first(self, value: Any = None) -> M | None:
        found = self.all(value)
        return found[0] if found else None
