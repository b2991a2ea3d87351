"""The kill test (C7): ``onestop worker --until-idle`` killed with ``kill -9`` in the middle of
1,000 sends to the local Notify, started again, and again: every message reaches Notify exactly
once (counted by what the local Notify received) and is recorded with Notify's id.

PostgreSQL only (the worker is another process, which cannot open the in-memory SQLite test
database; the claim is ``SELECT ... FOR UPDATE SKIP LOCKED``), and slow (four worker
processes start, each setting Django up).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.utils import timezone

from onestop.core.models import Organisation
from onestop.notify.models import Channel, Event, Message, MessageStatus, RecipientKind
from tests.notify import notifysend_helpers as helpers
from tests.notify.notifysend_helpers import FakeNotify

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 1000
KILL_AFTER = (150, 420, 700)  # notifications Notify has received when each kill comes
LEASE_SECONDS = 2


@pytest.fixture(scope="module")
def notify_server() -> Iterator[FakeNotify]:
    yield from helpers.running()


def _database_url() -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgresql:///"))
    return urlunsplit(parts._replace(path="/" + str(connection.settings_dict["NAME"])))


def _environment(notify: FakeNotify) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "ONESTOP_DEV": "1",
        "ONESTOP_DEBUG": "0",
        "ONESTOP_MESSAGE_SENDER": "notify",
        "ONESTOP_NOTIFY_API_KEY": helpers.API_KEY,
        "ONESTOP_NOTIFY_BASE_URL": notify.url,
        "ONESTOP_NOTIFY_EMAIL_TEMPLATE_ID": helpers.EMAIL_TEMPLATE,
        "ONESTOP_NOTIFY_SMS_TEMPLATE_ID": helpers.SMS_TEMPLATE,
        "ONESTOP_NOTIFY_RATE_PER_MINUTE": "0",
        "ONESTOP_MESSAGE_BATCH": "50",
        "ONESTOP_MESSAGE_SENDING_LEASE_SECONDS": str(LEASE_SECONDS),
    }


def _worker(notify: FakeNotify) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "onestop.cli", "worker", "--until-idle", "--verbosity", "0"],
        env=_environment(notify),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _total(notify: FakeNotify) -> int:
    with notify.lock:
        return sum(notify.posts.values())


def test_every_message_is_sent_exactly_once_across_kill_9(
    notify_server: FakeNotify, council: Organisation
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the worker is another process (see the module's notes)")
    notify_server.reset()
    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            organisation=council,
            recipient_kind=RecipientKind.CUSTOMER,
            recipient_label=f"Resident {number}",
            address=f"resident{number}@example.org",
            channel=Channel.EMAIL,
            event=Event.ACKNOWLEDGEMENT,
            subject="We have your request",
            body=f"Dear Resident {number},\n\nWe have your request.",
            created_at=now,
            updated_at=now,
        )
        for number in range(MESSAGES)
    )
    kills = 0
    for threshold in KILL_AFTER:
        worker = _worker(notify_server)
        deadline = time.monotonic() + 120
        while _total(notify_server) < threshold and worker.poll() is None:
            assert time.monotonic() < deadline, "the worker sent too slowly"
            time.sleep(0.002)
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            kills += 1
        worker.wait(timeout=30)
        time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's claims expire
    assert kills == len(KILL_AFTER)
    assert _total(notify_server) < MESSAGES  # each kill came mid-stream
    for _run in range(5):
        worker = _worker(notify_server)
        _out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err.decode()
        left = Message.objects.for_organisation(council).exclude(status=MessageStatus.SENT).count()
        if not left:
            break
        time.sleep(LEASE_SECONDS + 0.5)
    with notify_server.lock:
        posts = Counter(notify_server.posts)
        ids = {item["reference"]: item["id"] for item in notify_server.notifications}
        bad_tokens = notify_server.bad_tokens
    messages = list(Message.objects.for_organisation(council).order_by("id"))
    assert len(messages) == MESSAGES
    assert {message.reference for message in messages} == set(posts)
    assert [reference for reference, count in posts.items() if count != 1] == []
    assert {message.status for message in messages} == {MessageStatus.SENT}
    assert all(message.provider_id == ids[message.reference] for message in messages)
    assert bad_tokens == 0
    # Some messages were recovered by asking Notify (a kill fell between send and record).
    looked_up = sum(1 for method, _path in notify_server.requests if method == "GET")
    assert looked_up >= 1
