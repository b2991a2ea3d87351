"""Fixtures built once for a run of tests that ask for the same ones, as Django's
``TestCase.setUpTestData`` builds a class's data once.

Building a council with its roles, its staff and the cases world costs more than most tests'
own work (about half of the suite's CPU went to such set-up). A fixture made with
``@shared_fixture`` is built once, inside a transaction of its own, for consecutive tests of a
module that ask for exactly the same shared fixtures. Each test runs in a savepoint inside that
transaction (pytest-django's ``db``), so it starts from the rows as built, whatever the test
before it did; and each test gets its own deep copy of the built objects (one copy per test, so
``world.organisation is council`` still holds), so an object a test changed in memory is not
the next test's.

A test gets what it would have got from a fixture built for it alone:

* only the shared fixtures *it* asks for (directly or through other fixtures) are in the
  database: when the next test asks for another set, the transaction is rolled back and the new
  set is built;
* the transaction never outlives its module's tests (a module's own fixtures, such as the
  loaded demo, may hold a transaction around it) or a test that is not in it;
* a transactional test (``transaction=True``, ``transactional_db``, ``live_server``) gets
  fixtures built for it alone, as before: its data must be committed; so does a test using a
  fixture marked ``@builds_per_test`` (one that must come before any fixture writes, such as a
  clock standing still);
* the shared fixtures are built in the order the test would have built them.

A builder may depend only on other shared fixtures (and ``db``).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest

_F = TypeVar("_F", bound=Callable[..., Any])

BUILDER_ATTRIBUTE = "_onestop_shared_builder"
PER_TEST_ATTRIBUTE = "_onestop_builds_per_test"
NEXT_ITEM = pytest.StashKey["pytest.Item | None"]()
TRANSACTIONAL_FIXTURES = frozenset({"transactional_db", "live_server", "django_db_reset_sequences"})


@dataclass
class _Built:
    """The open transaction and what was built in it, for tests whose key is ``key``."""

    key: tuple[Callable[..., Any], ...]
    module: str
    atomic: Any
    values: dict[Callable[..., Any], Any] = field(default_factory=dict)


_current: _Built | None = None


def shared_fixture(builder: _F) -> _F:
    """A function-scoped fixture whose value is built once for consecutive tests asking for the
    same shared fixtures (see the module's documentation). ``builder``'s parameters name the
    shared fixtures it is built from."""
    dependencies = [name for name in inspect.signature(builder).parameters if name != "db"]
    copies: pytest.StashKey[dict[int, Any]] = pytest.StashKey()

    def fixture(request: pytest.FixtureRequest, db: None, **built: Any) -> Any:
        shared = _current
        if shared is None or fixture not in shared.values:
            return builder(**built)
        # One memo for all of a test's copies: objects shared between fixtures stay shared.
        memo = request.node.stash.setdefault(copies, {})
        return copy.deepcopy(shared.values[fixture], memo)

    parameters = [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        for name in ["request", "db", *dependencies]
    ]
    fixture.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    fixture.__name__ = builder.__name__
    fixture.__qualname__ = builder.__qualname__
    fixture.__doc__ = builder.__doc__
    fixture.__module__ = builder.__module__
    setattr(fixture, BUILDER_ATTRIBUTE, (builder, dependencies))
    return pytest.fixture(name=builder.__name__)(fixture)  # type: ignore[return-value]


def builds_per_test(fixture: _F) -> _F:
    """Mark a fixture (before ``@pytest.fixture``) that must be set up before any other
    fixture writes: a test using it gets its shared fixtures built for it alone."""
    setattr(fixture, PER_TEST_ATTRIBUTE, True)
    return fixture


def _definition(item: pytest.Item, name: str) -> Callable[..., Any] | None:
    """The fixture function ``name`` resolves to for ``item`` (the closest definition)."""
    definitions = item._fixtureinfo.name2fixturedefs.get(name)  # type: ignore[attr-defined]
    return definitions[-1].func if definitions else None


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    return bool(TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


def key_of(item: pytest.Item | None) -> tuple[str, tuple[Callable[..., Any], ...]] | None:
    """The module and the shared fixtures ``item`` uses (in the order it sets them up), or
    ``None`` if it shares nothing."""
    if item is None or _transactional(item):
        return None
    functions: list[Callable[..., Any]] = []
    for name in getattr(item, "fixturenames", ()):
        function = _definition(item, name)
        if function is None:
            continue
        if getattr(function, PER_TEST_ATTRIBUTE, False):
            return None
        if hasattr(function, BUILDER_ATTRIBUTE) and function not in functions:
            functions.append(function)
    if not functions:
        return None
    return item.nodeid.split("::", 1)[0], tuple(functions)


def _build(item: pytest.Item, key: tuple[Callable[..., Any], ...], module: str) -> _Built:
    from django.db import transaction

    atomic = transaction.atomic()
    atomic.__enter__()
    built = _Built(key=key, module=module, atomic=atomic)
    try:
        for function in key:
            _value(item, function, built)
    except BaseException:
        _close(built)
        raise
    return built


def _value(item: pytest.Item, function: Callable[..., Any], built: _Built) -> Any:
    if function in built.values:
        return built.values[function]
    builder, dependencies = getattr(function, BUILDER_ATTRIBUTE)
    arguments = {}
    for name in dependencies:
        dependency = _definition(item, name)
        if dependency is None or not hasattr(dependency, BUILDER_ATTRIBUTE):
            raise pytest.UsageError(
                f"shared fixture {builder.__name__} depends on {name}, which is not a shared "
                "fixture: a shared fixture may depend on shared fixtures only"
            )
        arguments[name] = _value(item, dependency, built)
    built.values[function] = builder(**arguments)
    return built.values[function]


def _close(built: _Built) -> None:
    from django.db import transaction

    transaction.set_rollback(True)
    built.atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _shared_fixtures(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[None]:
    """Open (or keep) the transaction holding this test's shared fixtures before pytest-django
    opens the test's own; close it after the test unless the next test shares the same."""
    global _current
    item = request.node
    found = key_of(item)
    with django_db_blocker.unblock():
        if _current is not None and found != (_current.module, _current.key):
            built, _current = _current, None
            _close(built)
        if found is not None and _current is None:
            _current = _build(item, found[1], found[0])
    yield
    if _current is not None and key_of(item.stash.get(NEXT_ITEM, None)) != found:
        built, _current = _current, None
        with django_db_blocker.unblock():
            _close(built)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    item.stash[NEXT_ITEM] = nextitem
