"""The long-running worker (C7): ``onestop worker`` (no ``--until-idle``) as a systemd service
runs it, a real subprocess against the test database and the local Notify.  It sends a message
that is pending when it starts and one written while it runs (the apps' steps come round every
``--steps-interval`` seconds), and SIGTERM stops it cleanly with exit status 0.

The worker is another process: it needs a database it can open, the test PostgreSQL database or
a SQLite test database kept in a file (``ONESTOP_SQLITE_TEST_NAME``); with SQLite in memory the
test is skipped.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from onestop.core.models import Organisation
from onestop.notify.models import Message, MessageStatus
from tests.notify import notifysend_helpers as helpers
from tests.notify.notifysend_helpers import FakeNotify

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def notify_server() -> Iterator[FakeNotify]:
    yield from helpers.running()


def _database_url() -> str:
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        if name == ":memory:" or "mode=memory" in name:
            pytest.skip("the worker subprocess cannot open an in-memory SQLite database")
        return f"sqlite:///{Path(name).resolve()}"
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgresql:///"))
    return urlunsplit(parts._replace(path="/" + name))


def _start(notify: FakeNotify, *arguments: str, batch: int = 100) -> subprocess.Popen[bytes]:
    environment = {
        "ONESTOP_MESSAGE_BATCH": str(batch),
        **os.environ,
        "DATABASE_URL": _database_url(),
        "ONESTOP_DEV": "1",
        "ONESTOP_DEBUG": "0",
        "ONESTOP_MESSAGE_SENDER": "notify",
        "ONESTOP_NOTIFY_API_KEY": helpers.API_KEY,
        "ONESTOP_NOTIFY_BASE_URL": notify.url,
        "ONESTOP_NOTIFY_EMAIL_TEMPLATE_ID": helpers.EMAIL_TEMPLATE,
        "ONESTOP_NOTIFY_SMS_TEMPLATE_ID": helpers.SMS_TEMPLATE,
    }
    return subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "onestop.cli", "worker", *arguments],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for(condition: Callable[[], bool], worker: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        if worker.poll() is not None:
            _out, err = worker.communicate()
            pytest.fail(f"the worker stopped ({worker.returncode}): {err.decode()[-2000:]}")
        assert time.monotonic() < deadline, "the worker did not send in time"
        time.sleep(0.05)


def _received(notify: FakeNotify) -> int:
    with notify.lock:
        return sum(notify.posts.values())


def _status(message: Message) -> str:
    return str(
        Message.objects.for_organisation(message.organisation_id)
        .filter(pk=message.pk)
        .values_list("status", flat=True)
        .get()
    )


def test_the_running_worker_sends_pending_and_new_messages_and_stops_on_sigterm(
    notify_server: FakeNotify, council: Organisation
) -> None:
    notify_server.reset()
    first = helpers.message(council)
    worker = _start(notify_server, "--steps-interval", "0.5", "--interval", "0.2")
    try:
        _wait_for(lambda: _status(first) == MessageStatus.SENT, worker)
        # Written while the worker runs: the next round of the steps sends it.
        second = helpers.message(council, address="resident@example.org")
        _wait_for(lambda: _status(second) == MessageStatus.SENT, worker)
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    _out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err.decode()[-2000:]
    assert notify_server.received(first.reference) == 1
    assert notify_server.received(second.reference) == 1
    [notification] = notify_server.by_reference(second.reference)
    second.refresh_from_db()
    assert second.provider == "notify"
    assert second.provider_id == notification["id"]
    assert second.attempts == 1


def test_sigterm_while_sending_lets_the_batch_finish_and_leaves_the_rest_pending(
    notify_server: FakeNotify, council: Organisation
) -> None:
    notify_server.reset()
    messages = [helpers.message(council, address=f"person{n}@example.org") for n in range(400)]
    worker = _start(notify_server, "--steps-interval", "0.5", batch=20)
    try:
        _wait_for(lambda: _received(notify_server) >= 30, worker)
    finally:
        worker.send_signal(signal.SIGTERM)
    _out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err.decode()[-2000:]
    statuses = dict(Message.objects.for_organisation(council).values_list("pk", "status"))
    sent = [message for message in messages if statuses[message.pk] == MessageStatus.SENT]
    pending = [message for message in messages if statuses[message.pk] == MessageStatus.PENDING]
    # The batch under way was finished and recorded: nothing is left "sending", every message
    # Notify received is recorded sent, and the worker stopped well before the end.
    assert len(sent) + len(pending) == len(messages)
    assert len(sent) % 20 == 0
    assert {message.reference for message in sent} == set(notify_server.posts)
    assert all(count == 1 for count in notify_server.posts.values())
    assert pending


def test_sigterm_while_idle_stops_the_worker_at_once(
    notify_server: FakeNotify, council: Organisation
) -> None:
    worker = _start(notify_server, "--steps-interval", "60")
    # It says so once its signal handlers are set; its first round of steps (nothing due) is
    # quick, then it waits: SIGTERM ends the wait.
    assert worker.stdout is not None
    lines: list[bytes] = []
    deadline = time.monotonic() + 60
    while not lines or not lines[-1].startswith(
        b"worker: running; the apps' steps every 60.0 seconds"
    ):
        ready, _w, _x = select.select([worker.stdout], [], [], 1)
        assert time.monotonic() < deadline, lines
        assert worker.poll() is None, lines
        if ready:
            lines.append(worker.stdout.readline())
    time.sleep(1)
    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    _out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err.decode()[-2000:]
    assert time.monotonic() - started < 10


def test_a_wrong_steps_interval_is_refused(
    notify_server: FakeNotify, council: Organisation
) -> None:
    worker = _start(notify_server, "--steps-interval", "0")
    _out, err = worker.communicate(timeout=60)
    assert worker.returncode == 2
    assert "--steps-interval: must be between 0.1 and 3600 seconds" in err.decode()
