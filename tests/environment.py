"""A pytest plugin (``-p tests.environment``) loaded before Django's settings.

Tests run with the development settings (plain-HTTP test client, no collectstatic manifest);
the production settings are checked by ``tests/core/test_settings.py``.
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("ONESTOP_DEV", "1")
os.environ.setdefault("ONESTOP_DEBUG", "0")

# Shared fixtures (tests/shared.py): their transaction is opened before, and closed after,
# pytest-django's per-test one, so the fixture lives in this early plugin too.
from tests import flush
from tests.shared import _shared_fixtures, pytest_runtest_protocol

__all__ = ["_shared_fixtures", "pytest_configure", "pytest_runtest_protocol"]


def pytest_configure(config: pytest.Config) -> None:
    # After a transactional test, PostgreSQL empties only the tables holding rows (tests/flush.py).
    flush.install()


@pytest.fixture(autouse=True)
def _audit_purge_window_for_database_resets(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[None]:
    """Transactional tests empty the database afterwards; the audit tables refuse DELETE (and
    TRUNCATE, on PostgreSQL) unless the purge window is open, so open it around such tests (on
    PostgreSQL it works because the tests connect as the tables' owner).  It lives in this
    early plugin so that it is set up before, and torn down after, pytest-django's database
    reset."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    if not transactional and "transactional_db" not in request.fixturenames:
        yield
        return
    from django.db import connection

    from onestop.core.audit import purge_window

    with django_db_blocker.unblock():
        with purge_window("test database reset"):
            yield
        if connection.vendor == "postgresql":
            # Closed where it was opened: a browser test's fixtures may run in Playwright's
            # context, whose connection Django's own teardown never sees, and a connection left
            # open keeps the worker's test database from being dropped at the end of the run.
            connection.close()
