"""``core.postgresql``, the PostgreSQL backend: Django's own, its per-request health check
asking the connection's socket before the server.  An idle connection is used with no round
trip; one the server has ended is replaced before the request's first query, as Django's
``SELECT 1`` check would replace it."""

from __future__ import annotations

import time
import uuid
from typing import Any

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.test import Client

from onestop import settings as onestop_settings
from onestop.core.postgresql.base import quiet

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a PostgreSQL server's connection"
)


def test_a_postgresql_url_selects_this_backend_with_health_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone@db.example/onestop")
    config = onestop_settings._database()
    assert config["ENGINE"] == "onestop.core.postgresql"
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["CONN_MAX_AGE"] == 60


def test_a_postgis_url_keeps_django_s_postgis_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgis://someone@db.example/onestop")
    assert onestop_settings._database()["ENGINE"] == "django.contrib.gis.db.backends.postgis"


def _others() -> psycopg.Connection[Any]:
    """A second connection to the same database, to watch and to end the first."""
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    )


def _fresh_connection() -> None:
    """Start the test on a connection of its own: one a worker opened over ``CONN_MAX_AGE``
    (60 s) before would be closed by ``close_old_connections`` for its age, whatever its
    health, and the test would then check nothing."""
    connection.close()


def _last_statement(watcher: psycopg.Connection[Any], pid: int) -> str:
    row = watcher.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    assert row is not None
    return str(row[0])


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_idle_connection_is_checked_without_a_round_trip() -> None:
    _fresh_connection()
    marker = f"SELECT 'health-{uuid.uuid4().hex}'"
    with connection.cursor() as cursor:
        cursor.execute(marker)
    pid = connection.connection.info.backend_pid
    assert quiet(connection.connection)
    close_old_connections()  # what a request's start does

    connection.close_if_health_check_failed()  # what its first read does

    assert getattr(connection, "health_check_done")  # noqa: B009 (not in Django's stubs)
    assert connection.connection.info.backend_pid == pid  # kept
    with _others() as watcher:
        assert _last_statement(watcher, pid) == marker  # no SELECT 1 was sent


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_is_replaced_before_the_request_reads() -> None:
    _fresh_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    pid = connection.connection.info.backend_pid
    with _others() as watcher:
        watcher.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while quiet(connection.connection) and time.monotonic() < deadline:
        time.sleep(0.01)  # the server's goodbye reaches the socket
    assert not quiet(connection.connection)

    close_old_connections()  # what a request's start does (the test client leaves it out)
    response = Client().get("/healthz")  # its first read checks the connection

    assert response.status_code == 200
    assert connection.connection is not None
    assert connection.connection.info.backend_pid != pid


@on_postgresql
@pytest.mark.django_db
def test_a_connection_inside_a_transaction_is_not_quiet() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # the test's transaction is open
    assert not quiet(connection.connection)
