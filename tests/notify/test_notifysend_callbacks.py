"""GOV.UK Notify's callbacks: delivery receipts and received text messages.  The right token
updates; a wrong or missing token, an unknown id, malformed or oversized JSON and a replayed
older receipt change nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onestop.contacts.models import Channel as ContactChannel
from onestop.contacts.models import Contact
from onestop.core.models import Organisation
from onestop.notify.models import Channel, Message, MessageStatus
from tests.customers import factories as customer_factories
from tests.notify import notifysend_helpers as helpers

pytestmark = pytest.mark.django_db

DELIVERY = "/notify/callbacks/delivery"
RECEIVED = "/notify/callbacks/received-text"


@pytest.fixture(autouse=True)
def _token(settings: Any) -> None:
    settings.ONESTOP_NOTIFY_CALLBACK_TOKEN = helpers.CALLBACK_TOKEN
    settings.ONESTOP_MESSAGE_RETRY_SECONDS = 60


def _post(path: str, body: object | bytes, *, token: str | None = helpers.CALLBACK_TOKEN) -> Any:
    # A browser's CSRF checks are on: Notify's servers carry no CSRF token, and need none.
    client = Client(enforce_csrf_checks=True)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return client.post(path, data, content_type="application/json", headers=headers)


def _sent(organisation: Organisation, **fields: Any) -> Message:
    return helpers.message(
        organisation,
        status=MessageStatus.SENT,
        provider="notify",
        provider_id=str(uuid.uuid4()),
        sent_at=timezone.now(),
        attempts=1,
        **fields,
    )


def _receipt(message: Message, status: str) -> dict[str, Any]:
    """Notify's delivery receipt, as its documentation shows it."""
    return {
        "id": message.provider_id,
        "reference": message.reference,
        "to": message.address,
        "status": status,
        "created_at": "2026-12-05T10:00:00.000000Z",
        "completed_at": "2026-12-05T10:00:05.000000Z",
        "sent_at": "2026-12-05T10:00:01.000000Z",
        "notification_type": "email",
        "template_id": helpers.EMAIL_TEMPLATE,
        "template_version": 1,
    }


def _state(message: Message) -> tuple[str, str, int]:
    message.refresh_from_db()
    return message.status, message.last_error, message.attempts


def test_a_delivered_receipt_with_the_right_token(council: Organisation) -> None:
    message = _sent(council)
    response = _post(DELIVERY, _receipt(message, "delivered"))
    assert response.status_code == 200
    assert response.json() == {"outcome": "updated"}
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.delivered_at is not None


def test_a_replayed_older_receipt_changes_nothing(council: Organisation) -> None:
    message = _sent(council)
    assert _post(DELIVERY, _receipt(message, "delivered")).status_code == 200
    before = _state(message)
    for older in ("sending", "created", "temporary-failure", "permanent-failure", "delivered"):
        response = _post(DELIVERY, _receipt(message, older))
        assert response.status_code == 200
        assert response.json() == {"outcome": "unchanged"}
    assert _state(message) == before == (MessageStatus.DELIVERED, "", 1)


def test_permanent_and_temporary_failures(council: Organisation) -> None:
    permanent = _sent(council)
    temporary = _sent(council)
    _post(DELIVERY, _receipt(permanent, "permanent-failure"))
    _post(DELIVERY, _receipt(temporary, "temporary-failure"))
    assert _state(permanent) == (
        MessageStatus.PERMANENT_FAILURE,
        "GOV.UK Notify: permanent-failure",
        1,
    )
    assert _state(temporary)[0] == MessageStatus.TEMPORARY_FAILURE
    assert temporary.next_attempt_at is not None  # sent again after the backoff


def test_a_receipt_before_the_provider_id_was_recorded_is_matched_by_reference(
    council: Organisation,
) -> None:
    message = helpers.message(council, status=MessageStatus.SENDING)
    notify_id = str(uuid.uuid4())
    receipt = {**_receipt(message, "delivered"), "id": notify_id}
    assert _post(DELIVERY, receipt).json() == {"outcome": "updated"}
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (MessageStatus.DELIVERED, notify_id)


@pytest.mark.parametrize(
    "token", [None, "", "wrong", helpers.CALLBACK_TOKEN + "x", helpers.CALLBACK_TOKEN[:-1]]
)
def test_a_wrong_or_missing_token_gets_401_and_changes_nothing(
    council: Organisation, token: str | None
) -> None:
    message = _sent(council)
    before = _state(message)
    for path, body in ((DELIVERY, _receipt(message, "delivered")), (RECEIVED, {})):
        response = _post(path, body, token=token)
        assert response.status_code == 401
    assert _state(message) == before
    assert not Contact.objects.for_organisation(council).exists()


