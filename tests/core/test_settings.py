"""Production settings are the default and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.migrated import copy_migrated_into

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
        # A guard against a hang only: a full migrate on a loaded 2-core machine has taken
        # longer than two minutes.
        timeout=600,
        check=False,
    )


def test_production_settings_pass_the_deployment_check(tmp_path: Path) -> None:
    result = _onestop(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _onestop(tmp_path, "check", ONESTOP_ALLOWED_HOSTS="onestop.example.gov.uk")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "onestop: ONESTOP_SECRET_KEY (or ONESTOP_SECRET_KEY_FILE) must be set"
    )
    assert result.stderr.count("\n") == 1


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
    assert result.returncode == 2
    assert result.stderr.startswith("onestop: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


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
    assert "[core]\n    db\n    report\n    worker\n" in result.stdout
    assert "    migrate\n" in result.stdout


# --- the set-up ``make run`` makes (issue 13, items 6-8) -------------------------------------
KEY = "k" * 64


def test_every_command_reads_the_secret_key_make_run_generated_into_var(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    (tmp_path / "secret_key").write_text(KEY + "\n", encoding="utf-8")
    copy_migrated_into(tmp_path, tmp_path_factory)  # migrate reads the key all the same
    migrated = _onestop(tmp_path, "migrate", "--no-input", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    result = _onestop(tmp_path, "demo", "totp", "nobody")
    assert (result.returncode, result.stdout) == (1, "")
    assert (
        result.stderr
        == "CommandError: nobody has no authenticator device: run onestop demo first\n"
    )


def test_a_command_without_its_secret_key_fails_in_one_line_with_exit_2(tmp_path: Path) -> None:
    result = _onestop(tmp_path, "demo", "totp", "admin")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "onestop: ONESTOP_SECRET_KEY (or ONESTOP_SECRET_KEY_FILE) must be set outside "
        "development: set it to a random string of 50 or more characters, or run make run once "
        "to generate one into var/secret_key.\n"
    )


def test_a_command_on_a_database_not_set_up_fails_in_one_line_with_exit_2(
    tmp_path: Path,
) -> None:
    (tmp_path / "secret_key").write_text(KEY, encoding="utf-8")
    result = _onestop(tmp_path, "demo", "totp", "admin")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("onestop: the database is not ready (")
    assert result.stderr.endswith("run onestop migrate (make run does both).\n")
    assert result.stderr.count("\n") == 1


def test_make_run_serves_without_development_settings() -> None:
    root = Path(__file__).resolve().parents[2]
    recipe = (root / "Makefile").read_text(encoding="utf-8")
    run = recipe[recipe.index("\nrun:") : recipe.index("\nlint:")]
    assert "ONESTOP_DEV" not in run
    assert "ONESTOP_HTTPS=0" in recipe
    # The server and the worker beside it run in one line, with the run's settings.
    [serve] = [line for line in run.splitlines() if "$(BIN)/gunicorn" in line]
    assert serve.lstrip().startswith("$(RUN_ENV) ")
    assert "$(BIN)/onestop worker --until-idle" in serve


@pytest.mark.parametrize(
    ("arguments", "public_url"),
    [
        ([], "http://127.0.0.1:8000"),
        (["HOST=192.0.2.7", "PORT=8080"], "http://192.0.2.7:8080"),
        (["HOST=0.0.0.0", "PORT=9000"], "http://127.0.0.1:9000"),
    ],
)
def test_make_run_links_messages_to_the_address_it_serves(
    arguments: list[str], public_url: str
) -> None:
    # A resident's sign-in link and a survey's link name the demo's own address, not the
    # setting's default (localhost:8000) whatever port it is served on; one set outright wins.
    root = Path(__file__).resolve().parents[2]
    printed = subprocess.run(  # noqa: S603  # the project's own Makefile
        ["make", "--no-print-directory", "-n", "run", *arguments],  # noqa: S607
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    [serve] = [line for line in printed.splitlines() if "gunicorn" in line]
    assert f"ONESTOP_PUBLIC_URL=${{ONESTOP_PUBLIC_URL:-{public_url}}} " in serve


@pytest.mark.parametrize(
    ("host", "port", "address"),
    [
        ("", "", "http://127.0.0.1:8000/"),
        ("192.0.2.7", "8080", "http://192.0.2.7:8080/"),
        ("0.0.0.0", "9000", "http://127.0.0.1:9000/"),  # noqa: S104
        ("::1", "8001", "http://[::1]:8001/"),
    ],
)
def test_the_demo_prints_the_address_make_run_serves(
    monkeypatch: pytest.MonkeyPatch, host: str, port: str, address: str
) -> None:
    from onestop.demo.management.commands.demo import demo_address

    monkeypatch.setenv("HOST", host)
    monkeypatch.setenv("PORT", port)
    assert demo_address() == address


# --- the report forms' map (ONESTOP_MAP_TILES) ----------------------------------------------------
@pytest.mark.parametrize(
    ("template", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        (
            "https://{s}.tiles.example.org:8443/a/{z}/{x}/{y}.png",
            "https://*.tiles.example.org:8443",
        ),
    ],
)
def test_the_map_tiles_origin_is_added_to_the_image_sources(template: str, origin: str) -> None:
    from onestop.settings import map_tiles_origin

    assert map_tiles_origin(template) == origin


@pytest.mark.parametrize(
    "template",
    [
        "http://tile.openstreetmap.org/{z}/{x}/{y}.png",  # not https
        "https://tile.openstreetmap.org/{z}/{x}.png",  # no {y}
        "https://tile.example.org/{z}/{x}/{y}.png' data:",  # a second source smuggled in
        "javascript:alert(1)//{z}/{x}/{y}",
        "https://tile.example.org/{z}/{x}/{y}.png https://evil.example",
    ],
)
def test_a_tile_address_that_is_not_https_with_z_x_y_stops_start_up(template: str) -> None:
    from onestop.settings import map_tiles_origin

    with pytest.raises(ImproperlyConfigured, match="ONESTOP_MAP_TILES must be an https://"):
        map_tiles_origin(template)


# --- the staff case page's link to a case's point (ONESTOP_MAP_LINK) -----------------------------
@pytest.mark.parametrize(
    "template",
    [
        "https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}#map=18/{latitude}/{longitude}",
        "https://maps.example.gov.uk:8443/find?lat={latitude}&lon={longitude}",
        "",  # no link
    ],
)
def test_a_map_link_with_the_latitude_and_longitude_is_taken(template: str) -> None:
    from onestop.settings import check_map_link

    assert check_map_link(template) == template


@pytest.mark.parametrize(
    "template",
    [
        "http://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}",  # not https
        "https://www.openstreetmap.org/?mlat={latitude}",  # no {longitude}
        "javascript:alert(1)//{latitude}{longitude}",
        'https://maps.example/?{latitude}&{longitude}" onmouseover="x',
        "https://maps.example/?{latitude}&{longitude} https://evil.example",
    ],
)
def test_a_map_link_that_is_not_https_with_both_numbers_stops_start_up(template: str) -> None:
    from onestop.settings import check_map_link

    with pytest.raises(ImproperlyConfigured, match="ONESTOP_MAP_LINK must be an https://"):
        check_map_link(template)
