"""``onestop calls import``: the final line, refused rows on standard error, exit codes 0, 1
and 2, ``--all-or-nothing``.

Run as a real subprocess against the test database when another process can reach it
(PostgreSQL, or SQLite in a file); with SQLite in memory the same command runs in-process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from onestop.contacts.models import Contact
from onestop.telephony.models import CallImportRun, CallRecord
from tests.telephony.conftest import HEADER, CallWorld, row

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(__file__).resolve().parent / "samples"


def _database_url() -> str | None:
    settings = connection.settings_dict
    name = str(settings["NAME"])
    if connection.vendor == "postgresql":
        parts = urlsplit(os.environ.get("DATABASE_URL", "postgresql:///"))
        return urlunsplit(parts._replace(path="/" + name))
    if connection.vendor == "sqlite" and "memory" not in name and name != ":memory:":
        return "sqlite:///" + name
    return None


def _run(*arguments: str) -> tuple[int, str, str]:
    """Exit status, standard output and standard error of ``onestop calls ...``."""
    url = _database_url()
    if url is not None:
        done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
            [sys.executable, "-m", "onestop.cli", "calls", *arguments],
            capture_output=True,
            env={**os.environ, "DATABASE_URL": url, "ONESTOP_DEV": "1"},
            cwd=ROOT,
            timeout=120,
            check=False,
        )
        return done.returncode, done.stdout.decode(), done.stderr.decode()
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("calls", *arguments, stdout=stdout, stderr=stderr)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    except CommandError as error:
        code = error.returncode
        stderr.write(f"CommandError: {error}\n")
    else:
        code = 0
    return code, stdout.getvalue(), stderr.getvalue()


def _subprocess(var_dir: Path, *arguments: str, **environment: str) -> tuple[int, str, str]:
    """``onestop calls ...`` always in a real process, with ``environment`` added to the test's
    database's (or, for SQLite in memory, which no other process can reach, a database of its
    own in ``var_dir``): what the settings read from the environment reaches the command."""
    url = _database_url()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ONESTOP_") and key != "DATABASE_URL"
    }
    env.update({"ONESTOP_DEV": "1", "ONESTOP_VAR_DIR": str(var_dir), **environment})
    if url is not None:
        env["DATABASE_URL"] = url
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "onestop.cli", "calls", *arguments],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def _file(tmp_path: Path, *rows: str, name: str = "calls.csv") -> str:
    path = tmp_path / name
    path.write_text(HEADER + "".join(line + "\n" for line in rows), encoding="utf-8")
    return str(path)


def _counts(world: CallWorld) -> tuple[int, int, int]:
    organisation = world.organisation
    return (
        CallRecord.objects.for_organisation(organisation).count(),
        Contact.objects.for_organisation(organisation).count(),
        CallImportRun.objects.for_organisation(organisation).count(),
    )


def test_a_clean_file_exits_0_with_the_final_line(call_world: CallWorld, tmp_path: Path) -> None:
    path = _file(tmp_path, row("c1"), row("c2"))
    code, out, err = _run("import", path, "--organisation", "test-council")
    assert code == 0, err
    assert out.strip().splitlines()[-1] == "imported 2, already present 0, refused 0"
    assert err == ""  # no progress line when standard error is not a terminal
    code, out, _ = _run("import", path, "--organisation", "test-council")
    assert (code, out.strip().splitlines()[-1]) == (0, "imported 0, already present 2, refused 0")
    assert _counts(call_world) == (2, 2, 2)


def test_refused_rows_exit_1_and_are_printed_with_their_line(
    call_world: CallWorld, tmp_path: Path
) -> None:
    path = _file(tmp_path, row("c1"), row("c2", outcome="lost"), row("c3"))
    code, out, err = _run("import", path, "--organisation", "test-council")
    assert code == 1
    assert out.strip().splitlines()[-1] == "imported 2, already present 0, refused 1"
    assert "line 3: outcome 'lost' is not one of answered, abandoned, voicemail, transferred" in err


def test_all_or_nothing_imports_nothing_and_exits_1(call_world: CallWorld, tmp_path: Path) -> None:
    path = _file(tmp_path, row("c1"), row("c2", outcome="lost"))
    code, out, _ = _run("import", path, "--organisation", "test-council", "--all-or-nothing")
    assert code == 1
    assert out.strip().splitlines()[-1] == "imported 0, already present 0, refused 1"
    assert _counts(call_world)[:2] == (0, 0)


def test_another_format(call_world: CallWorld) -> None:
    code, out, _ = _run(
        "import",
        str(SAMPLES / "amazon-connect.jsonl"),
        "--organisation",
        "test-council",
        "--format",
        "amazon-connect",
    )
    assert code == 1
    assert out.strip().splitlines()[-1] == "imported 3, already present 0, refused 2"


def test_chats_are_skipped_and_said_before_the_final_line(
    call_world: CallWorld, tmp_path: Path
) -> None:
    path = tmp_path / "ctr.jsonl"
    with (SAMPLES / "amazon-connect.jsonl").open(encoding="utf-8") as sample:
        voice = [line for line in sample if '"Channel": "VOICE"' in line][:2]
    chat = voice[0].replace('"VOICE"', '"CHAT"').replace("XXXXXXXXXXX1", "chat00000001")
    path.write_text("".join([*voice, chat]), encoding="utf-8")
    code, out, err = _run(
        "import", str(path), "--organisation", "test-council", "--format", "amazon-connect"
    )
    assert code == 0, err
    assert out.strip().splitlines()[-2:] == [
        "skipped 1 contacts that are not telephone calls",
        "imported 2, already present 0, refused 0",
    ]
    code, out, err = _run(
        "import",
        str(path),
        "--organisation",
        "test-council",
        "--format",
        "amazon-connect",
        "--all-or-nothing",
    )
    assert (code, out.strip().splitlines()[-1]) == (0, "imported 0, already present 2, refused 0")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("import", "{file}", "--organisation", "nowhere"), "there is no organisation 'nowhere'"),
        (("import", "{missing}", "--organisation", "test-council"), "cannot read"),
        (("import", "{file}", "--organisation", "test-council", "--format", "avaya"), "avaya"),
        (("import", "{binary}", "--organisation", "test-council"), "not UTF-8 text"),
        (("import", "{header}", "--organisation", "test-council"), "the first line must be"),
        (("import", "{file}"), "--organisation"),
        (("import", "{file}", "--organisation", "test-council", "--colour", "red"), "--colour"),
        (("export",), "invalid choice"),
    ],
)
def test_bad_arguments_or_an_unreadable_file_exit_2_with_one_line(
    call_world: CallWorld, tmp_path: Path, arguments: tuple[str, ...], message: str
) -> None:
    (tmp_path / "binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00")
    (tmp_path / "header.csv").write_text("id,queue\nc1,Waste\n", encoding="utf-8")
    names = {
        "{file}": _file(tmp_path, row("c1")),
        "{missing}": str(tmp_path / "missing.csv"),
        "{binary}": str(tmp_path / "binary.csv"),
        "{header}": str(tmp_path / "header.csv"),
    }
    code, _out, err = _run(*[names.get(argument, argument) for argument in arguments])
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert message in err
    assert _counts(call_world) == (0, 0, 0)


def test_a_terminal_sees_the_rows_read_so_far(
    call_world: CallWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pty

    from onestop.telephony import services

    monkeypatch.setattr(services, "BATCH", 2)
    path = _file(tmp_path, *[row(f"c{number}") for number in range(5)])
    controller, terminal = pty.openpty()
    stdout = io.StringIO()
    with os.fdopen(terminal, "w") as stderr:
        call_command(
            "calls", "import", path, "--organisation", "test-council", stdout=stdout, stderr=stderr
        )
    # Read all the terminal holds: one read may return only part of it (a busy machine).
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal's other end is closed and everything was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    shown = b"".join(chunks).decode()
    os.close(controller)
    assert "\r2 rows read" in shown
    assert "\r5 rows read" in shown
    assert stdout.getvalue().strip() == "imported 5, already present 0, refused 0"


# --- the operator's mappings, from the environment (issue 16, user trial) ----------------------
MITEL = """
name = "mitel-mivcc"
label = "MiVoice call records"
reader = "csv"
delimiter = ";"