def test_no_token_configured_refuses_everything(council: Organisation, settings: Any) -> None:
    settings.ONESTOP_NOTIFY_CALLBACK_TOKEN = ""
    message = _sent(council)
    assert _post(DELIVERY, _receipt(message, "delivered"), token="").status_code == 401
    assert _state(message)[0] == MessageStatus.SENT


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"", 400),
        (b"[1, 2, 3]", 400),
        (b'"delivered"', 400),
        (b"[" * 100_000, 413),
        (json.dumps({"id": "x" * 70_000}).encode(), 413),
        (json.dumps({"id": "not-a-uuid", "status": "delivered"}).encode(), 400),
        (b"\xff\xfe\x00garbage", 400),
    ],
)
def test_malformed_or_oversized_bodies_change_nothing(
    council: Organisation, body: bytes, status: int
) -> None:
    message = _sent(council)
    before = _state(message)
    assert _post(DELIVERY, body).status_code == status
    assert _post(RECEIVED, body).status_code == status
    assert _state(message) == before
    assert not Contact.objects.for_organisation(council).exists()


def test_an_unknown_id_or_status_changes_nothing(council: Organisation) -> None:
    message = _sent(council)
    before = _state(message)
    unknown = {**_receipt(message, "delivered"), "id": str(uuid.uuid4()), "reference": "x"}
    assert _post(DELIVERY, unknown).json() == {"outcome": "unknown"}
    assert _post(DELIVERY, _receipt(message, "exploded")).status_code == 400
    # Another message's reference with a made-up id: the reference alone moves nothing sent.
    forged = {**_receipt(message, "delivered"), "id": str(uuid.uuid4())}
    assert _post(DELIVERY, forged).json() == {"outcome": "unknown"}
    assert _state(message) == before


def test_only_post(council: Organisation) -> None:
    client = Client()
    headers = {"Authorization": f"Bearer {helpers.CALLBACK_TOKEN}"}
    assert client.get(DELIVERY, headers=headers).status_code == 405
    assert client.put(RECEIVED, b"{}", headers=headers).status_code == 405


def _received(number: str, text: str = "Yes please, Tuesday is fine") -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "source_number": number,
        "destination_number": "07700900000",
        "message": text,
        "date_received": "2026-12-05T09:15:30.000000Z",
    }


def test_a_text_reply_becomes_an_sms_contact_on_the_customer(council: Organisation) -> None:
    customer = customer_factories.customer(council, phone="07700 900123")
    _sent(council, channel=Channel.SMS, address="+447700900123", customer=customer)
    payload = _received("447700900123")
    response = _post(RECEIVED, payload)
    assert response.json() == {"outcome": "recorded"}
    [contact] = Contact.objects.for_organisation(council)
    assert contact.customer_id == customer.pk
    assert contact.channel == ContactChannel.SMS
    assert "Yes please, Tuesday is fine" in contact.notes
    # Notify sends a callback again when unsure it arrived: the second changes nothing.
    assert _post(RECEIVED, payload).json() == {"outcome": "duplicate"}
    assert Contact.objects.for_organisation(council).count() == 1


def test_a_text_from_an_unknown_number_is_an_unmatched_contact(
    council: Organisation, settings: Any
) -> None:
    settings.ONESTOP_NOTIFY_INBOUND_ORGANISATION = council.slug
    assert _post(RECEIVED, _received("+447700900999")).json() == {"outcome": "recorded"}
    [contact] = Contact.objects.for_organisation(council)
    assert contact.customer_id is None
    assert "+447700900999" in contact.notes


def test_a_text_to_no_organisation_is_not_kept(council: Organisation) -> None:
    assert _post(RECEIVED, _received("+447700900999")).json() == {"outcome": "unknown"}
    assert not Contact.objects.for_organisation(council).exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"source_number": "07700900123", "message": "hi"},  # no id
        {"id": str(uuid.uuid4()), "source_number": "not a number", "message": "hi"},
        {"id": str(uuid.uuid4()), "source_number": 447700900123, "message": "hi"},
    ],
)
def test_a_malformed_received_text_changes_nothing(
    council: Organisation, settings: Any, payload: dict[str, Any]
) -> None:
    settings.ONESTOP_NOTIFY_INBOUND_ORGANISATION = council.slug
    assert _post(RECEIVED, payload).status_code == 400
    assert not Contact.objects.for_organisation(council).exists()
