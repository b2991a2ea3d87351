"""Each message's history (notifyops): the worker's claims and outcomes, receipts, look-ups and
staff's retries are ``MessageChange`` rows, and every change made by the worker, a receipt or a
look-up is in the audit trail: one record per organisation per worker batch, listing the
batch's messages with their status before and after.  The provider's answer is summarised
without personal data.  The outbox's message page shows the history."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onestop.core.models import AuditRecord, Organisation, RoleCode, User
from onestop.notify.models import Message, MessageChange
from onestop.notify.senders import configured
from onestop.notify.services import history, outbox, sending
from tests import factories as core_factories
from tests.notify import notifysend_helpers as helpers
from tests.notify.notifysend_helpers import FakeNotify

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def notify_server() -> Iterator[FakeNotify]:
    yield from helpers.running()


@pytest.fixture
def notify(notify_server: FakeNotify, settings: Any) -> FakeNotify:
    notify_server.reset()
    settings.ONESTOP_MESSAGE_SENDER = "notify"
    settings.ONESTOP_NOTIFY_API_KEY = helpers.API_KEY
    settings.ONESTOP_NOTIFY_BASE_URL = notify_server.url
    settings.ONESTOP_NOTIFY_EMAIL_TEMPLATE_ID = helpers.EMAIL_TEMPLATE
    settings.ONESTOP_NOTIFY_SMS_TEMPLATE_ID = helpers.SMS_TEMPLATE
    settings.ONESTOP_NOTIFY_RATE_PER_MINUTE = 0
    settings.ONESTOP_MESSAGE_MAX_ATTEMPTS = 3
    settings.ONESTOP_NOTIFY_CALLBACK_TOKEN = helpers.CALLBACK_TOKEN
    return notify_server


def _changes(message: Message) -> list[tuple[str, str, str, int, str]]:
    return [
        (change.source, change.from_status, change.to_status, change.attempt, change.detail)
        for change in MessageChange.objects.for_organisation(message.organisation_id)
        .filter(message=message)
        .order_by("at", "id")
    ]


def _audit(organisation: Organisation) -> list[AuditRecord]:
    return list(
        AuditRecord.objects.for_organisation(organisation)
        .filter(object_type="notify.message")
        .order_by("sequence")
    )


def _notify_id(notify: FakeNotify, message: Message) -> str:
    [notification] = notify.by_reference(message.reference)
    return str(notification["id"])


def test_a_worker_batch_is_one_history_insert_and_one_audit_record_per_organisation_a_step(
    notify: FakeNotify, council: Organisation, partner: Organisation
) -> None:
    sent = helpers.message(council)
    refused = helpers.message(council, address="sam.resident@example.org")
    later = helpers.message(council, address="other@example.org")
    theirs = helpers.message(partner)
    # Notify takes the first, refuses the second, is down for the third; the partner's goes.
    failures = {refused.pk: (400, "ValidationError"), later.pk: (500, "Exception")}
    claimed = sending.claim(10)
    assert [message.pk for message in claimed] == sorted(
        message.pk for message in (sent, refused, later, theirs)
    )
    sender = configured()
    changes: list[history.Change] = []
    for message in claimed:
        if message.pk in failures:
            status, error = failures[message.pk]
            notify.fail_next(status, error, f"Can't send to {message.address}")
        sending.record(message, sending.attempt(message, sender), changes)
    history.write(changes, source="worker")

    sent_id = _notify_id(notify, sent)
    assert _changes(sent) == [
        ("worker", "pending", "sending", 1, ""),
        ("worker", "sending", "sent", 1, f"notify: id {sent_id}"),
    ]
    assert _changes(refused) == [
        ("worker", "pending", "sending", 1, ""),
        (
            "worker",
            "sending",
            "permanent-failure",
            1,
            "GOV.UK Notify 400: ValidationError: Can't send to [recipient]",
        ),
    ]
    assert _changes(later) == [
        ("worker", "pending", "sending", 1, ""),
        (
            "worker",
            "sending",
            "temporary-failure",
            1,
            "GOV.UK Notify 500: Exception: Can't send to [recipient]",
        ),
    ]
    # The claim and the outcome: one record each for the council, one each for the partner.
    claim_record, outcome_record = _audit(council)
    assert claim_record.actor_label == "system"
    assert claim_record.summary == "The worker: 3 messages: 3 sending"
    assert claim_record.changes == {
        "source": "worker",
        "messages": {
            str(message.pk): ["pending", "sending", ""] for message in (sent, refused, later)
        },
    }
    assert outcome_record.summary == (
        "The worker: 3 messages: 1 permanent-failure, 1 sent, 1 temporary-failure"
    )
    assert outcome_record.changes == {
        "source": "worker",
        "messages": {
            str(sent.pk): ["sending", "sent", f"notify: id {sent_id}"],
            str(refused.pk): [
                "sending",
                "permanent-failure",
                "GOV.UK Notify 400: ValidationError: Can't send to [recipient]",
            ],
            str(later.pk): [
                "sending",
                "temporary-failure",
                "GOV.UK Notify 500: Exception: Can't send to [recipient]",
            ],
        },
    }
    partner_claim, partner_outcome = _audit(partner)
    assert partner_claim.summary == f"The worker: Message {theirs.pk}: pending to sending"
    assert partner_claim.object_id == str(theirs.pk)
    assert partner_outcome.changes == {
        "source": "worker",
        "messages": {
            str(theirs.pk): ["sending", "sent", f"notify: id {_notify_id(notify, theirs)}"]
        },
    }


def test_process_due_writes_the_history_of_every_batch(
    notify: FakeNotify, council: Organisation
) -> None:
    messages = [helpers.message(council, address=f"person{n}@example.org") for n in range(5)]
    run = sending.process_due(batch=2)
    assert run.claimed == 5
    for message in messages:
        assert [change[:4] for change in _changes(message)] == [
            ("worker", "pending", "sending", 1),
            ("worker", "sending", "sent", 1),
        ]
    # Three batches (2, 2, 1): a claim record and an outcome record each.
    records = _audit(council)
    assert [record.summary for record in records] == [
        "The worker: 2 messages: 2 sending",
        "The worker: 2 messages: 2 sent",
        "The worker: 2 messages: 2 sending",
        "The worker: 2 messages: 2 sent",
        f"The worker: Message {messages[4].pk}: pending to sending",
        f"The worker: Message {messages[4].pk}: sending to sent",
    ]


def _statements(council: Organisation, count: int) -> int:
    for number in range(count):
        helpers.message(council, address=f"person{number}@example.org")
    with CaptureQueriesContext(connection) as captured:
        sending.process_due(batch=100)
    return sum(
        1
        for query in captured.captured_queries
        if "notify_messagechange" in query["sql"] or "core_audit" in query["sql"]
    )


def test_the_history_costs_the_same_statements_for_a_batch_of_any_size(
    notify: FakeNotify, council: Organisation
) -> None:
    _statements(council, 1)  # the organisation's first audit record starts its chain
    few = _statements(council, 3)
    many = _statements(council, 30)
    # The history and the audit are a fixed number of statements a batch, whatever its size.
    assert few == many


def test_a_receipt_is_one_change_and_one_audit_record(
    notify: FakeNotify, council: Organisation
) -> None:
    message = helpers.message(council)
    sending.process_due()
    message.refresh_from_db()
    receipt = {
        "id": message.provider_id,
        "reference": message.reference,
        "to": message.address,
        "status": "permanent-failure",
        "created_at": "2026-12-05T12:00:00.000000Z",
        "notification_type": "email",
    }
    response = Client().post(
        "/notify/callbacks/delivery",
        json.dumps(receipt),
        content_type="application/json",
        headers={"Authorization": f"Bearer {helpers.CALLBACK_TOKEN}"},
    )
    assert response.status_code == 200
    assert _changes(message)[-1] == (
        "receipt",
        "sent",
        "permanent-failure",
        1,
        "GOV.UK Notify: permanent-failure",
    )
    record = _audit(council)[-1]
    assert record.summary == (
        f"Delivery receipt from GOV.UK Notify: Message {message.pk}: sent to permanent-failure"
    )
    assert record.changes == {
        "source": "receipt",
        "messages": {
            str(message.pk): ["sent", "permanent-failure", "GOV.UK Notify: permanent-failure"]
        },
    }
    # The same receipt again changes nothing and records nothing.
    before = AuditRecord.objects.for_organisation(council).count()
    Client().post(
        "/notify/callbacks/delivery",
        json.dumps(receipt),
        content_type="application/json",
        headers={"Authorization": f"Bearer {helpers.CALLBACK_TOKEN}"},
    )
    assert len(_changes(message)) == 3
    assert AuditRecord.objects.for_organisation(council).count() == before


def test_look_ups_are_recorded_and_a_message_notify_still_sends_is_not_asked_again_at_once(
    notify: FakeNotify, council: Organisation
) -> None:
    delivered = helpers.message(council, address=helpers.DELIVERED_EMAIL)
    waiting = helpers.message(council, address="slow@example.org")  # Notify: "sending"
    sending.process_due()
    later = timezone.now() + datetime.timedelta(hours=2)
    assert sending.look_up_statuses(now=later) == 1
    assert _changes(delivered)[-1] == (
        "look-up",
        "sent",
        "delivered",
        1,
        "GOV.UK Notify: delivered",
    )
    assert _changes(waiting)[-1][:3] == ("worker", "sending", "sent")
    record = _audit(council)[-1]
    assert record.summary == (
        f"Status look-up at GOV.UK Notify: Message {delivered.pk}: sent to delivered"
    )
    asked = sum(1 for method, _path in notify.requests if method == "GET")
    assert asked == 2, notify.requests
    # Notify still says "sending": the message is asked about again only an hour later, not at
    # every run of the worker's step (every few seconds).
    assert sending.look_up_statuses(now=later + datetime.timedelta(minutes=1)) == 0
    assert sum(1 for method, _path in notify.requests if method == "GET") == asked, notify.requests
    assert sending.look_up_statuses(now=later + datetime.timedelta(minutes=61)) == 0
    assert sum(1 for method, _path in notify.requests if method == "GET") == asked + 1


def test_staff_changes_are_in_the_history_by_name_and_the_page_shows_it(
    notify: FakeNotify, council: Organisation
) -> None:
    manager = core_factories.staff(council, RoleCode.MANAGER, username="manager")
    message = helpers.message(council, address=helpers.PERMANENT_EMAIL)
    sending.process_due()
    later = timezone.now() + datetime.timedelta(hours=2)
    sending.look_up_statuses(now=later)
    message.refresh_from_db()
    outbox.retry(message, by=manager)
    outbox.cancel(message, by=manager)
    changes = list(
        MessageChange.objects.for_organisation(council).filter(message=message).order_by("id")
    )
    assert [(change.source, change.to_status, change.by) for change in changes] == [
        ("worker", "sending", None),
        ("worker", "sent", None),
        ("look-up", "permanent-failure", None),
        ("staff", "pending", manager),
        ("staff", "cancelled", manager),
    ]
    client = Client()
    core_factories.sign_in_verified(client, manager)
    page = client.get(f"/outbox/{message.pk}/").content.decode()
    table = page[page.index('data-testid="message-history"') :]
    for words in (
        "Written",
        "Waiting to be sent to Sending",
        "Sending to Sent",
        "Status look-up at GOV.UK Notify",
        "GOV.UK Notify: permanent-failure",
        "Waiting to be sent to Cancelled",
    ):
        assert words in table, words
    assert table.count(manager.display_name) == 2


def test_another_organisation_sees_no_history(
    notify: FakeNotify, council: Organisation, partner_administrator: User
) -> None:
    message = helpers.message(council)
    sending.process_due()
    client = Client()
    core_factories.sign_in_verified(client, partner_administrator)
    assert client.get(f"/outbox/{message.pk}/").status_code == 404
    assert not MessageChange.objects.for_user(partner_administrator).exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Can't send to sam@example.org", "Can't send to [recipient]"),
        ("Refused: <other.person@example.net> unknown", "Refused: <[recipient]> unknown"),
        ("phone_number +44 7700 900123 is not valid", "phone_number [recipient] is not valid"),
        ("Sam Resident's mailbox is full", "[recipient]'s mailbox is full"),
        ("GOV.UK Notify 500: 2026 error 42", "GOV.UK Notify 500: 2026 error 42"),
        ("a\nlong   reason " + "x" * 400, ("a long reason " + "x" * 400)[:300]),
    ],
)
def test_the_summary_keeps_no_personal_data(
    council: Organisation, text: str, expected: str
) -> None:
    message = helpers.message(council, address="sam@example.org", recipient_label="Sam Resident")
    assert history.summary(text, message) == expected
