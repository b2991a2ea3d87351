"""Production settings are the default and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PRODUCTION = {
    "ONESTOP_SECRET_KEY": "x" * 20 + "production-secret-for-the-deploy-check-only" + "y" * 20,
    "ONESTOP_ALLOWED_HOSTS": "onestop.example.gov.uk",
}


def _onestop(
    tmp_path: Path, *arguments: str, **environment: str
) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ONESTOP_")
        and key not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update({"ONESTOP_VAR_DIR": str(tmp_path), **environment})
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "onestop.cli", *arguments],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_check(tmp_path: Path) -> None:
    result = _onestop(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _onestop(tmp_path, "check", ONESTOP_ALLOWED_HOSTS="onestop.example.gov.uk")
    assert result.returncode == 1
    assert "ONESTOP_SECRET_KEY (or ONESTOP_SECRET_KEY_FILE) must be set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ONESTOP_DEV", "maybe", "ONESTOP_DEV must be 1 or 0 (true or false), not 'maybe'."),
        (
            "ONESTOP_SESSION_IDLE_MINUTES",
            "ten",
            "ONESTOP_SESSION_IDLE_MINUTES must be a whole number, not 'ten'.",
        ),
        (
            "ONESTOP_SIGN_IN_FAILURE_LIMIT",
            "0",
            "ONESTOP_SIGN_IN_FAILURE_LIMIT must be at least 1, not 0.",
        ),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL must name a postgresql:// or sqlite://"),
        ("ONESTOP_SECRET_KEY", "short", "ONESTOP_SECRET_KEY must be at least 50 characters long."),
    ],
)
def test_a_bad_setting_stops_start_up_with_a_clear_message(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    environment = {**PRODUCTION, variable: value}
    result = _onestop(tmp_path, "check", **environment)
    assert result.returncode == 1
    assert message in result.stderr


def test_the_secret_key_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(PRODUCTION["ONESTOP_SECRET_KEY"] + "\n", encoding="utf-8")
    result = _onestop(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        ONESTOP_SECRET_KEY_FILE=str(secret),
        ONESTOP_ALLOWED_HOSTS="onestop.example.gov.uk",
    )
    assert result.returncode == 0, result.stderr


def test_the_onestop_command_lists_its_subcommands(tmp_path: Path) -> None:
    result = _onestop(tmp_path, "--help", ONESTOP_DEV="1")
    assert result.returncode == 0
    assert "[core]\n    db\n    worker\n" in result.stdout
    assert "    migrate\n" in result.stdout
