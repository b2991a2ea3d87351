"""``onestop mail-receive``: one message on stdin, sysexits exit codes for the MTA.

Run as a real subprocess against the test database when another process can reach it
(PostgreSQL, or SQLite in a file); with SQLite in memory the same command runs in-process
(``call_command`` with the message on stdin), since no other process can open that database.
"""

from __future__ import annotations

import importlib
import io
import os
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from onestop.cases.models import Case
from onestop.channels import services
from onestop.channels.models import InboundMessage, MessageOutcome
from tests.channels.conftest import (
    MailWorld,
    message,
    nested_comment_sender,
    nested_multiparts,
    nested_rfc822,
)

Command = importlib.import_module("onestop.channels.management.commands.mail-receive").Command

pytestmark = pytest.mark.django_db(transaction=True)

TO = "enquiries@test-council.example"
ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str | None:
    """A URL another process can use to reach this test database, or ``None``."""
    settings = connection.settings_dict
    name = str(settings["NAME"])
    if connection.vendor == "postgresql":
        parts = urlsplit(os.environ.get("DATABASE_URL", "postgresql:///"))
        return urlunsplit(parts._replace(path="/" + name))
    if connection.vendor == "sqlite" and "memory" not in name and name != ":memory:":
        return "sqlite:///" + name
    return None


def _run(raw: bytes, *arguments: str) -> tuple[int, str]:
    url = _database_url()
    if url is not None:
        environment = {**os.environ, "DATABASE_URL": url, "ONESTOP_DEV": "1"}
        done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
            [sys.executable, "-m", "onestop.cli", "mail-receive", *arguments],
            input=raw,
            capture_output=True,
            env=environment,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
        return done.returncode, (done.stdout + done.stderr).decode("utf-8", "replace")
    stdout, stderr = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(raw))
    try:
        call_command("mail-receive", *arguments, stdout=stdout, stderr=stderr)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    except CommandError:
        code = 1
    else:
        code = 0
    finally:
        sys.stdin = saved
    return code, stdout.getvalue() + stderr.getvalue()


def test_a_message_on_stdin_raises_a_case_and_exits_0(mail_world: MailWorld) -> None:
    code, output = _run(message(), "--recipient", TO, "--sender", "sam@example.org")
    assert code == services.EX_OK, output
    kept = InboundMessage.objects.for_organisation(mail_world.world.organisation).get()
    assert kept.outcome == MessageOutcome.RAISED
    assert kept.case is not None
    assert kept.case.reference in output
    assert bytes(kept.raw) == message()


def test_a_redelivery_and_an_auto_reply_exit_0_without_a_new_case(
    mail_world: MailWorld,
) -> None:
    assert _run(message(), "--recipient", TO)[0] == services.EX_OK
    assert _run(message(), "--recipient", TO)[0] == services.EX_OK
    bounce = message("failed", message_id="<bounce@x>")
    assert _run(bounce, "--recipient", TO, "--sender", "")[0] == services.EX_OK
    organisation = mail_world.world.organisation
    assert Case.objects.for_organisation(organisation).count() == 1
    outcomes = InboundMessage.objects.for_organisation(organisation).values_list(
        "outcome", flat=True
    )
    assert sorted(outcomes) == [MessageOutcome.IGNORED_AUTO_REPLY, MessageOutcome.RAISED]


def test_an_unknown_recipient_exits_67_and_keeps_nothing(mail_world: MailWorld) -> None:
    code, output = _run(message(), "--recipient", "nobody@test-council.example")
    assert code == services.EX_NOUSER
    assert "550 5.1.1" in output
    assert not InboundMessage.objects.for_organisation(mail_world.world.organisation).exists()


def test_a_refused_message_exits_65(mail_world: MailWorld) -> None:
    headers = tuple(f"X-Filler-{n}: {'y' * 900}" for n in range(200))
    code, output = _run(message(headers=headers), "--recipient", TO)
    assert code == services.EX_DATAERR
    assert "header section" in output


def test_a_message_over_the_limit_exits_65_and_keeps_nothing(mail_world: MailWorld) -> None:
    too_big = message("x" * (services.max_bytes() + 10))
    code, output = _run(too_big, "--recipient", TO)
    assert code == services.EX_DATAERR
    assert "552" in output
    assert not InboundMessage.objects.for_organisation(mail_world.world.organisation).exists()


def test_a_missing_recipient_is_a_usage_error(mail_world: MailWorld) -> None:
    code, _output = _run(message())
    assert code not in (services.EX_OK, services.EX_TEMPFAIL)
    assert not InboundMessage.objects.for_organisation(mail_world.world.organisation).exists()


@pytest.mark.django_db
def test_a_database_that_cannot_be_reached_exits_75_so_the_mta_retries() -> None:
    environment = {
        **os.environ,
        "DATABASE_URL": "postgresql://127.0.0.1:1/no_such_database",
        "ONESTOP_DEV": "1",
    }
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "onestop.cli", "mail-receive", "--recipient", TO],
        input=message(),
        capture_output=True,
        env=environment,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == services.EX_TEMPFAIL, done.stderr.decode()
    assert b"Temporary failure" in done.stderr


def test_mail_serve_runs_as_a_command_and_takes_mail(mail_world: MailWorld) -> None:
    url = _database_url()
    if url is None:
        pytest.skip("SQLite in memory: no other process can open the test database")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "DATABASE_URL": url, "ONESTOP_DEV": "1"}
    server = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "onestop.cli", "mail-serve", "--port", str(port)],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                client = smtplib.SMTP("127.0.0.1", port, timeout=30)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        with client:
            assert client.sendmail("sam@example.org", [TO], message()) == {}
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.returncode == 0
    kept = InboundMessage.objects.for_organisation(mail_world.world.organisation).get()
    assert kept.outcome == MessageOutcome.RAISED


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(nested_multiparts(1000), id="1000-nested-multiparts"),
        pytest.param(nested_rfc822(2000), id="2000-nested-messages"),
        pytest.param(nested_comment_sender(), id="nested-comments-in-from"),
    ],
)
def test_a_message_too_deep_to_parse_exits_65_and_is_kept(
    mail_world: MailWorld, raw: bytes
) -> None:
    code, output = _run(raw, "--recipient", TO)
    assert code == services.EX_DATAERR
    assert "unparseable" in output
    assert "Traceback" not in output
    kept = InboundMessage.objects.for_organisation(mail_world.world.organisation).get()
    assert kept.outcome == MessageOutcome.REFUSED


def test_an_empty_message_on_the_pipe_exits_65_and_is_kept_refused(
    mail_world: MailWorld,
) -> None:
    code, output = _run(b"", "--recipient", TO)
    assert code == services.EX_DATAERR, output
    assert "unparseable" in output
    kept = InboundMessage.objects.for_organisation(mail_world.world.organisation).get()
    assert kept.outcome == MessageOutcome.REFUSED
    assert kept.case is None
    assert not Case.objects.for_organisation(mail_world.world.organisation).exists()


def test_an_unexpected_failure_exits_75_without_its_text(
    mail_world: MailWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> InboundMessage:
        raise ValueError("secret internals")

    monkeypatch.setattr(services, "receive_message", broken)
    command = Command(stdout=io.StringIO(), stderr=io.StringIO())
    assert command.receive(message(), TO, None) == services.EX_TEMPFAIL
    assert "secret" not in command.stderr._out.getvalue()
