"""Run the test suite on SQLite and, where reachable, on PostgreSQL; end with one line per run.

``TEST_DATABASE_URL`` names the PostgreSQL database (default: the local socket,
``postgresql:///onestop_test``); Django creates and drops its own ``test_`` copy there.
With ``ONESTOP_REQUIRE_POSTGRES=1`` (``make ci``) an unreachable server is a failure, not a skip.
Extra arguments go to pytest (``scripts/run_tests.py -k clock``).

The two runs go side by side, each filling the other's waits (a browser, a command, the database
server), and the SQLite run's output is printed when it ends; ``ONESTOP_TEST_TOGETHER=0`` runs
them one after the other, both to the terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql:///onestop_test"
# The Redis database each run's cache tests use (and empty); ONESTOP_TEST_REDIS_URL names another.
REDIS_URLS = {"sqlite": "redis://127.0.0.1:6379/14", "postgresql": "redis://127.0.0.1:6379/15"}


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


@dataclass
class _Run:
    label: str
    process: subprocess.Popen[bytes]
    summary: Path
    log: Path | None  # the run's output, when another run has the terminal meanwhile

    def finish(self) -> tuple[str, int]:
        code = self.process.wait()
        if self.log is not None:
            sys.stdout.write(self.log.read_text(encoding="utf-8", errors="replace"))
            sys.stdout.flush()
            self.log.unlink(missing_ok=True)
        line = (
            self.summary.read_text(encoding="utf-8").strip() if self.summary.stat().st_size else ""
        )
        self.summary.unlink(missing_ok=True)
        if not line:
            line = f"{self.label}: 0 passed, 1 failed (pytest exited {code} before reporting)"
        if code == 5:  # pytest ran nothing: that is a failure here.
            code = 1
        return line, code


def _start(
    label: str, database_url: str | None, extra: list[str], workers: str, *, to_log: bool
) -> _Run:
    summary = Path(tempfile.mkstemp(prefix=f"onestop-{label}-", suffix=".txt")[1])
    environment = dict(os.environ)
    environment.pop("DATABASE_URL", None)
    if database_url:
        environment["DATABASE_URL"] = database_url
    environment["ONESTOP_TEST_LABEL"] = label
    environment["ONESTOP_TEST_SUMMARY"] = str(summary)
    # The Redis tests empty their database: each run has its own.
    environment.setdefault("ONESTOP_TEST_REDIS_URL", REDIS_URLS[label])
    # Work stealing: a worker that runs out takes half of another's queue.  With the default
    # (load) scheduling, the browser tests (transactional, so pytest-django runs them last)
    # went to one worker in one chunk, which ran alone for the last five minutes of a run.
    command = [
        sys.executable, "-m", "pytest", "-q", "-n", workers, "--dist", "worksteal",
        "--durations=30", *extra,
    ]  # fmt: skip
    log = Path(tempfile.mkstemp(prefix=f"onestop-{label}-", suffix=".log")[1]) if to_log else None
    where = " (its output follows when it ends)" if log else ""
    print(f"== {label}: {' '.join(command[2:])}{where}", flush=True)  # noqa: T201
    with log.open("wb") if log else open(os.devnull, "wb") as sink:
        process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=environment,
            stdout=sink if log else None,
            stderr=subprocess.STDOUT if log else None,
        )
    return _Run(label, process, summary, log)


def main() -> int:
    extra = sys.argv[1:]
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_URL)
    reason = _postgres_reachable(url)
    cores = os.cpu_count() or 1
    together = reason is None and os.environ.get("ONESTOP_TEST_TOGETHER", "1") != "0"
    # Alone, one process more than the machine has cores: the tests often wait (for the
    # database server, a browser, a command they started), and the extra process uses that
    # time.  The two databases' runs side by side fill each other's waits instead, with as
    # many processes each as there are cores.  ONESTOP_TEST_WORKERS sets the number.
    workers = os.environ.get("ONESTOP_TEST_WORKERS") or str(cores if together else cores + 1)
    lines: list[str] = []
    status = 0
    if together:
        sqlite = _start("sqlite", None, extra, workers, to_log=True)
        postgresql = _start("postgresql", url, extra, workers, to_log=False)
        finished = [postgresql.finish(), sqlite.finish()]
        finished.reverse()
    else:
        finished = [_start("sqlite", None, extra, workers, to_log=False).finish()]
        if reason is None:
            finished.append(_start("postgresql", url, extra, workers, to_log=False).finish())
    for line, code in finished:
        lines.append(line)
        status = status or code
    if reason is not None:
        if os.environ.get("ONESTOP_REQUIRE_POSTGRES") == "1":
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
