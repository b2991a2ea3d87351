"""Run the test suite on SQLite and, where reachable, on PostgreSQL; end with one line per run.

``TEST_DATABASE_URL`` names the PostgreSQL database (default: the local socket,
``postgresql:///onestop_test``); Django creates and drops its own ``test_`` copy there.
With ``ONESTOP_REQUIRE_POSTGRES=1`` (``make ci``) an unreachable server is a failure, not a skip.
Extra arguments go to pytest (``scripts/run_tests.py -k clock``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql:///onestop_test"


def _postgres_reachable(url: str) -> str | None:
    """``None`` if a server answers at ``url``'s host, else the reason it does not."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    try:
        with psycopg.connect(
            dbname="postgres",
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            connect_timeout=5,
        ):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


def _run(label: str, database_url: str | None, extra: list[str]) -> tuple[str, int]:
    summary = Path(tempfile.mkstemp(prefix=f"onestop-{label}-", suffix=".txt")[1])
    environment = dict(os.environ)
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
    line, code = _run("sqlite", None, extra)
    lines.append(line)
    status = status or code
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_URL)
    reason = _postgres_reachable(url)
    if reason is None:
        line, code = _run("postgresql", url, extra)
        lines.append(line)
        status = status or code
    elif os.environ.get("ONESTOP_REQUIRE_POSTGRES") == "1":
        lines.append(f"postgresql: not reachable ({reason}), 0 passed, 1 failed")
        status = 1
    else:
        lines.append("postgresql: not reachable, skipped")
    print()  # noqa: T201
    for line in lines:
        print(line)  # noqa: T201
    return status


if __name__ == "__main__":
    sys.exit(main())
