"""``onestop clock``: deadlines and working days from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def run(*arguments: str) -> str:
    out = StringIO()
    call_command("clock", *arguments, stdout=out)
    return out.getvalue().strip()


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            ["--start", "2022-12-23T10:00", "--amount", "5", "--unit", "working_days"],
            "2023-01-04T23:59:59+00:00",
        ),
        (
            [
                "--start",
                "2022-12-23T10:00",
                "--amount",
                "5",
                "--unit",
                "working_days",
                "--closed",
                "2022-12-28",
                "--closed",
                "2022-12-29",
            ],
            "2023-01-06T23:59:59+00:00",
        ),
        (
            [
                "--start",
                "2023-03-06T17:00",
                "--amount",
                "1",
                "--unit",
                "working_days",
                "--opening",
                "09:00-17:00",
            ],
            "2023-03-08T23:59:59+00:00",
        ),
        (
            [
                "--start",
                "2023-03-03T16:00",
                "--amount",
                "2",
                "--unit",
                "working_hours",
                "--opening",
                "09:00-17:00",
            ],
            "2023-03-06T10:00:00+00:00",
        ),
        (
            ["--start", "2023-09-03T10:00+01:00", "--amount", "1", "--unit", "calendar_months"],
            "2023-10-04T23:59:59+01:00",
        ),
        (
            ["--start", "2023-03-25T12:00Z", "--amount", "24", "--unit", "hours"],
            "2023-03-26T13:00:00+01:00",
        ),
    ],
)
def test_deadline_prints_iso_8601_local_time(arguments: list[str], expected: str) -> None:
    assert run("deadline", "--nation", "england-and-wales", *arguments) == expected


def test_deadline_uses_the_united_kingdom_calendar_for_foi() -> None:
    arguments = ["--start", "2023-03-06T10:00", "--amount", "20", "--unit", "working_days"]
    assert run("deadline", "--nation", "united-kingdom", *arguments) == "2023-04-04T23:59:59+01:00"


def test_working_days_prints_the_count_after_from_up_to_and_including_to() -> None:
    arguments = ["--from", "2022-12-24", "--to", "2023-01-04"]
    assert run("working-days", "--nation", "england-and-wales", *arguments) == "5"
    assert run("working-days", "--nation", "scotland", *arguments) == "4"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["deadline", "--start", "soon", "--amount", "1", "--unit", "hours"], "'soon' is not"),
        (["deadline", "--start", "2023-01-01", "--amount", "-1", "--unit", "hours"], "'-1'"),
        (["deadline", "--start", "2023-01-01", "--amount", "1", "--unit", "weeks"], "invalid"),
        (["deadline", "--start", "2099-01-01", "--amount", "1", "--unit", "working_days"], "2099"),
        (["working-days", "--from", "2023-01-05", "--to", "2023-01-04"], "--to is before"),
        (["working-days", "--from", "2023-13-01", "--to", "2023-01-04"], "'2023-13-01'"),
    ],
)
def test_bad_arguments_fail_with_status_2(arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message) as raised:
        run(*arguments, "--nation", "england-and-wales")
    assert raised.value.returncode == 2


def test_bad_nation_fails_with_status_2() -> None:
    with pytest.raises(CommandError, match="invalid choice") as raised:
        run("working-days", "--from", "2023-01-01", "--to", "2023-01-04", "--nation", "wessex")
    assert raised.value.returncode == 2


def test_the_onestop_command_prints_one_line_and_exits_2_on_bad_arguments() -> None:
    environment = {**os.environ, "ONESTOP_DEV": "1"}
    command = [sys.executable, "-m", "onestop.cli", "clock", "deadline", "--nation"]
    good = subprocess.run(  # noqa: S603 (fixed arguments)
        [
            *command,
            "scotland",
            "--start",
            "2022-12-23T10:00",
            "--amount",
            "5",
            "--unit",
            "working_days",
        ],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    bad = subprocess.run(  # noqa: S603
        [
            *command,
            "atlantis",
            "--start",
            "2022-12-23T10:00",
            "--amount",
            "5",
            "--unit",
            "working_days",
        ],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert (good.returncode, good.stdout) == (0, "2023-01-05T23:59:59+00:00\n")
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "invalid choice: 'atlantis'" in bad.stderr
