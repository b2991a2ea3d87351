"""Each pytest-xdist worker's test database is a copy of one migrated database, not a migration
of its own.

Migrating from scratch takes about 30 seconds of CPU (most of it Django rendering the
migrations' model states), and every worker used to do it: three times a run, on each
database, on a two-core machine.  Now the run migrates once, with ``onestop migrate`` in a
subprocess, and each worker copies the result:

* **SQLite**: the worker's in-memory database is filled from ``tests.migrated``'s migrated
  file (the one the production-settings tests copy) with SQLite's backup API;
* **PostgreSQL**: the first worker creates ``test_<name>_tpl_<run>`` and migrates it; each
  worker's database is then created from it (``TEST["TEMPLATE"]``, Django's own support for
  ``CREATE DATABASE … TEMPLATE``).  The controller drops it when the run ends.

``scripts/run_tests.py`` (``make test``, ``make ci``) makes both before its two runs, side by
side, and names them in ``ONESTOP_TEST_MIGRATED`` and ``ONESTOP_TEST_POSTGRESQL_TEMPLATE``;
then no worker migrates or waits.

Django's test set-up then runs ``migrate`` on the copy as usual, which finds every migration
applied (and still runs the ``post_migrate`` handlers).  Nothing changes for a run without
workers (``-p no:xdist``, ``-n 0``) or with ``--reuse-db``: those migrate as before.  The
template belongs to one run only (its name holds the run's id), so migration files, or code a
migration imports, changed between runs are always migrated afresh.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.migrated import migrate_command, migrated_template, run_lock

# The in-memory databases filled from the template: SQLite keeps a shared-cache memory
# database while one connection to it is open, so each is kept for the worker's life.
_KEPT: list[sqlite3.Connection] = []


def template_name(original_name: str, run: str) -> str:
    """The PostgreSQL template's name for a test database named after ``original_name``."""
    return f"test_{original_name}_tpl_{run[:8]}"[:63]


def _run_id(config: pytest.Config) -> str | None:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return str(workerinput["testrunuid"])
    return None


def prepare_controller(config: pytest.Config) -> None:
    """In the xdist controller: fix the run's id (so the controller knows the template's name)
    and drop the PostgreSQL template when the run ends."""
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    if config.option.testrunuid is None:
        config.option.testrunuid = uuid.uuid4().hex
    config.add_cleanup(lambda: _drop_postgresql_template(config.option.testrunuid))


def install(config: pytest.Config) -> None:
    """In an xdist worker: create the test database from the run's migrated copy."""
    run = _run_id(config)
    if run is None:
        return
    from django.db.backends.postgresql.creation import DatabaseCreation as PostgreSQLCreation
    from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteCreation

    def factory() -> pytest.TempPathFactory:  # set up by pytest after this plugin's configure
        made: pytest.TempPathFactory = config._tmp_path_factory  # type: ignore[attr-defined]
        return made

    # Django's private step that makes the empty database (not in django-stubs).
    sqlite_create = getattr(SQLiteCreation, "_create_test_db")  # noqa: B009
    postgresql_create = getattr(PostgreSQLCreation, "_create_test_db")  # noqa: B009

    def create_sqlite(self: Any, verbosity: int, autoclobber: bool, keepdb: bool = False) -> Any:
        name = sqlite_create(self, verbosity, autoclobber, keepdb)
        if keepdb or not self.is_in_memory_db(name):
            return name
        source = sqlite3.connect(migrated_template(factory()))
        target = sqlite3.connect(name, uri=True)
        try:
            source.backup(target)
        finally:
            source.close()
        _KEPT.append(target)
        return name

    def create_postgresql(
        self: Any, verbosity: int, autoclobber: bool, keepdb: bool = False
    ) -> Any:
        test = self.connection.settings_dict["TEST"]
        if keepdb or test.get("TEMPLATE"):
            return postgresql_create(self, verbosity, autoclobber, keepdb)
        test["TEMPLATE"] = _postgresql_template(self.connection.settings_dict, run, factory())
        try:
            return postgresql_create(self, verbosity, autoclobber, keepdb)
        finally:
            test["TEMPLATE"] = None

    setattr(SQLiteCreation, "_create_test_db", create_sqlite)  # noqa: B010
    setattr(PostgreSQLCreation, "_create_test_db", create_postgresql)  # noqa: B010


def _maintenance(settings_dict: dict[str, Any]) -> Any:
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        autocommit=True,
    )


def _postgresql_template(
    settings_dict: dict[str, Any], run: str, factory: pytest.TempPathFactory
) -> str:
    """The run's migrated PostgreSQL database: the one ``scripts/run_tests.py`` made
    (``ONESTOP_TEST_POSTGRESQL_TEMPLATE``), else made by the first worker to ask."""
    prepared = os.environ.get("ONESTOP_TEST_POSTGRESQL_TEMPLATE")
    if prepared:
        return prepared
    name = template_name(settings_dict["NAME"], run)
    with run_lock(factory, "onestop-postgresql-template.lock") as shared:
        done = shared / f"{name}.done"
        if not done.exists():
            _migrate_postgresql(settings_dict, name)
            done.touch()
    return name


def _migrate_postgresql(settings_dict: dict[str, Any], name: str) -> None:
    with _maintenance(settings_dict) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = urlsplit(os.environ["DATABASE_URL"])
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(
        {"ONESTOP_DEV": "1", "DATABASE_URL": urlunsplit(url._replace(path=f"/{name}"))}
    )
    migrate_command(environment)


def _drop_postgresql_template(run: str) -> None:
    from django.conf import settings

    settings_dict = settings.DATABASES["default"]
    if settings_dict["ENGINE"] not in {"django.db.backends.postgresql", "onestop.core.postgresql"}:
        return
    import psycopg

    name = template_name(settings_dict["NAME"], run)
    try:
        with _maintenance(settings_dict) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
    except psycopg.Error as error:  # a leftover template must not fail the run
        sys.stderr.write(f"Could not drop the test template database {name}: {error}\n")
