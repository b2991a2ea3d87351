"""The e-mail kill test (issue 11): ``onestop mail-serve`` killed with ``kill -9`` mid-stream.

A sending side that behaves like an MTA (a lost connection, a 4xx or a refused connection means
"try again later") delivers a few hundred distinct messages to a real ``mail-serve`` subprocess
on PostgreSQL while the test kills the server with SIGKILL at random moments of the SMTP
dialogue and starts it again.  Afterwards every message the server accepted (250) is stored
exactly once and raised exactly one case, and every message was in the end accepted: none lost,
none doubled by the retries.
"""

from __future__ import annotations

import os
import random
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from onestop.cases.models import Case
from onestop.channels.models import InboundMessage, MessageOutcome
from tests.channels.conftest import MailWorld, message

pytestmark = pytest.mark.django_db(transaction=True)

TO = "enquiries@test-council.example"
ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 200
KILLS = 6
ATTEMPTS = 50  # per message, before the sender gives up (an MTA would keep trying for days)


def _database_url() -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgresql:///"))
    return urlunsplit(parts._replace(path="/" + str(connection.settings_dict["NAME"])))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """One ``mail-serve`` subprocess at a time on a fixed port, started again after a kill."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        environment = {**os.environ, "DATABASE_URL": _database_url(), "ONESTOP_DEV": "1"}
        self.process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [sys.executable, "-m", "onestop.cli", "mail-serve", "--port", str(self.port)],
            env=environment,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5):
                    return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.1)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """``kill -9``: no clean shutdown, whatever the server is doing."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            self.kills += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Sender:
    """The sending side, as an MTA: one connection reused while it lasts; a lost or refused
    connection, or a 4xx, means "try again" on a new connection."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.client: smtplib.SMTP | None = None

    def _connection(self) -> smtplib.SMTP:
        if not self.server.alive():
            self.server.start()
        if self.client is None:
            self.client = smtplib.SMTP("127.0.0.1", self.server.port, timeout=30)
        return self.client

    def _drop(self) -> None:
        if self.client is not None:
            try:
                self.client.close()
            finally:
                self.client = None

    def deliver(self, raw: bytes, sender: str) -> int:
        """Deliver ``raw`` until it is accepted: the number of attempts it took."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                refused = self._connection().sendmail(sender, [TO], raw)
            except smtplib.SMTPResponseException as error:
                if not 400 <= error.smtp_code < 500:
                    raise
                self._drop()
            except (smtplib.SMTPServerDisconnected, OSError):
                self._drop()
            else:
                assert refused == {}, refused
                return attempt
            time.sleep(0.05)
        raise AssertionError(f"not accepted after {ATTEMPTS} attempts")

    def close(self) -> None:
        self._drop()


def test_every_accepted_message_is_stored_exactly_once_across_kill_9(
    mail_world: MailWorld,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: the server runs as another process, which cannot open the "
            "in-memory SQLite test database, and the kill test is about PostgreSQL commits"
        )
    randomness = random.Random(11)  # noqa: S311 - test timing, not security
    kill_at = set(randomness.sample(range(10, MESSAGES - 10), KILLS))
    server = Server(_free_port())
    server.start()
    sender = Sender(server)
    attempts: list[int] = []
    try:
        for number in range(MESSAGES):
            raw = message(
                f"Message {number}: the bin at number {number} was not emptied.\r\n",
                subject=f"Missed bin {number}",
                sender=f"Resident {number} <resident{number}@example.org>",
                message_id=f"<kill-{number}@example.org>",
            )
            killer = None
            if number in kill_at:
                # Somewhere between the greeting and well after the commit of this message.
                killer = threading.Timer(randomness.uniform(0.0, 0.15), server.kill)
                killer.start()
            attempts.append(sender.deliver(raw, f"resident{number}@example.org"))
            if killer is not None:
                killer.join()
    finally:
        sender.close()
        server.stop()
    assert server.kills == KILLS
    organisation = mail_world.world.organisation
    stored = Counter(
        InboundMessage.objects.for_organisation(organisation).values_list("message_id", flat=True)
    )
    expected = {f"kill-{number}@example.org" for number in range(MESSAGES)}
    normalised = Counter(identifier.strip("<>") for identifier in stored.elements())
    assert set(normalised) == expected, "messages accepted with 250 but not stored"
    assert [identifier for identifier, count in normalised.items() if count != 1] == []
    outcomes = Counter(
        InboundMessage.objects.for_organisation(organisation).values_list("outcome", flat=True)
    )
    assert outcomes == {MessageOutcome.RAISED: MESSAGES}
    assert Case.objects.for_organisation(organisation).count() == MESSAGES
    assert sum(attempts) > MESSAGES  # the kills did interrupt deliveries that were then retried
