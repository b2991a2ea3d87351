"""One SQLite database migrated from scratch by ``onestop migrate``, made once per test run and
copied by the tests that need a set-up database in a fresh ``var`` folder of their own (the
production-settings and ``make run`` tests).

A full migrate takes 25 seconds of CPU and more on a loaded machine; each of those tests used to
run its own.  The copy is the same file the command made: the tests still run ``migrate`` on it
(a no-op that reads the settings, as every command does).  The pytest-xdist workers share it
through a lock on the run's shared temporary folder, and its name holds a digest of every
migration file, so a copy left by an earlier run with other migrations is never used.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILE_NAME = "onestop.sqlite3"  # what the settings call the database in ONESTOP_VAR_DIR


def _digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "onestop").glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _command_environment(var_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ONESTOP_")
        and key not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"ONESTOP_DEV": "1", "ONESTOP_VAR_DIR": str(var_dir)})
    return env


@contextmanager
def run_lock(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """The run's shared temporary folder, held alone (across the xdist workers) meanwhile."""
    shared = tmp_path_factory.getbasetemp().parent
    with (shared / name).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield shared
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def migrate_command(env: dict[str, str]) -> None:
    """``onestop migrate`` in a subprocess with ``env``; fails the test with its errors."""
    result = subprocess.run(
        [sys.executable, "-m", "onestop.cli", "migrate", "--no-input"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The path of the run's migrated SQLite database: the one ``scripts/run_tests.py`` made
    for both its runs (``ONESTOP_TEST_MIGRATED``), else made by the first caller."""
    prepared = os.environ.get("ONESTOP_TEST_MIGRATED")
    if prepared and Path(prepared).is_file():
        return Path(prepared)
    with run_lock(tmp_path_factory, "onestop-migrated.lock") as shared:
        template = shared / f"onestop-migrated-{_digest()}.sqlite3"
        if not template.exists():
            work = tmp_path_factory.mktemp("migrated")
            migrate_command(_command_environment(work))
            partial = shared / f"{template.name}.partial"
            shutil.copyfile(work / FILE_NAME, partial)
            partial.replace(template)  # whole or not at all
    return template


def copy_migrated_into(var_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Put a migrated database where ``ONESTOP_VAR_DIR=var_dir`` looks for it."""
    var_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_template(tmp_path_factory), var_dir / FILE_NAME)
