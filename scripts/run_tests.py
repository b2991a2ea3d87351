"""Run the test suite on SQLite and, where reachable, on PostgreSQL; end with one line per run.

``TEST_DATABASE_URL`` names the PostgreSQL database (default: the local socket,
``postgresql:///onestop_test``); Django creates and drops its own ``test_`` copy there.
With ``ONESTOP_REQUIRE_POSTGRES=1`` (``make ci``) an unreachable server is a failure, not a skip.
Extra arguments go to pytest (``scripts/run_tests.py -k clock``).

Before the runs, the migrated databases both runs copy are made side by side (``onestop
migrate`` of an SQLite file and of a PostgreSQL template database, about 25 seconds of CPU
each): the SQLite file serves the tests that start commands in a folder of their own on either
run, and every worker's database on the SQLite run; the template every worker's database on the
PostgreSQL run (``tests/template_db.py``).  Without them, the first worker of each run made them
while the others waited, and the PostgreSQL run migrated the SQLite file a second time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import psycopg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql:///onestop_test"


def _maintenance(url: str) -> psycopg.Connection[Any]:
    """A connection to ``url``'s server (its ``postgres`` database), in autocommit."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    return psycopg.connect(
        dbname="postgres",
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        connect_timeout=5,
        autocommit=True,
    )


def _postgres_reachable(url: str) -> str | None:
    """``None`` if a server answers at ``url``'s host, else the reason it does not."""
    import psycopg

    try:
        with _maintenance(url):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


def _command_environment(**settings: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "ONESTOP_VAR_DIR"}
    }
    environment.update({"ONESTOP_DEV": "1", **settings})
    return environment


def _migrate(environment: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "onestop.cli", "migrate", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _prepare(shared: Path, postgresql_url: str | None) -> tuple[dict[str, str], str | None]:
    """The migrated SQLite file and PostgreSQL template, made side by side: the variables
    that hand them to the tests (nothing for one that failed: its run migrates as before),
    and the template database's name, to drop at the end."""
    made: dict[str, str] = {}
    template = None
    running: list[tuple[str, str, subprocess.Popen[str]]] = []
    sqlite_dir = shared / "migrated"
    sqlite_dir.mkdir()
    running.append(
        (
            "ONESTOP_TEST_MIGRATED",
            str(sqlite_dir / "onestop.sqlite3"),
            _migrate(_command_environment(ONESTOP_VAR_DIR=str(sqlite_dir))),
        )
    )
    if postgresql_url is not None:
        import psycopg

        name = f"test_onestop_run_tpl_{uuid.uuid4().hex[:8]}"
        try:
            with _maintenance(postgresql_url) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as error:  # the PostgreSQL run's first worker migrates instead
            print(f"== could not create the template database {name}: {error}".strip())  # noqa: T201
        else:
            template = name
            url = urlunsplit(urlsplit(postgresql_url)._replace(path=f"/{name}"))
            migrating = _migrate(_command_environment(DATABASE_URL=url))
            running.append(("ONESTOP_TEST_POSTGRESQL_TEMPLATE", name, migrating))
    for variable, value, process in running:
        _, errors = process.communicate()
        if process.returncode == 0:
            made[variable] = value
        else:
            print(f"== migrating for the runs failed ({variable}): {errors.strip()[-2000:]}")  # noqa: T201
    return made, template


def _drop_template(postgresql_url: str, name: str) -> None:
    import psycopg

    try:
        with _maintenance(postgresql_url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
    except psycopg.Error as error:  # a leftover template must not fail the run
        print(f"Could not drop the test template database {name}: {error}")  # noqa: T201


def _run(
    label: str, database_url: str | None, extra: list[str], prepared: dict[str, str]
) -> tuple[str, int]:
    summary = Path(tempfile.mkstemp(prefix=f"onestop-{label}-", suffix=".txt")[1])
    environment = dict(os.environ) | prepared
    environment.pop("DATABASE_URL", None)
    if database_url:
        environment["DATABASE_URL"] = database_url
    environment["ONESTOP_TEST_LABEL"] = label
    environment["ONESTOP_TEST_SUMMARY"] = str(summary)
    # One process more than the machine has cores: the tests often wait (for the database
    # server, a browser, a command they started), and the extra process uses that time.
    # ONESTOP_TEST_WORKERS sets the number.
    workers = os.environ.get("ONESTOP_TEST_WORKERS") or str((os.cpu_count() or 1) + 1)
    # Work stealing: a worker that runs out takes half of another's queue.  With the default
    # (load) scheduling, the browser tests (transactional, so pytest-django runs them last)
    # went to one worker in one chunk, which ran alone for the last five minutes of a run.
    # (The two databases' runs side by side were slower than one after the other: 28 minutes
    # for the SQLite run alone, with two browsers and four workers on two cores.)
    command = [
        sys.executable, "-m", "pytest", "-q", "-n", workers, "--dist", "worksteal",
        "--durations=30", *extra,
    ]  # fmt: skip
    print(f"== {label}: {' '.join(command[2:])}", flush=True)  # noqa: T201
    code = subprocess.call(command, cwd=ROOT, env=environment)  # noqa: S603
    line = summary.read_text(encoding="utf-8").strip() if summary.stat().st_size else ""
    summary.unlink(missing_ok=True)
    if not line:
        line = f"{label}: 0 passed, 1 failed (pytest exited {code} before reporting)"
    if code == 5:  # pytest ran nothing: that is a failure here.
        code = 1
    return line, code


def main() -> int:
    extra = sys.argv[1:]
    lines: list[str] = []
    status = 0
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_URL)
    reason = _postgres_reachable(url)
    shared = Path(tempfile.mkdtemp(prefix="onestop-test-run-"))
    prepared, template = _prepare(shared, url if reason is None else None)
    try:
        line, code = _run("sqlite", None, extra, prepared)
        lines.append(line)
        status = status or code
        if reason is None:
            line, code = _run("postgresql", url, extra, prepared)
            lines.append(line)
            status = status or code
        elif os.environ.get("ONESTOP_REQUIRE_POSTGRES") == "1":
            lines.append(f"postgresql: not reachable ({reason}), 0 passed, 1 failed")
            status = 1
        else:
            lines.append("postgresql: not reachable, skipped")
    finally:
        if template is not None:
            _drop_template(url, template)
        shutil.rmtree(shared, ignore_errors=True)
    print()  # noqa: T201
    for line in lines:
        print(line)  # noqa: T201
    return status


if __name__ == "__main__":
    sys.exit(main())