[fields]
call_id = "CallID"
queue = "ACD Group"
offered_at = "Start"
answered_at = "Answered"
ended_at = "End"
outcome = "Result"

[times]
format = "%d/%m/%Y %H:%M:%S"

[outcome]
values = { "ANS" = "answered", "ABN" = "abandoned" }
strict = true
"""


def test_the_command_finds_a_mapping_in_onestop_call_formats_dir(
    call_world: CallWorld, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    mappings = tmp_path / "formats"
    mappings.mkdir()
    (mappings / "mitel.toml").write_text(MITEL, encoding="utf-8")
    path = tmp_path / "mitel.csv"
    path.write_text(
        "CallID;ACD Group;Start;Answered;End;Result\n"
        "m1;Housing;02/03/2026 09:00:00;02/03/2026 09:00:12;02/03/2026 09:04:00;ANS\n",
        encoding="utf-8",
    )
    var_dir = tmp_path / "var"
    arguments = ["import", str(path), "--format", "mitel-mivcc", "--organisation"]
    if _database_url() is None:
        # SQLite in memory: the command runs on a database of its own, with no organisation;
        # the format is checked first, so being told of the organisation means it was found.
        from tests.migrated import copy_migrated_into

        copy_migrated_into(var_dir, tmp_path_factory)
        code, out, err = _subprocess(
            var_dir, *arguments, "nowhere", ONESTOP_CALL_FORMATS_DIR=str(mappings)
        )
        assert (code, out, err) == (2, "", "CommandError: there is no organisation 'nowhere'\n")
        return
    code, out, err = _subprocess(
        var_dir, *arguments, "test-council", ONESTOP_CALL_FORMATS_DIR=str(mappings)
    )
    assert code == 0, err
    assert out.strip().splitlines()[-1] == "imported 1, already present 0, refused 0"
    assert CallRecord.objects.for_organisation(call_world.organisation).get().source == (
        "mitel-mivcc"
    )


@pytest.mark.parametrize("broken", ["missing", "toml"])
def test_a_wrong_onestop_call_formats_dir_stops_the_command_in_one_line(
    call_world: CallWorld, tmp_path: Path, broken: str
) -> None:
    mappings = tmp_path / "formats"
    if broken == "toml":
        mappings.mkdir()
        (mappings / "mitel.toml").write_text(MITEL.replace("label =", "label"), "utf-8")
    path = _file(tmp_path, row("c1"))
    code, out, err = _subprocess(
        tmp_path / "var",
        "import",
        path,
        "--organisation",
        "test-council",
        ONESTOP_CALL_FORMATS_DIR=str(mappings),
    )
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1, err
    expected = f"{mappings} is not a folder" if broken == "missing" else f"{mappings}/mitel.toml: "
    assert expected in err
    assert _counts(call_world) == (0, 0, 0)


def test_the_upload_limit_is_read_from_the_environment(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ONESTOP_")}
    env.update(
        {
            "ONESTOP_DEV": "1",
            "ONESTOP_VAR_DIR": str(tmp_path),
            "ONESTOP_CALLS_UPLOAD_MAX_BYTES": "5",
        }
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from onestop.telephony import forms; "
            "print(forms.upload_max_bytes())",
        ],
        capture_output=True,
        text=True,
        env={**env, "DJANGO_SETTINGS_MODULE": "onestop.settings"},
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "5\n"), done.stderr
