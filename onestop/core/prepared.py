"""Reads that every public page makes, with their SQL built once per database.

A one-row read through the ORM spends most of its time building the statement (the query's
clone, the lookups, the compiler), not in the database: on the residents' lightest pages,
whose templates render in under a millisecond, that was a third of the request.  A
``PreparedRead`` builds its queryset's SQL once per database alias, the first time it is run,
with a marker where the parameter goes, and from then on runs that SQL with the parameter put
back, through ``QuerySet.raw`` (so the rows become model instances exactly as the ORM makes
them, each column through its field's converters).

It is a read like any other: every call asks the database, so what it answers is as fresh as
the queryset's own answer would be.  Only the statement is remembered, and a statement depends
only on the models and the database's vendor, which do not change while a process runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import models, router

M = TypeVar("M", bound=models.Model)

# Stands for the parameter while the statement is built, so that it is found among the
# compiled parameters (the build's other parameters are the queryset's own constants).
MARKER = "onestop.prepared:parameter"


class PreparedRead(Generic[M]):
    """``build(parameter)`` is the queryset (of ``model``, with no ``select_related``,
    annotations or ``values``: ``raw`` makes plain instances); ``first(value)`` and
    ``all(value)`` run it for ``value``."""

    def __init__(self, model: type[M], build: Callable[[Any], models.QuerySet[M]]) -> None:
        self.model = model
        self._build = build
        self._statements: dict[str, tuple[str, tuple[Any, ...]]] = {}

    def _statement(self, using: str) -> tuple[str, tuple[Any, ...]]:
        found = self._statements.get(using)
        if found is None:
            queryset = self._build(MARKER).using(using)
            sql, params = queryset.query.get_compiler(using).as_sql()
            found = self._statements[using] = (sql, tuple(params))
        return found

    def all(self, value: Any = None) -> list[M]:
        using = router.db_for_read(self.model)
        sql, params = self._statement(using)
        bound = [value if param == MARKER else param for param in params]
        return list(self.model._default_manager.using(using).raw(sql, bound))

    def first(self, value: Any = None) -> M | None:
        found = self.all(value)
        return found[0] if found else None
