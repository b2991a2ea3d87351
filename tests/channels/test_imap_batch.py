"""The poller's batch (``channels.services.imap._take``): its messages are received in one
transaction without a savepoint each, and a batch that fails that way is rolled back and taken
again message by message, each in its own savepoint, so every message is still received once."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onestop.channels.errors import ChannelError
from onestop.channels.models import MessageOutcome
from onestop.customers.models import Customer
from tests.channels.conftest import MailWorld, message
from tests.channels.dovecot import Dovecot
from tests.channels.test_imap import PROCESSED, _kept, _poll, _setup

pytestmark = pytest.mark.django_db


def _messages(count: int) -> list[bytes]:
    return [
        message(
            subject=f"Missed bin {number}",
            message_id=f"<batch-{number}@example.org>",
            sender=f"Resident {number} <resident{number}@example.org>",
        )
        for number in range(count)
    ]


def _savepoints(queries: CaptureQueriesContext) -> int:
    return sum(1 for query in queries.captured_queries if "SAVEPOINT" in query["sql"].upper())


def test_a_batch_makes_no_savepoint_per_message(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(user, password, _messages(1))
    with CaptureQueriesContext(connection) as one:
        assert _poll(source).received == 1
    imap_ca.append(user, password, _messages(6)[1:])
    with CaptureQueriesContext(connection) as five:
        assert _poll(source).received == 5
    # The same savepoints for five messages as for one: the batch's own (inside the test's
    # transaction) and the mailbox's status, none per message (the first poll also records
    # the folder's UIDVALIDITY).
    assert (_savepoints(one), _savepoints(five)) == (6, 4)
    assert [m.outcome for m in _kept(mail_world)] == [MessageOutcome.RAISED] * 6
    assert imap_ca.uids(user, password, "INBOX") == []
    assert len(imap_ca.uids(user, password, PROCESSED)) == 6


def test_a_batch_that_fails_the_quick_way_is_taken_message_by_message_once(
    mail_world: MailWorld,
    imap_ca: Dovecot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(user, password, _messages(3))
    # The mailbox's case type was retired: each message makes its customer and contact, then
    # cannot raise its case.  The quick way cannot roll back one message's part, so the batch
    # is taken again with a savepoint per message, which keeps each mail refused with the
    # reason, and no customer or contact of it.
    enquiry = mail_world.enquiry
    enquiry.is_active = False
    enquiry.save(update_fields=["is_active"])
    customers = Customer.objects.for_organisation(mail_world.world.organisation).count()
    with caplog.at_level(logging.INFO, logger="onestop.channels.services.imap"):
        result = _poll(source)
    assert (result.error, result.received, result.filed_away) == ("", 3, 3)
    assert result.outcomes == {MessageOutcome.REFUSED: 3}
    kept = _kept(mail_world)
    assert [(m.outcome, m.reason_code) for m in kept] == [
        (MessageOutcome.REFUSED, ChannelError.CANNOT_RAISE)
    ] * 3
    assert [m.subject for m in kept] == ["Missed bin 0", "Missed bin 1", "Missed bin 2"]
    assert Customer.objects.for_organisation(mail_world.world.organisation).count() == customers
    assert [r.getMessage() for r in caplog.records if "message by message" in r.getMessage()] == [
        f"IMAP batch of mailbox {mail_world.enquiries.address} taken again message by message: "
        "TransactionManagementError"
    ]
    source.refresh_from_db()
    assert source.last_uid == 3
    assert imap_ca.uids(user, password, "INBOX") == []
    # Polled again: nothing is taken twice.
    assert _poll(source).received == 0
    assert len(_kept(mail_world)) == 3
