"""Reads remembered for one batch of work (the IMAP poller's 25 messages in one transaction).

A batch that raises many cases of the same type reads the same configuration for each: the
case type, its routing rules and default team, its standards, the organisation's calendar
version, its escalation rules, the service and the acknowledgement's template.  Inside
``batch()`` such a read goes through ``remembered``, so the batch reads each once; outside a
batch ``remembered`` simply reads.  The batch ends with its transaction, so what is remembered
is what that transaction read: the same answer, a statement cheaper.

Only reads whose answer cannot be changed by the batch's own writes may be remembered (the
keys name the organisation), and the values must be treated as read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

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
