"""A message to many customers across ``kill -9``: ``onestop worker --until-idle`` is killed while
it is writing recipients chunk by chunk and sending them to the local Notify, started again, and
again: every customer of the group gets exactly one message, and the local Notify receives each
exactly once.

PostgreSQL only (the worker is another process, which cannot open the in-memory SQLite test
database), and slow (worker processes start, each setting Django up).
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from django.db import connection

from onestop.core.models import Organisation, RoleCode
from onestop.notify.models import BulkMessage, BulkStatus, Message, MessageStatus
from onestop.notify.services import bulk
from tests import factories as core_factories
from tests.customers import factories as customer_factories
from tests.notify import notifysend_helpers as helpers
from tests.notify.notifysend_helpers import FakeNotify

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CUSTOMERS = 1100  # three chunks of 500 at most
KILL_AFTER = (20, 520)  # notifications received when each kill comes
LEASE_SECONDS = 2


@pytest.fixture(scope="module")
def notify_server() -> Iterator[FakeNotify]:
    yield from helpers.running()


def test_every_customer_gets_one_message_across_kill_9(
    notify_server: FakeNotify, council: Organisation
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the worker is another process (see the module's notes)")
    notify_server.reset()
    manager = core_factories.staff(council, RoleCode.MANAGER, username="manager")
    crowd = [
        customer_factories.customer(
            council,
            f"R{number:04d}",
            "Resident",
            email=f"r{number}@example.org",
            postcode="NN1 5AB",
        ).pk
        for number in range(CUSTOMERS)
    ]
    draft = bulk.create_bulk(
        council.pk,
        by=manager,
        title="Snow closure",
        group={"kind": "postcode", "postcode": "NN1 5"},
        use_template=True,
        subject="",
        message="The office is closed today because of snow.",
        channels=["email"],
    )
    bulk.send(draft, by=manager)
    kills = 0
    for threshold in KILL_AFTER:
        worker = helpers.start_worker(notify_server, lease_seconds=LEASE_SECONDS)
        deadline = time.monotonic() + 180
        while helpers.received(notify_server) < threshold and worker.poll() is None:
            assert time.monotonic() < deadline, "the worker sent too slowly"
            time.sleep(0.002)
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            kills += 1
        worker.wait(timeout=30)
        if kills == 1:
            # Killed between chunks: the first chunk written, the rest not yet.
            draft.refresh_from_db()
            assert (draft.status, draft.recipients) == (BulkStatus.SENDING, 500)
        time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's claims expire
    assert kills == len(KILL_AFTER)
    for _run in range(5):
        worker = helpers.start_worker(notify_server, lease_seconds=LEASE_SECONDS)
        _out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err.decode()
        written = Message.objects.for_organisation(council).filter(bulk_message=draft)
        if not written.exclude(status=MessageStatus.SENT).exists():
            break
        time.sleep(LEASE_SECONDS + 0.5)
    finished = BulkMessage.objects.for_organisation(council).get(pk=draft.pk)
    assert (finished.status, finished.recipients, finished.messages_created) == (
        BulkStatus.SENT,
        CUSTOMERS,
        CUSTOMERS,
    )
    messages = list(Message.objects.for_organisation(council).filter(bulk_message=draft))
    assert sorted(message.customer_id for message in messages) == sorted(crowd)
    assert {message.status for message in messages} == {MessageStatus.SENT}
    with notify_server.lock:
        posts = Counter(notify_server.posts)
    assert {message.reference for message in messages} == set(posts)
    assert [reference for reference, count in posts.items() if count != 1] == []
