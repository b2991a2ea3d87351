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
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from django.db import connection
from django.utils import timezone

from onestop.core.models import Organisation
from onestop.notify.models import Channel, Event, Message, MessageStatus, RecipientKind
from tests.notify import notifysend_helpers as helpers
from tests.notify.notifysend_helpers import FakeNotify

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

MESSAGES = 1000
KILL_AFTER = (150, 420, 700)  # notifications Notify has received when each kill comes
LEASE_SECONDS = 2


@pytest.fixture(scope="module")
def notify_server() -> Iterator[FakeNotify]:
    yield from helpers.running()


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
        worker = helpers.start_worker(notify_server, lease_seconds=LEASE_SECONDS)
        deadline = time.monotonic() + 120
        while helpers.received(notify_server) < threshold and worker.poll() is None:
            assert time.monotonic() < deadline, "the worker sent too slowly"
            time.sleep(0.002)
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            kills += 1
        worker.wait(timeout=30)
        time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's claims expire
    assert kills == len(KILL_AFTER)
    assert helpers.received(notify_server) < MESSAGES  # each kill came mid-stream
    for _run in range(5):
        worker = helpers.start_worker(notify_server, lease_seconds=LEASE_SECONDS)
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
